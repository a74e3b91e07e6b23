"""Excel import of the history the rules read: each person's year (rating, months worked,
maternity leave, discipline), the titles they were recognised with, and their initiatives.

The reader is the registration import's (registrations/importing/workbook.py: the table on any
sheet, below a title block, header rows, total rows, signature blocks, limits) with this file's
columns; every cell goes through registrations/importing/normalize.py (NFC, TCVN3/VNI, title
spellings, dates). plan_history never writes; apply_history writes a plan in one transaction.

Decisions another reader must know:

- A history file never creates people: each row must be someone who worked in the unit during
  that school year, found by "Mã CB" (which must then match the name and birth date) or by name
  and birth date.
- A column the file does not have leaves the stored value as it is ("Kỷ luật" absent: disciplines
  stay); a blank cell in a column the file has means "none" (no discipline, no title, rating not
  known, months not known).
- Titles of the regime that governs the school year (SchoolYear.regime, else the regime's years).
  The titles imported for a person and year (source "import") are replaced by the file's; titles
  from any other source are never touched, and one of them named again in the file is kept as it is.
- Initiatives have no source field: they are added (co-authors in several rows share one) and
  their level or decision number updated, never removed by an import.
- The collectives' own results (CollectiveRecord) come from a second table, on its own sheet
  ("Tập thể": "Tên tập thể", "Xếp loại"), one row per collective: the unit itself (its name,
  or "Đơn vị") or one of its teams that year, matched without diacritics. A blank rating removes
  the stored result; a collective the file leaves out keeps its own. Either table may be alone.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from awards.history_selectors import UNIT_ITSELF, collectives_in_year, staff_worked_at, unit_names
from awards.models import AnnualRecord, CollectiveRecord, Initiative, RecognisedTitle, Regime, Title
from awards.selectors import regime_for_year
from config.sql import id_list
from registrations.importing import normalize, workbook
from registrations.importing.workbook import FileRejected, Problem
from registrations.models import ImportBatch, SchoolYear
from units import vntext
from units.models import Collective, Staff, Unit, User

KIND = "history"  # ImportBatch.summary["kind"] of a history upload
SOURCE = "import"

# Column key -> header spellings accepted (compared folded, as normalize.match_header does).
HISTORY_ALIASES: dict[str, tuple[str, ...]] = {
    "rating": ("Xếp loại", "Xếp loại đánh giá", "Kết quả đánh giá", "Kết quả xếp loại", "Đánh giá, xếp loại",
               "Đánh giá xếp loại", "Xếp loại viên chức", "Xếp loại chất lượng", "Mức xếp loại",
               "Kết quả đánh giá, xếp loại", "Xếp loại năm học"),
    "months_worked": ("Số tháng công tác", "Số tháng làm việc", "Thời gian công tác", "Số tháng"),
    "maternity_months": ("Nghỉ thai sản", "Số tháng nghỉ thai sản", "Thai sản", "Nghỉ thai sản tháng"),
    "discipline": ("Kỷ luật", "Hình thức kỷ luật", "Bị kỷ luật"),
    "title": ("Danh hiệu đã đạt", "Danh hiệu đạt được", "Danh hiệu được công nhận", "Danh hiệu thi đua đã đạt",
              "Danh hiệu", "Danh hiệu thi đua", "Danh hiệu, hình thức khen thưởng", "Danh hiệu khen thưởng",
              "Khen thưởng", "Danh hiệu đã được công nhận"),
    "reference": ("Số quyết định", "Số QĐ", "Quyết định", "Số quyết định công nhận", "Số, ngày quyết định",
                  "Quyết định công nhận", "Số quyết định danh hiệu"),
    "initiative": ("Sáng kiến", "Tên sáng kiến", "Sáng kiến kinh nghiệm", "Tên sáng kiến, đề tài",
                   "Sáng kiến, đề tài", "Tên sáng kiến kinh nghiệm"),
    "initiative_level": ("Cấp sáng kiến", "Cấp công nhận sáng kiến", "Cấp công nhận", "Cấp"),
    "initiative_reference": ("Số quyết định sáng kiến", "Quyết định công nhận sáng kiến",
                             "Số quyết định công nhận sáng kiến"),
}
_LOOKUP = {normalize._header_key(alias): key for key, aliases in HISTORY_ALIASES.items() for alias in aliases}
# The registration columns a history file may also have; "Danh hiệu đăng ký" is not one of them.
_SHARED = {"stt", "full_name", "date_of_birth", "staff_id", "position", "team", "note"}

LABELS = {
    "stt": "STT", "full_name": "Họ và tên", "date_of_birth": "Ngày sinh", "staff_id": "Mã CB",
    "rating": "Xếp loại", "months_worked": "Số tháng công tác", "maternity_months": "Nghỉ thai sản (tháng)",
    "discipline": "Kỷ luật", "title": "Danh hiệu đã đạt", "reference": "Số quyết định",
    "initiative": "Sáng kiến", "initiative_level": "Cấp sáng kiến", "initiative_reference": "Số quyết định sáng kiến",
}


# The collectives' table (its own sheet): one row per collective.
COLLECTIVE_SHEET = "Tập thể"
COLLECTIVE_ALIASES: dict[str, tuple[str, ...]] = {
    "collective_name": ("Tên tập thể", "Tập thể", "Tên tổ", "Tên tổ chuyên môn", "Đơn vị, tổ chuyên môn",
                        "Tổ chuyên môn, đơn vị", "Tên đơn vị, tổ chuyên môn", "Tên đơn vị, tổ"),
    "rating": HISTORY_ALIASES["rating"],
    "stt": ("STT", "TT", "Số TT", "Số thứ tự"),
    "note": ("Ghi chú",),
}
_COLLECTIVE_LOOKUP = {normalize._header_key(alias): key for key, aliases in COLLECTIVE_ALIASES.items()
                      for alias in aliases}
COLLECTIVE_LABELS = {"stt": "STT", "collective_name": "Tên tập thể", "rating": "Xếp loại", "note": "Ghi chú"}


def collective_header_key(text) -> str | None:
    """The column key of a header cell of the collectives' table, or None (the column is ignored)."""
    return _COLLECTIVE_LOOKUP.get(normalize._header_key(text))


