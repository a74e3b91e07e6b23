"""Load the unit tree from a CSV (columns of long_an_units.csv): validate all, then apply all.

Any bad line (unknown parent, duplicate code, unknown level or kind, ...) is reported with its
CSV line number and nothing is saved. A second run with the same file changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from units import services, vntext
from units.models import Unit

REQUIRED_COLUMNS = ("code", "name", "level", "parent_code")
OPTIONAL_COLUMNS = ("district", "source", "kind", "short_name")
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]*$")


class UnitCsvError(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class CsvRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str
    district: str
    source: str
    kind: str
    short_name: str


@dataclass
class LoadResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def read_rows(text: str) -> list[CsvRow]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise UnitCsvError([f"Dòng 1: thiếu cột bắt buộc {', '.join(missing)}."])
    rows = []
    for record in reader:
        record = {(k or "").strip(): vntext.normalize_text(v) for k, v in record.items()}
        rows.append(
            CsvRow(
                line=reader.line_num,
                **{c: record.get(c, "") for c in REQUIRED_COLUMNS + OPTIONAL_COLUMNS},
            )
        )
    return rows


def validate(rows: list[CsvRow]) -> list[str]:
    errors: list[str] = []
    seen: dict[str, int] = {}
    levels, kinds = set(Unit.Level.values), set(Unit.Kind.values)
    for row in rows:
        where = f"Dòng {row.line}"
        if not row.code:
            errors.append(f"{where}, cột code: thiếu mã đơn vị.")
            continue
        if not CODE_PATTERN.match(row.code):
            errors.append(f"{where}, cột code: mã “{row.code}” chỉ được gồm chữ in hoa không dấu, số và dấu gạch ngang.")
        if row.code in seen:
            errors.append(f"{where}, cột code: mã “{row.code}” bị trùng với dòng {seen[row.code]}.")
        else:
            seen[row.code] = row.line
        if not row.name:
            errors.append(f"{where}, cột name: thiếu tên đơn vị.")
        if row.level not in levels:
            errors.append(f"{where}, cột level: cấp học “{row.level}” không hợp lệ (cho phép: {', '.join(Unit.Level.values)}).")
        if row.kind and row.kind not in kinds:
            errors.append(f"{where}, cột kind: loại đơn vị “{row.kind}” không hợp lệ (cho phép: {', '.join(Unit.Kind.values)}).")
    known = set(seen) | set(Unit.objects.filter(code__in=[r.parent_code for r in rows if r.parent_code]).values_list("code", flat=True))
    roots = [r for r in rows if not r.parent_code]
    for row in rows:
        if row.parent_code and row.parent_code not in known:
            errors.append(f"Dòng {row.line}, cột parent_code: không tìm thấy đơn vị quản lý “{row.parent_code}”.")
        if row.parent_code and row.parent_code == row.code:
            errors.append(f"Dòng {row.line}, cột parent_code: đơn vị không thể tự quản lý chính nó.")
    for row in roots:
        kind = row.kind or Unit.kind_for_level(row.level)
        if kind != Unit.Kind.DEPARTMENT:
            errors.append(f"Dòng {row.line}, cột parent_code: chỉ Sở GD&ĐT được để trống đơn vị quản lý.")
    errors.extend(_cycle_errors(rows))
    return errors


def _cycle_errors(rows: list[CsvRow]) -> list[str]:
    parent_of = {r.code: r.parent_code for r in rows}
    line_of = {r.code: r.line for r in rows}
    errors = []
    for code in parent_of:
        seen, current = set(), code
        while current in parent_of and parent_of[current]:
            if current in seen:
                errors.append(f"Dòng {line_of[code]}, cột parent_code: quan hệ quản lý tạo thành vòng lặp.")
                break
            seen.add(current)
            current = parent_of[current]
    return errors


def _parents_first(rows: list[CsvRow]) -> list[CsvRow]:
    by_code = {r.code: r for r in rows}
    ordered, done = [], set()

    def visit(row: CsvRow) -> None:
        if row.code in done:
            return
        parent = by_code.get(row.parent_code)
        if parent is not None:
            visit(parent)
        done.add(row.code)
        ordered.append(row)

    for row in rows:
        visit(row)
    return ordered


def load_units(text: str, *, dry_run: bool = False, from_year: int, user=None) -> LoadResult:
    """Validate every line, then create or update units in one transaction.

    A changed name or parent is recorded as a new version from school year `from_year`,
    never by overwriting the past.
    """
    rows = read_rows(text)
    errors = validate(rows)
    if errors:
        raise UnitCsvError(errors)
    result = LoadResult(dry_run=dry_run)
    with transaction.atomic():
        existing = {u.code: u for u in Unit.objects.select_related("parent")}
        for row in _parents_first(rows):
            unit = existing.get(row.code)
            parent = existing.get(row.parent_code) if row.parent_code else None
            kind = row.kind or Unit.kind_for_level(row.level)
            short_name = row.short_name or services.short_name_for(row.name)
            if unit is None:
                unit = services.unit_create(
                    code=row.code, name=row.name, level=row.level, kind=kind, parent=parent,
                    short_name=short_name, district=row.district, source=row.source, user=user,
                )
                existing[row.code] = unit
                result.created.append(row.code)
                continue
            changed = False
            if unit.name != row.name or unit.parent_id != (parent.pk if parent else None):
                services.unit_change(
                    unit, from_year=from_year, name=row.name, parent=parent,
                    reason="Cập nhật từ tệp danh sách đơn vị", user=user,
                )
                unit.refresh_from_db()
                changed = True
            plain = {"level": row.level, "kind": kind, "district": row.district, "source": row.source}
            if row.short_name:
                plain["short_name"] = row.short_name
            diffs = {k: v for k, v in plain.items() if getattr(unit, k) != v}
            if diffs:
                for key, value in diffs.items():
                    setattr(unit, key, value)
                unit.save(update_fields=list(diffs) + ["updated_at"])
                changed = True
            existing[row.code] = unit
            (result.updated if changed else result.unchanged).append(row.code)
        if dry_run:
            transaction.set_rollback(True)
    return result


def load_units_file(path: str | Path, **kwargs) -> LoadResult:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UnitCsvError([f"Tệp không phải văn bản UTF-8 (byte {exc.start})."]) from exc
    return load_units(text, **kwargs)
