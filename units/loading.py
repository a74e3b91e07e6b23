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


MAX_LENGTHS = {"code": 64, "name": 255, "short_name": 255, "district": 100, "source": 255}
MANAGING_KINDS = {Unit.Kind.DEPARTMENT, Unit.Kind.DISTRICT_OFFICE}


def validate(rows: list[CsvRow]) -> list[str]:
    """Every problem of the file, each naming its CSV line and column; empty when it can load."""
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
        for column, limit in MAX_LENGTHS.items():
            if len(getattr(row, column)) > limit:
                errors.append(f"{where}, cột {column}: dài {len(getattr(row, column))} ký tự, tối đa {limit}.")
        if row.level not in levels:
            errors.append(f"{where}, cột level: cấp học “{row.level}” không hợp lệ (cho phép: {', '.join(Unit.Level.values)}).")
        if row.kind and row.kind not in kinds:
            errors.append(f"{where}, cột kind: loại đơn vị “{row.kind}” không hợp lệ (cho phép: {', '.join(Unit.Kind.values)}).")

    # The tree after loading: the database, overlaid by the file.
    in_db = {code: (parent or "", kind) for code, parent, kind in Unit.objects.values_list("code", "parent__code", "kind")}
    parent_of = {code: parent for code, (parent, _) in in_db.items()}
    kind_of = {code: kind for code, (_, kind) in in_db.items()}
    for row in rows:
        parent_of[row.code] = row.parent_code
        kind_of[row.code] = row.kind or Unit.kind_for_level(row.level)
    for row in rows:
        where = f"Dòng {row.line}, cột parent_code"
        if not row.parent_code:
            if kind_of[row.code] != Unit.Kind.DEPARTMENT:
                errors.append(f"{where}: chỉ Sở GD&ĐT được để trống đơn vị quản lý.")
            continue
        if row.parent_code == row.code:
            errors.append(f"{where}: đơn vị không thể tự quản lý chính nó.")
        elif row.parent_code not in parent_of:
            errors.append(f"{where}: không tìm thấy đơn vị quản lý “{row.parent_code}”.")
        elif kind_of[row.parent_code] not in MANAGING_KINDS:
            errors.append(f"{where}: “{row.parent_code}” là trường/trung tâm, không thể là đơn vị quản lý.")
    managing = set(parent_of.values())
    for code, kind in kind_of.items():
        if kind not in MANAGING_KINDS and code in managing:
            line = next((r.line for r in rows if r.code == code), None)
            if line is not None:
                errors.append(f"Dòng {line}, cột level: đơn vị này đang quản lý đơn vị khác nên phải là Sở hoặc Phòng.")
    roots = sorted(code for code, parent in parent_of.items() if not parent)
    if len(roots) > 1:
        lines = [str(r.line) for r in rows if r.code in roots]
        errors.append(f"Dòng {', '.join(lines)}, cột parent_code: chỉ được có một đơn vị gốc (Sở GD&ĐT); đang có {len(roots)}: {', '.join(roots)}.")
    errors.extend(_cycle_errors(rows, parent_of))
    return errors


def _cycle_errors(rows: list[CsvRow], parent_of: dict[str, str]) -> list[str]:
    errors = []
    for row in rows:
        seen, current = set(), row.code
        while current in parent_of and parent_of[current]:
            if current in seen:
                errors.append(f"Dòng {row.line}, cột parent_code: quan hệ quản lý tạo thành vòng lặp (một đơn vị nằm dưới chính nó).")
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
                try:
                    services.unit_change(
                        unit, from_year=from_year, name=row.name, parent=parent,
                        reason="Cập nhật từ tệp danh sách đơn vị", user=user,
                    )
                except services.UnitError as exc:
                    raise UnitCsvError([f"Dòng {row.line}: {exc}"]) from exc
                unit.refresh_from_db()
                changed = True
            plain = {"level": row.level, "kind": kind, "district": row.district, "source": row.source}
            if row.short_name:
                plain["short_name"] = row.short_name
            diffs = {k: v for k, v in plain.items() if getattr(unit, k) != v}
            if diffs:
                for key, value in diffs.items():
                    setattr(unit, key, value)
                unit.refresh_search_name()
                unit.save(update_fields=[*diffs, "search_name", "sort_key", "updated_at"])
                changed = True
            existing[row.code] = unit
            (result.updated if changed else result.unchanged).append(row.code)
        if dry_run:
            transaction.set_rollback(True)
    return result


def load_units_file(path: str | Path, **kwargs) -> LoadResult:
    path = Path(path)
    if not path.is_file():
        raise UnitCsvError([f"Không tìm thấy tệp “{path}” (hoặc đó là một thư mục)."])
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UnitCsvError([f"Dòng {line}: tệp không phải văn bản UTF-8 (hãy lưu lại với mã hóa UTF-8)."]) from exc
    return load_units(text, **kwargs)