def header_key(text) -> str | None:
    """The column key of a header cell of a history file, or None (the column is ignored)."""
    key = _LOOKUP.get(normalize._header_key(text))
    if key:
        return key
    key = normalize.match_header(text)
    return key if key in _SHARED else None


# --- cell values -------------------------------------------------------------------------------

def _compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", vntext.fold(text))


_RATINGS = {
    "HTXSNV": ("htxsnv", "htxs", "hoanthanhxuatsacnhiemvu", "hoanthanhxuatsac"),
    "HTTNV": ("httnv", "htt", "hoanthanhtotnhiemvu", "hoanthanhtot"),
    "HTNV": ("htnv", "ht", "hoanthanhnhiemvu", "hoanthanh"),
    "KHTNV": ("khtnv", "kht", "khonghoanthanhnhiemvu", "khonghoanthanh"),
}
_RATING_LOOKUP = {spelling: code for code, spellings in _RATINGS.items() for spelling in spellings}
_NOT_RATED = {"chuaxeploai", "chuadanhgia", "khongxeploai"}

_DISCIPLINES = {
    "khien_trach": ("khientrach",),
    "canh_cao": ("canhcao",),
    "ha_bac_luong": ("habacluong",),
    # Not in AnnualRecord.Discipline's choices, but a measure the rules know (awards/rules/model.py).
    "giang_chuc": ("giangchuc",),
    "cach_chuc": ("cachchuc",),
    "buoc_thoi_viec": ("buocthoiviec",),
}
_DISCIPLINE_LOOKUP = {spelling: code for code, spellings in _DISCIPLINES.items() for spelling in spellings}
_NO_DISCIPLINE = {"", "khong", "0", "khongco", "khongbikyluat", "khongcokyluat", "khongkyluat"}
DISCIPLINE_LABELS = {**dict(AnnualRecord.Discipline.choices), "giang_chuc": "Giáng chức"}

_LEVELS = {
    "co_so": ("coso", "capcoso", "cs"),
    "tinh_bo": ("tinh", "captinh", "bo", "capbo", "tinhbo", "captinhbo", "nganh", "capnganh", "tinhthanhpho"),
    "toan_quoc": ("toanquoc", "captoanquoc", "tq", "quocgia", "capquocgia"),
}
_LEVEL_LOOKUP = {spelling: code for code, spellings in _LEVELS.items() for spelling in spellings}
LEVEL_LABELS = dict(Initiative.Level.choices)
RATING_LABELS = dict(AnnualRecord.Rating.choices)

_PARENS = re.compile(r"\(([^()]*)\)")


def parse_rating(text: str) -> str:
    """"HTXSNV", "Hoàn thành xuất sắc nhiệm vụ", "hoan thanh tot nhiem vu", "HTT" … -> code; blank -> ""."""
    parts = [p for p in [_PARENS.sub(" ", text), *_PARENS.findall(text)] if _compact(p)]
    found = set()
    for part in parts:
        key = _compact(part)
        if key in _NOT_RATED:
            found.add("")
            continue
        code = _RATING_LOOKUP.get(key)
        if code is None:
            raise ValueError(f"không nhận ra xếp loại “{text}” (dùng HTXSNV, HTTNV, HTNV, KHTNV "
                             "hoặc ghi đủ, ví dụ “Hoàn thành tốt nhiệm vụ”).")
        found.add(code)
    if len(found) > 1:
        raise ValueError(f"xếp loại “{text}” có hai mức khác nhau.")
    return found.pop() if found else ""


def parse_discipline(text: str) -> str:
    key = _compact(text)
    key = re.sub(r"^(hinhthuc)?(kyluat|kiluat)", "", key) if key not in _NO_DISCIPLINE else key
    if key in _NO_DISCIPLINE:
        return ""
    code = _DISCIPLINE_LOOKUP.get(key)
    if code is None:
        raise ValueError(f"không nhận ra hình thức kỷ luật “{text}” (Khiển trách, Cảnh cáo, Hạ bậc lương, "
                         "Giáng chức, Cách chức, Buộc thôi việc, hoặc để trống).")
    return code


def parse_level(text: str) -> str:
    code = _LEVEL_LOOKUP.get(_compact(text))
    if code is None:
        raise ValueError(f"không nhận ra cấp sáng kiến “{text}” (Cơ sở, Tỉnh/Bộ, Toàn quốc).")
    return code


def parse_months(value, *, blank) -> Decimal | None:
    """Months as a number 0..12 with at most one decimal ("9,5" or 9.5); blank -> `blank`."""
    if value is None or (isinstance(value, str) and not normalize.clean_text(value)):
        return blank
    if isinstance(value, bool):
        raise ValueError(f"“{value}” không phải là số tháng.")
    if isinstance(value, int | float):
        number = Decimal(str(value))
    else:
        text = normalize.clean_text(value)
        text = re.sub(r"\s*(thang|th)\.?$", "", vntext.fold(text)).replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{normalize.clean_text(value)}” không phải là số tháng.") from None
    if not number.is_finite() or number < 0 or number > 12:
        raise ValueError(f"số tháng phải từ 0 đến 12 (đang ghi “{value}”).")
    if number != number.quantize(Decimal("0.1")):
        raise ValueError(f"số tháng chỉ ghi tối đa một chữ số thập phân (đang ghi “{value}”).")
    return number.quantize(Decimal("0.1"))


_DASHES = {"-", "—", "–"}


