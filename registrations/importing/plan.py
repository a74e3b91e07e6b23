"""From an uploaded workbook to a plan (what would change, or why nothing can), and applying it.

plan_import never writes. apply_import writes everything in one transaction through the same
service as the entry page (dossier_save), or nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from django.db import transaction

from awards.models import Title
from awards.selectors import registrable_titles
from registrations.importing import normalize
from registrations.importing.workbook import FileRejected, Problem, SourceRow, read_tables
from registrations.models import Registration, RegistrationDossier, SchoolYear
from registrations.services import Entry, dossier_save
from units import services as unit_services
from units import vntext
from units.models import Collective, Staff, Unit, User
from units.selectors import staff_list, staff_of_unit_in_year


@dataclass
class PersonRow:
    row: int
    sheet: str
    full_name: str
    date_of_birth: object
    position: str
    team: str
    title_code: str  # "" = not registered
    note: str
    staff: Staff | None = None
    gender: str = ""  # for a new person: guessed from the middle name, or chosen on the preview

    @property
    def label(self) -> str:
        return f"Dòng {self.row} ({self.full_name})"


@dataclass
class CollectiveRow:
    row: int
    sheet: str
    name: str
    subject: str  # "unit" | "collective"
    collective: Collective | None
    title_code: str
    note: str


@dataclass
class Change:
    kind: str  # add | change | remove
    subject: str
    before: str
    after: str
    row: int | None
    sheet: str = ""


@dataclass
class ImportPlan:
    unit: Unit
    school_year: SchoolYear
    base_version: int
    sha256: str
    people: list[PersonRow] = field(default_factory=list)
    collectives: list[CollectiveRow] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    keeps_notes: bool = False  # the file has no "Ghi chú" column: stored notes stay as they are

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def new_people(self) -> list[PersonRow]:
        return [p for p in self.people if p.staff is None]

    def counts(self) -> dict[str, int]:
        out = {"add": 0, "change": 0, "remove": 0}
        for change in self.changes:
            if change.kind in out:
                out[change.kind] += 1
        return out


def title_matcher(school_year: SchoolYear):
    titles = list(registrable_titles(school_year))
    matcher = normalize.TitleMatcher([(t.code, t.name, t.short_name, t.kind) for t in titles])
    return matcher, {t.code: t for t in titles}


@lru_cache(maxsize=65536, typed=True)
def _text(value) -> str:
    # Pure and called for every cell; files repeat positions, teams and titles thousands of times.
    text, _ = normalize.fix_legacy(normalize.clean_text(value))
    return text


def guess_gender(full_name: str) -> str:
    """Vietnamese middle names usually tell: Thị → female, Văn → male; otherwise unknown ('')."""
    _, middle, _ = vntext.split_name(full_name)
    words = vntext.fold(middle).split()
    if "thi" in words:
        return Staff.Gender.FEMALE
    if "van" in words:
        return Staff.Gender.MALE
    return ""


def plan_import(data: bytes, *, unit: Unit, school_year: SchoolYear, user: User | None) -> ImportPlan:
    dossier = RegistrationDossier.objects.filter(unit=unit, school_year=school_year).first()
    plan = ImportPlan(unit=unit, school_year=school_year, base_version=dossier.version if dossier else 0,
                      sha256=hashlib.sha256(data).hexdigest())
    matcher, titles = title_matcher(school_year)
    try:
        read = read_tables(data, matcher, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS)
    except FileRejected as exc:
        plan.errors = exc.problems
        return plan
    plan.notes = read.notes
    if school_year.status == SchoolYear.Status.CLOSED:
        plan.errors.append(Problem(f"Năm học {school_year.code} đã kết thúc: không thể nhập đăng ký."))
        return plan
    if dossier is not None and not dossier.is_editable:
        plan.errors.append(Problem(f"Hồ sơ đang ở trạng thái “{dossier.get_status_display()}”: không thể nhập thêm."))
        return plan

    staff_in_year = list(
        staff_list(user, unit=unit, subtree=False, school_year=school_year) if user
        else staff_of_unit_in_year(unit, school_year)
    )
    by_id = {s.pk: s for s in staff_in_year}
    by_name_dob: dict[tuple[str, object], list[Staff]] = {}
    for s in staff_in_year:
        by_name_dob.setdefault((vntext.fold(s.full_name), s.date_of_birth), []).append(s)

    if read.individual:
        plan.keeps_notes = "note" not in read.individual.columns
        _plan_people(plan, read.individual, matcher, titles, by_id, by_name_dob)
        _check_new_people(plan, by_id)
    if read.collective:
        _plan_collectives(plan, read.collective, matcher, titles)
    if plan.ok:
        _diff(plan, dossier)
    return plan


def _check_new_people(plan: ImportPlan, by_id: dict) -> None:
    """People the file adds: checked now, in the preview, not only when confirming (2 queries)."""
    new = [p for p in plan.people if p.staff is None]
    if not new:
        return
    # Someone of another unit with the same name and birth date is not a new person.
    keys = {(vntext.search_index(p.full_name), p.date_of_birth) for p in new}
    elsewhere = set(
        Staff.objects.filter(search_name__in={k[0] for k in keys}, date_of_birth__in={k[1] for k in keys})
        .exclude(pk__in=list(by_id)).values_list("search_name", "date_of_birth")
    )
    start = plan.school_year.start_date
    for p in new:
        if (vntext.search_index(p.full_name), p.date_of_birth) in elsewhere:
            plan.errors.append(Problem("người này đang thuộc đơn vị khác trong năm học.",
                                       sheet=p.sheet, row=p.row, column="Họ và tên"))
            continue
        error = vntext.person_name_error(p.full_name)
        if error:
            plan.errors.append(Problem(error, sheet=p.sheet, row=p.row, column="Họ và tên"))
        age = (start - p.date_of_birth).days / 365.25
        if not 16 <= age <= 70:
            plan.errors.append(Problem(
                f"ngày sinh {p.date_of_birth:%d/%m/%Y} không hợp lý cho cán bộ mới (tuổi {int(age)} khi vào năm học).",
                sheet=p.sheet, row=p.row, column="Ngày sinh"))
    teams = {vntext.fold(c.name): c for c in Collective.objects.filter(unit=plan.unit, is_active=True)}
    for p in new:
        if p.team and vntext.fold(p.team) not in teams:
            plan.notes.append(Problem(f"tổ “{p.team}” không có trong đơn vị; người mới được thêm chưa có tổ.",
                                      sheet=p.sheet, row=p.row, column="Tổ chuyên môn"))
            p.team = ""
        elif p.team:
            p.team = teams[vntext.fold(p.team)].name


def _title_of(row: SourceRow, table, matcher, titles, plan, *, kind: str, label: str) -> str | None:
    sheet = table.sheet
    if table.tick_columns:
        if len(row.ticks) != 1:
            plan.errors.append(Problem(
                "cần đánh dấu đúng một ô danh hiệu" + (f" (đang có {len(row.ticks)})" if row.ticks else " (chưa đánh dấu ô nào)") + ".",
                sheet=sheet, row=row.row, column="Danh hiệu đăng ký"))
            return None
        code = row.ticks[0]
    else:
        raw = _text(row.values.get("title"))
        if not raw:
            return ""
        code = matcher.match(raw)
        if code is None:
            plan.errors.append(Problem(f"không nhận ra danh hiệu “{raw}” (hoặc có thể hiểu nhiều cách).",
                                       sheet=sheet, row=row.row, column="Danh hiệu đăng ký"))
            return None
    title = titles[code]
    wanted = Title.Kind.INDIVIDUAL if kind == "individual" else Title.Kind.COLLECTIVE
    if title.kind != wanted:
        what = "tập thể" if title.kind == Title.Kind.COLLECTIVE else "cá nhân"
        whom = "cá nhân" if kind == "individual" else "tập thể"
        plan.errors.append(Problem(f"“{title.name}” là danh hiệu {what}, không đăng ký cho {whom} ({label}).",
                                   sheet=sheet, row=row.row, column="Danh hiệu đăng ký"))
        return None
    return code


def _plan_people(plan, table, matcher, titles, by_id, by_name_dob) -> None:
    seen: dict[object, int] = {}
    for row in table.rows:
        sheet = table.sheet
        name = vntext.name_case(_text(row.values.get("full_name")))
        if not name:
            plan.errors.append(Problem("thiếu họ và tên.", sheet=sheet, row=row.row, column="Họ và tên"))
            continue
        dob = None
        if row.values.get("date_of_birth") not in (None, ""):
            try:
                dob = normalize.parse_date(row.values.get("date_of_birth"), epoch1904=table.epoch1904)
            except ValueError as exc:
                plan.errors.append(Problem(str(exc), sheet=sheet, row=row.row, column="Ngày sinh"))
                continue
        code = _title_of(row, table, matcher, titles, plan, kind="individual", label=name)
        if code is None:
            continue
        person = PersonRow(
            row=row.row, sheet=sheet, full_name=name, date_of_birth=dob,
            position=_text(row.values.get("position")), team=_text(row.values.get("team")),
            title_code=code, note=_text(row.values.get("note"))[:500],
        )
        staff_id = row.values.get("staff_id")
        if staff_id not in (None, ""):
            try:
                wanted_id = normalize.parse_int(staff_id)
            except ValueError as exc:
                plan.errors.append(Problem(str(exc), sheet=sheet, row=row.row, column="Mã CB"))
                continue
            person.staff = by_id.get(wanted_id)
            if person.staff is None:
                # One message whether the id exists elsewhere or not: ids of other units stay private.
                plan.errors.append(Problem(f"không có cán bộ nào của đơn vị trong năm học mang mã {wanted_id}.",
                                           sheet=sheet, row=row.row, column="Mã CB"))
                continue
            if vntext.fold(person.staff.full_name) != vntext.fold(name) or (dob and dob != person.staff.date_of_birth):
                plan.errors.append(Problem(
                    f"mã {wanted_id} là của {person.staff.full_name} "
                    f"(sinh {person.staff.date_of_birth:%d/%m/%Y}), không khớp với “{name}” trong tệp.",
                    sheet=sheet, row=row.row, column="Mã CB"))
                continue
            person.full_name = person.staff.full_name
        else:
            if dob is None:
                plan.errors.append(Problem("thiếu ngày sinh (cần để nhận ra người).", sheet=sheet, row=row.row, column="Ngày sinh"))
                continue
            matches = by_name_dob.get((vntext.fold(name), dob), [])
            if len(matches) > 1:
                plan.errors.append(Problem("có nhiều cán bộ cùng họ tên và ngày sinh; hãy dùng cột Mã CB.",
                                           sheet=sheet, row=row.row, column="Họ và tên"))
                continue
            if matches:
                person.staff = matches[0]
                person.full_name = person.staff.full_name
            else:
                person.gender = guess_gender(name)
        key = person.staff.pk if person.staff else (vntext.fold(name), dob)
        if key in seen:
            plan.errors.append(Problem(f"người này đã có ở dòng {seen[key]}.", sheet=sheet, row=row.row, column="Họ và tên"))
            continue
        seen[key] = row.row
        plan.people.append(person)


def _plan_collectives(plan, table, matcher, titles) -> None:
    teams = {vntext.fold(c.name): c for c in Collective.objects.filter(unit=plan.unit, is_active=True)}
    unit_names = {vntext.fold(plan.unit.name), vntext.fold(plan.unit.short_name), "don vi", "truong"}
    seen: dict[str, int] = {}
    for row in table.rows:
        name = _text(row.values.get("collective_name"))
        if not name:
            plan.errors.append(Problem("thiếu tên tập thể.", sheet=table.sheet, row=row.row, column="Tập thể"))
            continue
        folded = vntext.fold(name)
        if folded in unit_names:
            subject, collective = Registration.Subject.UNIT, None
        elif folded in teams:
            subject, collective = Registration.Subject.COLLECTIVE, teams[folded]
        else:
            plan.errors.append(Problem(f"“{name}” không phải là đơn vị hay một tổ của đơn vị.",
                                       sheet=table.sheet, row=row.row, column="Tập thể"))
            continue
        code = _title_of(row, table, matcher, titles, plan, kind="collective", label=name)
        if code is None:
            continue
        key = f"{subject}:{collective.pk if collective else ''}"
        if key in seen:
            plan.errors.append(Problem(f"tập thể này đã có ở dòng {seen[key]}.", sheet=table.sheet, row=row.row, column="Tập thể"))
            continue
        seen[key] = row.row
        plan.collectives.append(CollectiveRow(row.row, table.sheet, name, subject, collective, code,
                                              _text(row.values.get("note"))[:500]))


def _diff(plan: ImportPlan, dossier: RegistrationDossier | None) -> None:
    current = {}
    if dossier is not None:
        for r in dossier.registrations.select_related("title", "staff", "collective"):
            current[(r.subject, r.staff_id or r.collective_id)] = r
    label = {r.code: r.label for r in registrable_titles(plan.school_year)}
    in_file = set()
    for p in plan.people:
        key = (Registration.Subject.STAFF, p.staff.pk if p.staff else None)
        existing = current.get(key) if p.staff else None
        in_file.add(key)
        if plan.keeps_notes and existing is not None:
            p.note = existing.note
        if existing is None and p.title_code:
            plan.changes.append(Change("add", p.full_name + (" (cán bộ mới)" if p.staff is None else ""), "",
                                       label[p.title_code], p.row, p.sheet))
        elif existing is not None and not p.title_code:
            plan.changes.append(Change("remove", p.full_name, existing.title.label, "", p.row, p.sheet))
        elif existing is not None and (existing.title.code != p.title_code or existing.note != p.note):
            plan.changes.append(Change("change", p.full_name, existing.title.label, label[p.title_code], p.row, p.sheet))
    for c in plan.collectives:
        key = (c.subject, c.collective.pk if c.collective else None)
        existing = current.get(key)
        in_file.add(key)
        if existing is None and c.title_code:
            plan.changes.append(Change("add", c.name, "", label[c.title_code], c.row, c.sheet))
        elif existing is not None and not c.title_code:
            plan.changes.append(Change("remove", c.name, existing.title.label, "", c.row, c.sheet))
        elif existing is not None and (existing.title.code != c.title_code or existing.note != c.note):
            plan.changes.append(Change("change", c.name, existing.title.label, label[c.title_code], c.row, c.sheet))
    # Registrations of the dossier that the file no longer lists (only for the tables it has).
    for key, r in current.items():
        individual = r.subject == Registration.Subject.STAFF
        covered = plan.people if individual else plan.collectives
        if key not in in_file and covered:
            plan.changes.append(Change("remove", r.subject_name, r.title.label, "", None))


class ImportError_(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@transaction.atomic
def apply_import(plan: ImportPlan, *, user: User | None, genders: dict[int, str] | None = None,
                 create_new_staff: bool = False) -> int:
    """Create the confirmed new staff and save the registrations, all or nothing.

    Returns the number of changes. `genders` maps a row number to the gender chosen on the preview.
    """
    if not plan.ok:
        raise ImportError_(plan.errors)
    new = plan.new_people
    if new and not create_new_staff:
        raise ImportError_([Problem(f"{len(new)} người chưa có trong danh sách cán bộ của đơn vị; hãy xác nhận thêm mới.")])
    # Files rarely carry a gender: guessed from the middle name, chosen on the preview, or left
    # blank ("chưa rõ") for the officer to complete on the staff page.
    wanted = [
        unit_services.NewStaff(full_name=p.full_name, date_of_birth=p.date_of_birth,
                               gender=g if (g := (genders or {}).get(p.row) or p.gender) in Staff.Gender.values else "",
                               position=p.position, team=p.team or None)
        for p in new
    ]
    saved, refused = unit_services.staff_create_many(unit=plan.unit, people=wanted,
                                                     start_date=plan.school_year.start_date, user=user)
    if refused:
        transaction.set_rollback(True)
        raise ImportError_([Problem(message, sheet=new[i].sheet, row=new[i].row, column="Họ và tên")
                            for i, message in sorted(refused.items())])
    for p, staff in zip(new, saved, strict=True):
        p.staff = staff
    entries = [Entry(Registration.Subject.STAFF, p.staff.pk, p.title_code, p.note, p.label) for p in plan.people]
    entries += [Entry(c.subject, c.collective.pk if c.collective else None, c.title_code, c.note, f"Dòng {c.row} ({c.name})")
                for c in plan.collectives]
    removed = [c for c in plan.changes if c.kind == "remove" and c.row is None]
    if removed:
        dossier = RegistrationDossier.objects.get(unit=plan.unit, school_year=plan.school_year)
        listed = {(e.subject, e.subject_id) for e in entries}
        for r in dossier.registrations.all():
            key = (r.subject, r.staff_id or r.collective_id)
            if key not in listed:
                entries.append(Entry(r.subject, r.staff_id or r.collective_id, "", "", f"({r.subject_name})"))
    result = dossier_save(unit=plan.unit, school_year=plan.school_year, user=user, base_version=plan.base_version,
                          entries=entries, system=user is None)
    return len(result.changes)
