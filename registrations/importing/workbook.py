"""Find the registration table in an officer's .xlsx, wherever it is, and read it as rows.

Accepts: the table on any sheet, below a title block; a header spread over two rows with merged
cells ("Danh hiệu đăng ký" over LĐTT | CSTĐCS | CSTĐ cấp tỉnh, a tick in one of them); header
names with or without diacritics; a total row and a signature block under the table; trailing
empty or merely formatted rows; formulas with cached values. Everything else is a FileProblem
naming the sheet, the row and the column in Vietnamese.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from registrations.importing import normalize
from units import vntext

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
HEADER_SEARCH_ROWS = 40
# Where a table ends: its total row, or the signature block under it (date line, signers).
TOTAL_ROW = re.compile(
    r"^(tong cong|tong so|cong\s*[:\d]|nguoi lap( bieu)?\b|thu truong\b|hieu truong\b|giam doc\b|truong phong\b"
    r"|\(ky\b|[. ]*, ngay\b|.*\bngay\b.*\bthang\b.*\bnam\b)"
)

# Columns of the collective sheet (the individual ones are normalize.HEADER_ALIASES).
COLLECTIVE_ALIASES = {
    "collective_name": ["tap the", "ten tap the", "to chuyen mon don vi", "don vi to chuyen mon", "ten to"],
    "collective_id": ["ma tap the", "ma to"],
}
LABELS = {
    "stt": "STT", "full_name": "Họ và tên", "date_of_birth": "Ngày sinh", "position": "Chức vụ",
    "team": "Tổ chuyên môn", "title": "Danh hiệu đăng ký", "note": "Ghi chú", "staff_id": "Mã CB",
    "collective_name": "Tập thể", "collective_id": "Mã tập thể",
}


@dataclass(frozen=True)
class Problem:
    """An error (or a note) about the file, in Vietnamese, with where it is."""

    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = []
        if self.sheet:
            where.append(f"Trang tính “{self.sheet}”")
        if self.row:
            where.append(f"dòng {self.row}")
        if self.column:
            where.append(f"cột “{self.column}”")
        return (", ".join(where) + ": " if where else "") + self.message


class FileRejected(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class SourceRow:
    sheet: str
    row: int
    values: dict[str, object]
    ticks: list[str] = field(default_factory=list)  # title codes ticked in sub-columns


@dataclass
class Table:
    sheet: str
    kind: str  # "individual" | "collective"
    columns: dict[str, int]
    tick_columns: dict[int, str]
    rows: list[SourceRow]
    epoch1904: bool = False


@dataclass
class ReadResult:
    individual: Table | None
    collective: Table | None
    notes: list[Problem]


def check_container(data: bytes, *, max_bytes: int, max_rows: int = 5000) -> None:
    """Refuse what is not a real .xlsx before openpyxl sees it."""
    if not data:
        raise FileRejected([Problem("Tệp rỗng (0 byte).")])
    if len(data) > max_bytes:
        raise FileRejected([Problem(f"Tệp nặng {len(data) / 1e6:.1f} MB, vượt giới hạn {max_bytes / 1e6:.0f} MB.")])
    if data.startswith(OLE_SIGNATURE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise FileRejected([Problem("Tệp được đặt mật khẩu. Hãy bỏ mật khẩu (File › Info › Protect Workbook) rồi tải lên lại.")])
        raise FileRejected([Problem("Đây là tệp Excel cũ (.xls). Hãy mở bằng Excel và lưu lại dạng .xlsx (Excel Workbook).")])
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise FileRejected([Problem("Tệp không phải tệp Excel .xlsx (có thể đã bị hỏng hoặc đổi đuôi).")])
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        if "xl/workbook.xml" not in z.namelist():
            raise FileRejected([Problem("Tệp không phải tệp Excel .xlsx (thiếu nội dung bảng tính).")])
        # A few hundred KB can hold a million empty but formatted rows: count them before loading.
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml") and _count_rows(z, name) > max_rows + 1000:
                raise FileRejected([Problem(
                    f"Trang tính có quá nhiều dòng (kể cả dòng trống đã định dạng), vượt giới hạn {max_rows} dòng; "
                    "hãy xóa các dòng thừa ở cuối bảng rồi tải lên lại.")])


def _count_rows(z: zipfile.ZipFile, name: str) -> int:
    count, tail = 0, b""
    with z.open(name) as f:
        while chunk := f.read(1 << 20):
            block = tail + chunk
            count += block.count(b"<row ") + block.count(b"<row>")
            tail = block[-5:]
            count -= tail.count(b"<row ") + tail.count(b"<row>")  # counted again with the next chunk
    return count + tail.count(b"<row ") + tail.count(b"<row>")


def _has_formulas(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return any(
            b"<f>" in z.read(name) or b"<f " in z.read(name)
            for name in z.namelist() if name.startswith("xl/worksheets/") and name.endswith(".xml")
        )


def _header_key(text: str, kind_hint: str | None = None) -> str | None:
    key = normalize.match_header(text)
    if key:
        return key
    folded = normalize.normalize_header(text)
    for k, aliases in COLLECTIVE_ALIASES.items():
        if folded in aliases:
            return k
    return None


def _grid(ws, first: int, last: int) -> dict[tuple[int, int], object]:
    """Cell values of rows first..last with each merged range's value copied to all its cells."""
    grid = {}
    for row in ws.iter_rows(min_row=first, max_row=last):
        for cell in row:
            if cell.value is not None:
                grid[(cell.row, cell.column)] = cell.value
    for rng in ws.merged_cells.ranges:
        if rng.max_row < first or rng.min_row > last:
            continue
        value = ws.cell(row=rng.min_row, column=rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                grid[(r, c)] = value
    return grid


def _find_header(ws, matcher, key_of=None) -> tuple[int, int, dict[str, int], dict[int, str], list[str], str] | None:
    """(first header row, last header row, column of each key, tick columns, ignored headers, kind).

    `key_of` maps a header cell to a column key (the history import has its own columns).
    """
    key_of = key_of or _header_key
    last = min(ws.max_row or 0, HEADER_SEARCH_ROWS)
    if last == 0:
        return None
    grid = _grid(ws, 1, last + 1)
    width = ws.max_column or 0
    for r in range(1, last + 1):
        keys = {}
        for c in range(1, width + 1):
            value = grid.get((r, c))
            if isinstance(value, str):
                key = key_of(value)
                if key and key not in keys:
                    keys[key] = c
        individual = "full_name" in keys and len(keys) >= 3
        collective = "collective_name" in keys and "full_name" not in keys and len(keys) >= 2
        if not (individual or collective):
            continue
        # A second header row exists only where the form says so with merged cells: headers merged
        # down over two rows, or "Danh hiệu đăng ký" merged across sub-columns (one per title,
        # ticked with an "x"). Anything else is a one-row header, and the next row is data.
        ticks, end = {}, r
        spans_two_rows = any(
            rng.min_row == r and rng.max_row >= r + 1 and rng.min_col in keys.values() for rng in ws.merged_cells.ranges
        )
        title_col = keys.get("title")
        across = next((rng for rng in ws.merged_cells.ranges if title_col and rng.min_row == r == rng.max_row
                       and rng.min_col <= title_col <= rng.max_col and rng.max_col > rng.min_col), None)
        if across is not None:
            for c in range(across.min_col, across.max_col + 1):
                value = grid.get((r + 1, c))
                code = matcher.match(normalize.clean_text(value)) if isinstance(value, str) else None
                if code:
                    ticks[c] = code
        if spans_two_rows or ticks:
            end = r + 1
            if ticks:
                keys.pop("title", None)
            for c in range(1, width + 1):
                v = grid.get((r + 1, c))
                if c not in keys.values() and c not in ticks and isinstance(v, str) and grid.get((r, c)) in (None, v):
                    key = key_of(v)
                    if key and key not in keys:
                        keys[key] = c
        ignored = []
        for c in range(1, width + 1):
            value = grid.get((r, c))
            if isinstance(value, str) and c not in keys.values() and c not in ticks and value.strip():
                if not (ticks and grid.get((r, c)) == grid.get((r, min(ticks)))):
                    ignored.append(normalize.clean_text(value))
        return r, end, keys, ticks, ignored, "individual" if individual else "collective"
    return None


def _rows(ws, start: int, keys: dict[str, int], ticks: dict[int, str], *, sheet: str, max_rows: int):
    used = sorted(set(keys.values()) | set(ticks))
    rows, trailing = [], 0
    stopped_at = None
    for cells in ws.iter_rows(min_row=start, max_row=ws.max_row):
        r = cells[0].row
        values = {c: cells[c - 1].value if c - 1 < len(cells) else None for c in used}
        texts = [normalize.clean_text(v) for v in values.values() if v is not None and normalize.clean_text(v) != ""]
        if not texts:
            trailing += 1
            if rows:
                stopped_at = r
                break
            continue
        first_text = next((normalize.clean_text(cells[c - 1].value) for c in used
                           if isinstance(cells[c - 1].value, str) and normalize.clean_text(cells[c - 1].value)), "")
        # A person's row has a number or a birth date ("Trương Phong" must not read as "trưởng phòng").
        stt_cell = cells[keys["stt"] - 1].value if "stt" in keys and keys["stt"] - 1 < len(cells) else None
        dob_cell = cells[keys["date_of_birth"] - 1].value if "date_of_birth" in keys and keys["date_of_birth"] - 1 < len(cells) else None
        looks_like_person = isinstance(stt_cell, (int, float)) or dob_cell not in (None, "")
        if not looks_like_person and TOTAL_ROW.match(vntext.fold(first_text)):
            stopped_at = r
            break
        rows.append(SourceRow(
            sheet=sheet, row=r,
            values={key: values.get(c) for key, c in keys.items()},
            ticks=[code for c, code in ticks.items() if normalize.clean_text(values.get(c))],
        ))
        if len(rows) > max_rows:
            raise FileRejected([Problem(f"Có hơn {max_rows} dòng dữ liệu, vượt giới hạn một lần tải lên.", sheet=sheet)])
    return rows, stopped_at


def _numbered_row_after(ws, stopped_at: int, keys: dict[str, int]) -> int | None:
    """The first row below the end of the table that looks like a person (a number and a name)."""
    stt, name = keys.get("stt"), keys.get("full_name") or keys.get("collective_name")
    if not stt or not name:
        return None
    for cells in ws.iter_rows(min_row=stopped_at + 1, max_row=ws.max_row):
        number = cells[stt - 1].value if stt - 1 < len(cells) else None
        text = cells[name - 1].value if name - 1 < len(cells) else None
        if isinstance(number, (int, float)) and isinstance(text, str) and text.strip():
            return cells[0].row
    return None


def read_tables(data: bytes, matcher, *, max_bytes: int, max_rows: int) -> ReadResult:
    check_container(data, max_bytes=max_bytes, max_rows=max_rows)
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise FileRejected([Problem(f"Không đọc được tệp Excel ({exc.__class__.__name__}). Hãy mở và lưu lại bằng Excel.")]) from exc
    formulas = None
    if _has_formulas(data):
        formulas = load_workbook(io.BytesIO(data), data_only=False)
    notes: list[Problem] = []
    found: dict[str, Table] = {}
    problems: list[Problem] = []
    for ws in wb.worksheets:
        header = _find_header(ws, matcher)
        if header is None:
            continue
        first, last, keys, ticks, ignored, kind = header
        if kind in found:
            notes.append(Problem("Đã dùng bảng ở trang tính trước; bỏ qua bảng này.", sheet=ws.title))
            continue
        for name in ignored:
            notes.append(Problem(f"Bỏ qua cột “{name}” (không dùng khi nhập).", sheet=ws.title))
        required = ["full_name", "title"] if kind == "individual" else ["collective_name", "title"]
        if kind == "individual" and "staff_id" not in keys:
            required.append("date_of_birth")
        missing = [k for k in required if k not in keys and not (k == "title" and ticks)]
        if missing:
            problems.extend(
                Problem(f"thiếu cột bắt buộc “{LABELS[k]}”.", sheet=ws.title) for k in missing
            )
            continue
        rows, stopped_at = _rows(ws, last + 1, keys, ticks, sheet=ws.title, max_rows=max_rows)
        if stopped_at:
            later = _numbered_row_after(ws, stopped_at, keys)
            if later:
                # Data below a blank row would be lost silently: make the officer decide.
                problems.append(Problem(
                    f"bảng bị ngắt ở dòng {stopped_at} (dòng trống hoặc dòng tổng cộng) nhưng bên dưới vẫn có "
                    f"người được đánh số ở dòng {later}; hãy xóa dòng ngắt hoặc phần thừa rồi tải lên lại.",
                    sheet=ws.title, row=stopped_at))
                continue
        if formulas is not None:
            fws = formulas[ws.title]
            for row in rows:
                for key, c in keys.items():
                    source = fws.cell(row=row.row, column=c).value
                    if isinstance(source, str) and source.startswith("=") and row.values.get(key) is None:
                        problems.append(Problem("ô chứa công thức nhưng chưa có giá trị đã tính; hãy mở tệp bằng Excel, lưu lại rồi tải lên.",
                                                sheet=ws.title, row=row.row, column=LABELS.get(key, get_column_letter(c))))
        found[kind] = Table(sheet=ws.title, kind=kind, columns=keys, tick_columns=ticks, rows=rows,
                            epoch1904=wb.epoch == CALENDAR_MAC_1904)
    if problems:
        raise FileRejected(problems)
    if not found:
        raise FileRejected([Problem("Không tìm thấy bảng đăng ký: cần một dòng tiêu đề có các cột “Họ và tên”, "
                                    "“Ngày sinh”, “Danh hiệu đăng ký” (hoặc bảng tập thể có cột “Tập thể”).")])
    return ReadResult(individual=found.get("individual"), collective=found.get("collective"), notes=notes)