def _split(text: str, separators: str = ";\n", *, keep_dashes: bool = False) -> list[str]:
    """Parts of a cell; a dash is a blank kept in its place ("12/QĐ; —" pairs with two titles)."""
    parts = [p.strip() for p in re.split(f"[{re.escape(separators)}]", text) if p.strip()]
    if keep_dashes and len(parts) > 1:
        return ["" if p in _DASHES else p for p in parts]
    return [p for p in parts if p not in _DASHES]


def _paired(values: list[str], count: int, what: str, of: str) -> list[str]:
    """One value for all, or one per item in order; anything else is an error."""
    if count == 0 or len(values) <= 1:
        return [values[0] if values else ""] * count
    if len(values) == count:
        return values
    raise ValueError(f"có {len(values)} {what} cho {count} {of}; ghi một {what} chung, "
                     f"hoặc mỗi {of} một {what} theo đúng thứ tự, cách nhau bằng dấu chấm phẩy.")


# --- the plan ----------------------------------------------------------------------------------

@dataclass
class HistoryRow:
    sheet: str
    row: int
    staff: Staff
    rating: str | None = None  # None: the file has no such column (keep the stored value)
    months_worked: Decimal | None = None
    maternity_months: Decimal | None = None
    discipline: str | None = None
    titles: list[tuple[str, str]] | None = None  # (code, reference)
    initiatives: list[tuple[str, str, str]] = field(default_factory=list)  # (name, level, reference)
    write_record: bool = False  # set by the diff: the annual record is created or changed


@dataclass
class PersonDiff:
    """What confirming would do for one person (JSON-able for the preview cache)."""

    row: int
    sheet: str
    staff_id: int
    name: str
    kind: str  # add | change | same
    fields: dict[str, list[str]]  # label -> [before, after], for each stored value
    changed: list[str]  # labels of the fields that change
    titles_added: list[str]
    titles_changed: list[str]
    titles_removed: list[str]
    titles_kept: list[str]
    initiatives_added: list[str]
    initiatives_changed: list[str]

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class CollectiveRow:
    sheet: str
    row: int
    name: str
    collective: Collective | None  # None: the unit itself
    rating: str  # "" = no result (a stored one is removed)


@dataclass
class CollectiveDiff:
    """What confirming would do for one collective (JSON-able for the preview cache)."""

    row: int
    sheet: str
    name: str
    collective_id: int | None
    kind: str  # add | change | remove | same
    before: str  # rating labels
    after: str
    source: str  # the stored result's source, when there is one

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class HistoryPlan:
    unit: Unit
    school_year: SchoolYear
    sha256: str
    regime: Regime | None = None
    rows: list[HistoryRow] = field(default_factory=list)
    diffs: list[PersonDiff] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    columns: set[str] = field(default_factory=set)
    collective_rows: list[CollectiveRow] = field(default_factory=list)
    collective_diffs: list[CollectiveDiff] = field(default_factory=list)
    # Filled by the diff, used by apply_history (existing rows, already loaded).
    _records: dict[int, AnnualRecord] = field(default_factory=dict)
    _collective_records: dict[int | None, CollectiveRecord] = field(default_factory=dict)
    _titles: dict[int, list[RecognisedTitle]] = field(default_factory=dict)
    _initiatives: dict[str, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors

    def counts(self) -> dict[str, int]:
        out = {"add": 0, "change": 0, "same": 0}
        for d in self.diffs:
            out[d.kind] += 1
        return out

    def collective_counts(self) -> dict[str, int]:
        out = {"add": 0, "change": 0, "remove": 0, "same": 0}
        for d in self.collective_diffs:
            out[d.kind] += 1
        return out

    def fingerprint(self) -> str:
        """Identifies what confirming would do: a confirm whose plan differs from the preview's is refused."""
        data = json.dumps([d.as_dict() for d in self.diffs] + [d.as_dict() for d in self.collective_diffs],
                          sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(data.encode("utf-8")).hexdigest()


class HistoryImportError(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def regime_of(school_year: SchoolYear) -> Regime | None:
    """The regime the year is evaluated under: the year's own pointer, else the regimes' years."""
    if school_year.regime_id:
        return school_year.regime
    return regime_for_year(school_year.start_year)


def _text(value) -> str:
    text, _ = normalize.fix_legacy(normalize.clean_text(value))
    return text


def _formula_problems(fws, rows, keys: dict[str, int], labels: dict[str, str], sheet: str) -> list[Problem]:
    problems = []
    for row in rows:
        for key, c in keys.items():
            source = fws.cell(row=row.row, column=c).value
            if isinstance(source, str) and source.startswith("=") and row.values.get(key) is None:
                problems.append(Problem("ô chứa công thức nhưng chưa có giá trị đã tính; hãy mở tệp bằng Excel, "
                                        "lưu lại rồi tải lên.", sheet=sheet, row=row.row,
                                        column=labels.get(key, get_column_letter(c))))
    return problems


def _read(data: bytes, matcher) -> tuple[workbook.Table | None, workbook.Table | None, list[Problem]]:
    """The people's table and the collectives' table of the workbook (either may be absent, not
    both): (people, collectives, notes). Raises FileRejected."""
    workbook.check_container(data, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS)
    try:
        wb = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise FileRejected([Problem(f"Không đọc được tệp Excel ({exc.__class__.__name__}). Hãy mở và lưu lại bằng Excel.")]) from exc
    formulas = load_workbook(io.BytesIO(data), data_only=False) if workbook._has_formulas(data) else None
    notes: list[Problem] = []
    people = None
    for ws in wb.worksheets:
        header = workbook._find_header(ws, matcher, key_of=header_key)
        if header is None:
            continue
        first, last, keys, ticks, ignored, _kind = header
        for name in ignored:
            notes.append(Problem(f"Bỏ qua cột “{name}” (không dùng khi nhập lịch sử).", sheet=ws.title))
        required = ["full_name", "rating"] + ([] if "staff_id" in keys else ["date_of_birth"])
        missing = [k for k in required if k not in keys]
        if missing:
            raise FileRejected([Problem(f"thiếu cột bắt buộc “{LABELS[k]}” ở dòng tiêu đề.", sheet=ws.title, row=first,
                                        column=LABELS[k]) for k in missing])
        rows, stopped_at = workbook._rows(ws, last + 1, keys, ticks, sheet=ws.title, max_rows=settings.IMPORT_MAX_ROWS)
        if stopped_at and (later := workbook._numbered_row_after(ws, stopped_at, keys)):
            # Data below a blank row would be lost silently: make the officer decide.
            raise FileRejected([Problem(
                f"bảng bị ngắt ở dòng {stopped_at} (dòng trống hoặc dòng tổng cộng) nhưng bên dưới vẫn có "
                f"người được đánh số ở dòng {later}; hãy xóa dòng ngắt hoặc phần thừa rồi tải lên lại.",
                sheet=ws.title, row=stopped_at)])
        if formulas is not None and (problems := _formula_problems(formulas[ws.title], rows, keys, LABELS, ws.title)):
            raise FileRejected(problems)
        later_sheets = [w.title for w in wb.worksheets[wb.worksheets.index(ws) + 1:]
                        if workbook._find_header(w, matcher, key_of=header_key) is not None]
        notes += [Problem("Đã dùng bảng ở trang tính trước; bỏ qua bảng này.", sheet=t) for t in later_sheets]
        people = workbook.Table(sheet=ws.title, kind="individual", columns=keys, tick_columns=ticks, rows=rows,
                                epoch1904=wb.epoch == CALENDAR_MAC_1904)
        break
    collectives = _read_collectives(wb, formulas, matcher, notes, skip=people.sheet if people else None)
    if people is None and collectives is None:
        raise FileRejected([Problem(
            "Không tìm thấy bảng lịch sử thi đua: cần một dòng tiêu đề có các cột “Họ và tên”, “Ngày sinh” "
            "(hoặc “Mã CB”), “Xếp loại”, và nếu có “Danh hiệu đã đạt”, “Số quyết định”; hoặc, cho kết quả của tập thể, "
            f"trang tính “{COLLECTIVE_SHEET}” với các cột “Tên tập thể”, “Xếp loại”.")])
    return people, collectives, notes


def _read_collectives(wb, formulas, matcher, notes: list[Problem], *, skip: str | None) -> workbook.Table | None:
    """The collectives' table: the first sheet (other than the people's) with a "Tên tập thể" header."""
    found = None
    for ws in wb.worksheets:
        if ws.title == skip:
            continue
        header = workbook._find_header(ws, matcher, key_of=collective_header_key)
        if header is None or header[5] != "collective":
            continue
        if found is not None:
            notes.append(Problem("Đã dùng bảng tập thể ở trang tính trước; bỏ qua bảng này.", sheet=ws.title))
            continue
        first, last, keys, _ticks, ignored, _kind = header
        for name in ignored:
            notes.append(Problem(f"Bỏ qua cột “{name}” (không dùng khi nhập kết quả của tập thể).", sheet=ws.title))
        if "rating" not in keys:
            raise FileRejected([Problem(f"thiếu cột bắt buộc “{COLLECTIVE_LABELS['rating']}” ở dòng tiêu đề.",
                                        sheet=ws.title, row=first, column=COLLECTIVE_LABELS["rating"])])
        rows, _ = workbook._rows(ws, last + 1, keys, {}, sheet=ws.title, max_rows=settings.IMPORT_MAX_ROWS)
        if formulas is not None and (problems := _formula_problems(formulas[ws.title], rows, keys, COLLECTIVE_LABELS,
                                                                   ws.title)):
            raise FileRejected(problems)
        found = workbook.Table(sheet=ws.title, kind="collective", columns=keys, tick_columns={}, rows=rows,
                               epoch1904=wb.epoch == CALENDAR_MAC_1904)
    return found


def plan_history(data: bytes, *, unit: Unit, school_year: SchoolYear, user: User | None) -> HistoryPlan:
    """What importing the file would change for the unit's staff in that year; never writes.

    A fixed number of queries whatever the number of rows.
    """
    plan = HistoryPlan(unit=unit, school_year=school_year, sha256=hashlib.sha256(data).hexdigest())
    plan.regime = regime_of(school_year)
    if plan.regime is None:
        plan.errors.append(Problem(f"Chưa có danh mục danh hiệu của chế độ pháp lý áp dụng cho năm học {school_year.code} "
                                   "(chạy python manage.py load_catalogue)."))
        return plan
    titles = {t.code: t for t in Title.objects.filter(regime=plan.regime)}
    matcher = normalize.TitleMatcher([(t.code, t.name, t.short_name, t.kind) for t in titles.values()])
    try:
        table, collectives, plan.notes = _read(data, matcher)
    except FileRejected as exc:
        plan.errors = exc.problems
        return plan
    if table is not None:
        plan.columns = set(table.columns) | ({"title"} if table.tick_columns else set())
        staff = staff_worked_at(user, unit, school_year)
        _plan_rows(plan, table, matcher, titles, staff)
        if plan.ok:
            _diff(plan, titles, staff)
    if collectives is not None:
        _plan_collectives(plan, collectives)
        if plan.ok:
            _diff_collectives(plan)
    return plan


def _plan_collectives(plan: HistoryPlan, table) -> None:
    _, itself = unit_names(plan.unit, plan.school_year)
    itself = itself | UNIT_ITSELF
    teams = {}
    for c in collectives_in_year(plan.unit, plan.school_year):
        teams.setdefault(vntext.fold(c.name), c)
    year = plan.school_year.code
    seen: dict[int | None, int] = {}
    for source in table.rows:
        errors: list[Problem] = []

        def error(message: str, key: str, _row=source.row, _errors=errors) -> None:
            _errors.append(Problem(message, sheet=table.sheet, row=_row, column=COLLECTIVE_LABELS[key]))

        name = " ".join(_text(source.values.get("collective_name")).split())
        folded = vntext.fold(name)
        collective, known = None, False
        if not name:
            error("thiếu tên tập thể (tên đơn vị, hoặc tên một tổ của đơn vị).", "collective_name")
        elif folded in itself:
            known = True
        elif folded in teams:
            collective, known = teams[folded], True
        else:
            error(f"“{name}” không phải là đơn vị hay một tổ của đơn vị trong năm học {year}.", "collective_name")
        try:
            rating = parse_rating(_text(source.values.get("rating")))
        except ValueError as exc:
            error(str(exc), "rating")
            rating = ""
        key = collective.pk if collective else None
        if known and key in seen:
            error(f"tập thể này đã có ở dòng {seen[key]}.", "collective_name")
        elif known:
            seen[key] = source.row
        if errors:
            plan.errors.extend(errors)
        else:
            plan.collective_rows.append(CollectiveRow(table.sheet, source.row, collective.name if collective else name,
                                                      collective, rating))


def _diff_collectives(plan: HistoryPlan) -> None:
    """Compare each collective's row with its stored result (one query)."""
    stored = {r.collective_id: r for r in CollectiveRecord.objects.filter(unit=plan.unit, school_year=plan.school_year)}
    plan._collective_records = stored
    for row in plan.collective_rows:
        record = stored.get(row.collective.pk if row.collective else None)
        before = record.rating if record else ""
        if before == row.rating:
            kind = "same"
        elif not row.rating:
            kind = "remove"
        else:
            kind = "add" if record is None else "change"
        plan.collective_diffs.append(CollectiveDiff(
            row=row.row, sheet=row.sheet, name=row.name, collective_id=row.collective.pk if row.collective else None,
            kind=kind, before=RATING_LABELS.get(before, ""), after=RATING_LABELS.get(row.rating, ""),
            source=record.source_label if record else ""))


def _plan_rows(plan: HistoryPlan, table, matcher, titles: dict[str, Title], staff: list[Staff]) -> None:
    by_id = {s.pk: s for s in staff}
    by_name_dob: dict[tuple[str, object], list[Staff]] = {}
    for s in staff:
        by_name_dob.setdefault((vntext.fold(s.full_name), s.date_of_birth), []).append(s)
    seen: dict[int, int] = {}
    sheet = table.sheet
    year = plan.school_year.code
    for source in table.rows:
        errors: list[Problem] = []

        def error(message: str, key: str, _row=source.row, _errors=errors) -> None:
            _errors.append(Problem(message, sheet=sheet, row=_row, column=LABELS[key]))

        values = source.values
        name = vntext.name_case(_text(values.get("full_name")))
        dob = None
        if values.get("date_of_birth") not in (None, ""):
            try:
                dob = normalize.parse_date(values.get("date_of_birth"), epoch1904=table.epoch1904)
            except ValueError as exc:
                error(str(exc), "date_of_birth")
        person = None
        if not name:
            error("thiếu họ và tên.", "full_name")
        elif values.get("staff_id") not in (None, ""):
            try:
                wanted = normalize.parse_int(values.get("staff_id"))
            except ValueError as exc:
                error(str(exc), "staff_id")
            else:
                person = by_id.get(wanted)
                if person is None:
                    # One message whether the id exists elsewhere or not: ids of other units stay private.
                    error(f"không có cán bộ nào mang mã {wanted} làm việc tại đơn vị trong năm học {year}.", "staff_id")
                elif vntext.fold(person.full_name) != vntext.fold(name) or (dob and dob != person.date_of_birth):
                    error(f"mã {wanted} là của {person.full_name} (sinh {person.date_of_birth:%d/%m/%Y}), "
                          f"không khớp với “{name}” trong tệp.", "staff_id")
                    person = None
        elif dob is None:
            if not errors:
                error("thiếu ngày sinh (cần để nhận ra người).", "date_of_birth")
        else:
            matches = by_name_dob.get((vntext.fold(name), dob), [])
            if len(matches) > 1:
                error("có nhiều cán bộ cùng họ tên và ngày sinh; hãy dùng cột Mã CB.", "full_name")
            elif not matches:
                error(f"không có cán bộ “{name}”, sinh {dob:%d/%m/%Y}, làm việc tại đơn vị trong năm học {year} "
                      "(tệp lịch sử không thêm người mới: hãy thêm hoặc chuyển người này vào đơn vị trước).", "full_name")
            else:
                person = matches[0]
        if person is not None:
            if person.pk in seen:
                error(f"người này đã có ở dòng {seen[person.pk]}.", "full_name")
                person = None
            else:
                seen[person.pk] = source.row
        row = HistoryRow(sheet=sheet, row=source.row, staff=person)
        _parse_values(row, source, table, matcher, titles, plan.columns, error)
        if errors:
            plan.errors.extend(errors)
        elif person is not None:
            plan.rows.append(row)


def _parse_values(row: HistoryRow, source, table, matcher, titles, columns, error) -> None:
    values = source.values
    if "rating" in columns:
        try:
            row.rating = parse_rating(_text(values.get("rating")))
        except ValueError as exc:
            error(str(exc), "rating")
    if "months_worked" in columns:
        try:
            row.months_worked = parse_months(values.get("months_worked"), blank=None)
        except ValueError as exc:
            error(str(exc), "months_worked")
    if "maternity_months" in columns:
        try:
            row.maternity_months = parse_months(values.get("maternity_months"), blank=Decimal("0.0"))
        except ValueError as exc:
            error(str(exc), "maternity_months")
    if row.months_worked is not None and row.maternity_months and row.months_worked + row.maternity_months > 12:
        error(f"số tháng công tác ({row.months_worked:g}) cộng số tháng nghỉ thai sản ({row.maternity_months:g}) "
              "vượt 12; số tháng công tác không tính thời gian nghỉ thai sản.", "months_worked")
    if "discipline" in columns:
        try:
            row.discipline = parse_discipline(_text(values.get("discipline")))
        except ValueError as exc:
            error(str(exc), "discipline")
    if "title" in columns:
        row.titles = _parse_titles(source, table, matcher, titles, error)
    if "initiative" in columns:
        row.initiatives = _parse_initiatives(values, error)
    elif "initiative_level" in columns and _text(values.get("initiative_level")):
        error("có cấp sáng kiến nhưng tệp không có cột “Sáng kiến” (tên sáng kiến).", "initiative_level")


def _parse_titles(source, table, matcher, titles, error) -> list[tuple[str, str]] | None:
    if table.tick_columns:
        codes, ok = list(dict.fromkeys(source.ticks)), True
        for code in codes:
            if titles[code].kind != Title.Kind.INDIVIDUAL:
                error(f"“{titles[code].name}” là danh hiệu tập thể, không ghi cho cá nhân.", "title")
                ok = False
    else:
        codes, ok = [], True
        for part in _split(_text(source.values.get("title")), ";,+\n"):
            code = matcher.match(part)
            if code is None:
                hint = matcher.candidates(part)
                also = (" Có thể là: " + ", ".join(titles[c].label for c in hint) + ".") if hint else ""
                error(f"không nhận ra danh hiệu “{part}” trong danh mục năm học này (hoặc có thể hiểu nhiều cách).{also}",
                      "title")
                ok = False
                continue
            if titles[code].kind != Title.Kind.INDIVIDUAL:
                error(f"“{titles[code].name}” là danh hiệu tập thể, không ghi cho cá nhân.", "title")
                ok = False
                continue
            if code not in codes:
                codes.append(code)
    references = _split(_text(source.values.get("reference")), keep_dashes=True)
    try:
        paired = _paired(references, len(codes), "số quyết định", "danh hiệu")
    except ValueError as exc:
        error(str(exc), "reference")
        return None
    if not codes and any(references):
        error("có số quyết định nhưng chưa ghi danh hiệu đã đạt.", "reference")
        return None
    for ref in paired:
        if len(ref) > 100:
            error(f"số quyết định dài quá 100 ký tự (“{ref[:40]}…”).", "reference")
            return None
    return list(zip(codes, paired, strict=True)) if ok else None


def _parse_initiatives(values, error) -> list[tuple[str, str, str]]:
    names = _split(_text(values.get("initiative")))
    raw_levels = _split(_text(values.get("initiative_level")), ";,\n")
    refs = _split(_text(values.get("initiative_reference")), keep_dashes=True)
    if not names:
        if raw_levels:
            error("có cấp sáng kiến nhưng chưa ghi tên sáng kiến.", "initiative")
        return []
    if not raw_levels:
        error("thiếu cấp công nhận của sáng kiến (Cơ sở, Tỉnh/Bộ, Toàn quốc).", "initiative_level")
        return []
    try:
        levels = [parse_level(x) for x in _paired(raw_levels, len(names), "cấp", "sáng kiến")]
    except ValueError as exc:
        error(str(exc), "initiative_level")
        return []
    try:
        refs = _paired(refs, len(names), "số quyết định", "sáng kiến")
    except ValueError as exc:
        error(str(exc), "initiative_reference")
        return []
    out = []
    for name, level, ref in zip(names, levels, refs, strict=True):
        if len(name) > 500 or len(ref) > 100:
            error("tên sáng kiến dài quá 500 ký tự hoặc số quyết định dài quá 100 ký tự.", "initiative")
            return []
        out.append((name, level, ref))
    return out


# --- what would change -------------------------------------------------------------------------

def _months_label(value) -> str:
    return "" if value is None else f"{float(value):g}".replace(".", ",")


def _initiative_key(name: str) -> str:
    return " ".join(vntext.fold(name).split())


def _diff(plan: HistoryPlan, titles: dict[str, Title], staff: list[Staff]) -> None:
    """Compare each row with what is stored (3 queries for the whole file)."""
    year = plan.school_year
    ids = [r.staff.pk for r in plan.rows]
    plan._records = {r.staff_id: r for r in AnnualRecord.objects.filter(school_year=year, staff_id__in=id_list(ids))}
    for t in RecognisedTitle.objects.filter(school_year=year, staff_id__in=id_list(ids)).order_by("pk"):
        plan._titles.setdefault(t.staff_id, []).append(t)
    # Initiatives of the year by anyone of the unit: co-authors in another row (or not in the file) share one.
    existing: dict[str, dict] = {}
    links = Initiative.authors.through.objects.filter(
        initiative__school_year=year, staff_id__in=id_list(s.pk for s in staff),
    ).order_by("initiative_id").values_list("staff_id", "initiative_id", "initiative__name", "initiative__level", "initiative__reference")
    for staff_id, pk, name, level, ref in links:
        entry = existing.setdefault(_initiative_key(name), {"pk": pk, "name": name, "level": level, "reference": ref,
                                                             "authors": set(), "new_authors": []})
        entry["authors"].add(staff_id)
    label = {code: t.label for code, t in titles.items()}
    for row in plan.rows:
        record = plan._records.get(row.staff.pk)
        before = {
            "rating": record.rating if record else "",
            "months_worked": record.months_worked if record else None,
            "maternity_months": record.maternity_months if record else Decimal("0"),
            "discipline": record.discipline if record else "",
        }
        # A column the file does not have keeps the stored value.
        after = {k: (before[k] if getattr(row, k) is None and k not in plan.columns else getattr(row, k)) for k in before}
        if after["maternity_months"] is None:
            after["maternity_months"] = Decimal("0")
        row.rating, row.months_worked, row.maternity_months, row.discipline = (
            after["rating"], after["months_worked"], after["maternity_months"], after["discipline"])
        shown = {
            "Xếp loại": (RATING_LABELS.get(before["rating"], ""), RATING_LABELS.get(after["rating"], "")),
            "Số tháng công tác": (_months_label(before["months_worked"]), _months_label(after["months_worked"])),
            "Nghỉ thai sản": (_months_label(before["maternity_months"]), _months_label(after["maternity_months"])),
            "Kỷ luật": (DISCIPLINE_LABELS.get(before["discipline"], ""), DISCIPLINE_LABELS.get(after["discipline"], "")),
        }
        changed = [k for k, (b, a) in shown.items() if b != a]
        if record is None and not any(a for _, a in shown.values() if a != "0"):
            changed = []  # nothing to record for the year (a row with titles only): no empty record
        # A record the file changes becomes an imported one; an identical one keeps its source.
        row.write_record = bool(changed)
        stored = plan._titles.get(row.staff.pk, [])
        added, changed_titles, removed, kept = [], [], [], []
        if row.titles is not None:
            wanted = dict(row.titles)
            by_code = {t.title_code: t for t in stored}
            for code, ref in row.titles:
                current = by_code.get(code)
                if current is None:
                    added.append(label[code] + (f" ({ref})" if ref else ""))
                elif current.source == SOURCE and current.reference != ref:
                    changed_titles.append(f"{label[code]}: số quyết định {current.reference or '—'} → {ref or '—'}")
                else:
                    kept.append(label.get(code, code))
            removed = [label.get(t.title_code, t.title_code) for t in stored
                       if t.source == SOURCE and t.title_code not in wanted]
            # Another source's title the file leaves out stays: say so rather than hide it.
            kept += [f"{label.get(t.title_code, t.title_code)} (nguồn khác, giữ nguyên)" for t in stored
                     if t.source != SOURCE and t.title_code not in wanted]
        else:
            kept = [label.get(t.title_code, t.title_code) for t in stored]
        new_initiatives, changed_initiatives = [], []
        for name, level, ref in row.initiatives:
            key = _initiative_key(name)
            entry = existing.get(key)
            differs = entry is not None and (entry["level"] != level or (ref and entry["reference"] != ref))
            if entry is None:
                entry = existing[key] = {"pk": None, "name": name, "level": level, "reference": ref,
                                         "authors": set(), "new_authors": [], "set_by": row.row}
            elif differs and entry.get("set_by"):
                # Two rows give one initiative two levels (or decisions): the officer must decide.
                plan.errors.append(Problem(f"sáng kiến “{name}” đã được ghi với cấp hoặc số quyết định khác ở dòng "
                                           f"{entry['set_by']}.", sheet=row.sheet, row=row.row,
                                           column=LABELS["initiative_level"]))
                continue
            elif differs:
                changed_initiatives.append(f"{entry['name']}: {LEVEL_LABELS[entry['level']]} → {LEVEL_LABELS[level]}"
                                           if entry["level"] != level else f"{entry['name']}: số quyết định → {ref}")
                entry["level"], entry["reference"], entry["changed"] = level, ref or entry["reference"], True
            entry["set_by"] = entry.get("set_by") or row.row
            if row.staff.pk not in entry["authors"]:
                entry["authors"].add(row.staff.pk)
                entry["new_authors"].append(row.staff.pk)
                new_initiatives.append(f"{name} ({LEVEL_LABELS[level]})")
        if record is None and changed:
            kind = "add"
        elif changed or added or changed_titles or removed or new_initiatives or changed_initiatives:
            kind = "change"
        else:
            kind = "same"
        plan.diffs.append(PersonDiff(
            row=row.row, sheet=row.sheet, staff_id=row.staff.pk, name=row.staff.full_name, kind=kind,
            fields={k: list(v) for k, v in shown.items()}, changed=changed, titles_added=added,
            titles_changed=changed_titles, titles_removed=removed, titles_kept=kept, initiatives_added=new_initiatives,
            initiatives_changed=changed_initiatives,
        ))
    plan._initiatives = existing


# --- applying ----------------------------------------------------------------------------------

@transaction.atomic
def apply_history(*, plan: HistoryPlan, user: User | None) -> int:
    """Write the plan, all or nothing; returns how many people and collectives changed (0 for the
    same file twice).

    Bulk statements: a few queries whatever the number of rows.
    """
    if not plan.ok:
        raise HistoryImportError(plan.errors)
    year = plan.school_year
    changing = {d.staff_id for d in plan.diffs if d.kind != "same"}
    create, update = [], []
    for row in plan.rows:
        if not row.write_record:
            continue
        record = plan._records.get(row.staff.pk)
        values = dict(rating=row.rating or "", months_worked=row.months_worked,
                      maternity_months=row.maternity_months or Decimal("0"), discipline=row.discipline or "",
                      source=SOURCE)
        if record is None:
            create.append(AnnualRecord(staff=row.staff, school_year=year, **values))
        elif any(getattr(record, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(record, k, v)
            update.append(record)
    AnnualRecord.objects.bulk_create(create, batch_size=1000)
    if update:
        now = timezone.now()
        for record in update:
            record.updated_at = now  # bulk_update does not run auto_now
        AnnualRecord.objects.bulk_update(update, ["rating", "months_worked", "maternity_months", "discipline",
                                                  "source", "updated_at"], batch_size=1000)
    # Titles: the file's replace the person's imported ones for the year; other sources stay.
    delete, add, refs = [], [], []
    for row in plan.rows:
        if row.titles is None or row.staff.pk not in changing:
            continue
        stored = {t.title_code: t for t in plan._titles.get(row.staff.pk, [])}
        wanted = dict(row.titles)
        delete += [t.pk for t in stored.values() if t.source == SOURCE and t.title_code not in wanted]
        for code, ref in row.titles:
            current = stored.get(code)
            if current is None:
                add.append(RecognisedTitle(staff=row.staff, school_year=year, title_code=code, reference=ref,
                                           source=SOURCE))
            elif current.source == SOURCE and current.reference != ref:
                current.reference = ref
                refs.append(current)
    if delete:
        RecognisedTitle.objects.filter(pk__in=delete).delete()
    RecognisedTitle.objects.bulk_create(add, batch_size=1000)
    RecognisedTitle.objects.bulk_update(refs, ["reference"], batch_size=1000)
    # Initiatives: new ones, changed levels, new authors.
    entries = [e for e in plan._initiatives.values() if e["new_authors"] or e.get("changed")]
    new = [e for e in entries if e["pk"] is None]
    created = Initiative.objects.bulk_create(
        [Initiative(name=e["name"], school_year=year, level=e["level"], reference=e["reference"]) for e in new])
    for e, obj in zip(new, created, strict=True):
        e["pk"] = obj.pk
    changed = [Initiative(pk=e["pk"], name=e["name"], school_year=year, level=e["level"], reference=e["reference"])
               for e in entries if e.get("changed")]
    Initiative.objects.bulk_update(changed, ["level", "reference"])
    through = Initiative.authors.through
    through.objects.bulk_create([through(initiative_id=e["pk"], staff_id=s) for e in entries for s in e["new_authors"]],
                                batch_size=1000)
    return len(changing) + _apply_collectives(plan, user)


def _apply_collectives(plan: HistoryPlan, user: User | None) -> int:
    """The collectives' results, with their history rows (simple_history)."""
    rows = {(r.collective.pk if r.collective else None): r for r in plan.collective_rows}
    create, update, remove = [], [], []
    for d in plan.collective_diffs:
        record, row = plan._collective_records.get(d.collective_id), rows[d.collective_id]
        if d.kind == "add":
            create.append(CollectiveRecord(unit=plan.unit, collective=row.collective, school_year=plan.school_year,
                                           rating=row.rating, source=SOURCE))
        elif d.kind == "change":
            record.rating, record.source, record.updated_at = row.rating, SOURCE, timezone.now()
            update.append(record)
        elif d.kind == "remove":
            remove.append(record.pk)
    if create:
        bulk_create_with_history(create, CollectiveRecord, default_user=user)
    if update:
        bulk_update_with_history(update, CollectiveRecord, ["rating", "source", "updated_at"], default_user=user)
    if remove:
        CollectiveRecord.objects.filter(pk__in=remove).delete()  # one history row each (post_delete)
    return len(create) + len(update) + len(remove)


def diffs_for_display(plan: HistoryPlan) -> dict:
    """What the preview page shows, kept on the batch so that paging does not re-read the file."""
    return {
        "errors": [str(e) for e in plan.errors],
        "notes": [str(n) for n in plan.notes],
        "counts": plan.counts(),
        "diffs": [d.as_dict() for d in plan.diffs],
        "collective_counts": plan.collective_counts(),
        "collective_diffs": [d.as_dict() for d in plan.collective_diffs],
        "fingerprint": plan.fingerprint() if plan.ok else "",
    }


# --- the upload between its preview and the decision (registrations.models.ImportBatch) --------

class HistoryPreviewStale(Exception):
    """What confirming would do is no longer what the preview showed (someone changed the data)."""

    def __init__(self, plan: HistoryPlan):
        super().__init__("Dữ liệu đã thay đổi kể từ lúc xem trước.")
        self.plan = plan


def is_history_batch(batch: ImportBatch) -> bool:
    return (batch.summary or {}).get("kind") == KIND


def history_batch_create(*, unit: Unit, school_year: SchoolYear, user: User, file_name: str, content: bytes) -> ImportBatch:
    return ImportBatch.objects.create(
        unit=unit, school_year=school_year, user=user, file_name=file_name[:255], content=content,
        sha256=hashlib.sha256(content).hexdigest(), summary={"kind": KIND},
    )


def history_batch_preview(*, batch: ImportBatch, user: User | None) -> dict:
    """The preview of a batch, computed once and kept on it (paging does not re-read the file)."""
    data = batch.summary.get("preview")
    if data is None:
        plan = plan_history(bytes(batch.content), unit=batch.unit, school_year=batch.school_year, user=user)
        data = diffs_for_display(plan)
        batch.summary = {**batch.summary, "preview": data}
        if data["errors"] and batch.status == ImportBatch.Status.PREVIEW:
            batch.status = ImportBatch.Status.REJECTED
        batch.save(update_fields=["summary", "status"])
    return data


@transaction.atomic
def history_batch_confirm(*, batch_pk: int, user: User | None) -> int:
    """Apply a previewed batch, all or nothing; returns how many people and collectives changed.

    The file is planned again against the data as it is now: if that is not what the preview
    showed, nothing is written (HistoryPreviewStale carries the new plan). A second click finds
    the batch already decided.
    """
    batch = ImportBatch.objects.select_for_update().select_related("unit", "school_year").get(pk=batch_pk)
    if batch.status != ImportBatch.Status.PREVIEW:
        raise HistoryImportError([Problem(f"Tệp này đã được xử lý ({batch.get_status_display().lower()}); "
                                          "không nhập lại.")])
    plan = plan_history(bytes(batch.content), unit=batch.unit, school_year=batch.school_year, user=user)
    if not plan.ok:
        raise HistoryImportError(plan.errors)
    if plan.fingerprint() != (batch.summary.get("preview") or {}).get("fingerprint"):
        raise HistoryPreviewStale(plan)
    n = apply_history(plan=plan, user=user)
    batch.status, batch.decided_at = ImportBatch.Status.APPLIED, timezone.now()
    batch.summary = {**batch.summary, "applied_changes": n}
    batch.save(update_fields=["status", "decided_at", "summary"])
    return n


def history_batch_refresh(*, batch: ImportBatch, plan: HistoryPlan) -> dict:
    """Replace a stale preview with the plan as it stands now."""
    data = diffs_for_display(plan)
    batch.summary = {**batch.summary, "preview": data}
    batch.save(update_fields=["summary"])
    return data


@transaction.atomic
def history_batch_cancel(*, batch_pk: int) -> bool:
    batch = ImportBatch.objects.select_for_update().get(pk=batch_pk)
    if batch.status != ImportBatch.Status.PREVIEW:
        return False
    batch.status, batch.decided_at = ImportBatch.Status.CANCELLED, timezone.now()
    batch.save(update_fields=["status", "decided_at"])
    return True
