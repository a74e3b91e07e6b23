"""Deterministic synthetic data at a chosen scale, for benchmarks (not the demo).

`--scale 1` is one province: one Sở, 15 Phòng with 39 schools each, 49 schools and centres
under the Sở (650 units), about 25,000 staff, teams, ten school years of dossiers and
registrations, ratings, recognised titles and initiatives, and one account per unit.
`--scale N` adds N-1 more copies of that province's Phòng and schools under the same Sở, so the
Sở's summary covers N times the rows (a country-sized tree at N=80). Copy k always comes out
the same (its own Random), so a database can be grown from scale 1 to 4 to 16 and equals one
generated at 16 directly. Everything is synthetic: names come from units.demo's name lists.

Rows are written with explicit ids through bench.copyin (COPY on PostgreSQL), with no
django-simple-history rows, like seed_demo.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from awards.models import AnnualRecord, Initiative, RecognisedTitle, Title
from bench.copyin import TableWriter, next_id, reset_sequences
from registrations.models import Registration, RegistrationDossier, SchoolYear
from registrations.selectors import school_year_start_for_date
from units import vntext
from units.demo import generate_name, team_names
from units.models import Collective, Employment, Role, Staff, Unit, UnitVersion, User

SEED = 20261203
YEARS = 10
PASSWORD = "bench12345"
ROOT_CODE = "BENCH-SGD"
PHONG_PER_COPY = 15
# Schools under each Phòng, by level, and their usual staff size.
PHONG_SCHOOLS = [("MN", 12, 30), ("TH", 16, 38), ("THCS", 10, 42), ("TH&THCS", 1, 45)]
DIRECT_SCHOOLS = [("THPT", 40, 75), ("GDTX", 9, 25)]
PHONG_STAFF, SGD_STAFF = 12, 80
DISTRICTS = ["An Bình", "Bến Lức", "Cần Đước", "Cần Giuộc", "Châu Thành", "Đức Hòa", "Đức Huệ", "Mộc Hóa",
             "Tân Hưng", "Tân Thạnh", "Tân Trụ", "Thạnh Hóa", "Thủ Thừa", "Vĩnh Hưng", "Kiến Tường"]
LEVEL_LABEL = {"MN": "Trường Mầm non", "TH": "Trường Tiểu học", "THCS": "Trường THCS",
               "TH&THCS": "Trường TH&THCS", "THPT": "Trường THPT", "GDTX": "Trung tâm GDNN-GDTX"}
RATINGS = [("HTXSNV", 0.25), ("HTTNV", 0.60), ("HTNV", 0.12), ("KHTNV", 0.03)]


@dataclass
class Generated:
    scale: float
    copies: list[int] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def school_years(current: int) -> list[SchoolYear]:
    """The ten school years ending with the current one (created if missing, like seed_demo)."""
    out = []
    for year in range(current - YEARS + 1, current + 1):
        obj, _ = SchoolYear.objects.get_or_create(code=f"{year}-{year + 1}", defaults={
            "start_date": datetime.date(year, 8, 1), "end_date": datetime.date(year + 1, 7, 31),
            "registration_deadline": datetime.date(year, 10, 15),
            "status": SchoolYear.Status.REGISTRATION_OPEN if year == current else SchoolYear.Status.CLOSED,
        })
        out.append(obj)
    return out


def copy_plan(scale: float, size: float = 1.0) -> list[tuple[int, int, int]]:
    """(copy, Phòng count, direct-school count) for each copy of `size` provinces (the last one
    takes what is left). The quick benchmark uses copies of a tenth of a province so that a small
    database can still grow 1, 2, 4 copies for its scale curve."""
    direct = sum(n for _, n, _ in DIRECT_SCHOOLS)
    plan, k, left = [], 0, scale
    while left > 1e-9:
        part = min(size, left)
        plan.append((k, max(1, round(PHONG_PER_COPY * part)), max(1, round(direct * part))))
        left -= part
        k += 1
    return plan


def generated_copies() -> set[int]:
    """Copies already in the database (their Phòng codes are B{k}-P01…)."""
    return {int(code[1:4]) for code in Unit.objects.filter(code__regex=r"^B[0-9]{3}-P01$").values_list("code", flat=True)}


class _Ids:
    def __init__(self, *models_):
        self.next = {m: next_id(m) for m in models_}

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def _root() -> Unit:
    root = Unit.objects.filter(code=ROOT_CODE).first()
    if root:
        return root
    root = Unit(code=ROOT_CODE, name="Sở Giáo dục và Đào tạo (dữ liệu đo hiệu năng)", short_name="Sở GD&ĐT",
                kind=Unit.Kind.DEPARTMENT, level=Unit.Level.SGD, path="/")
    root.refresh_search_name()
    root.save()
    root.path = f"/{root.pk}/"
    root.save(update_fields=["path"])
    UnitVersion.objects.create(unit=root, from_year=0, name=root.name, short_name=root.short_name)
    return root


def generate(scale: float, *, size: float = 1.0, today: datetime.date | None = None, log=print) -> Generated:
    """Add the copies that `scale` needs and the database does not have yet (idempotent)."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    result = Generated(scale)
    with transaction.atomic():
        years = school_years(school_year_start_for_date(today))
        titles = {(t.regime_id, t.code): t.pk for t in Title.objects.all()}
        if not titles:
            raise RuntimeError("The title catalogue is empty: run `manage.py load_catalogue` first.")
        from awards.selectors import regime_id_of
        year_titles = {}
        for y in years:
            regime_id = regime_id_of(y)  # the year's own regime (filled when the year was created)
            year_titles[y.pk] = {code: pk for (rid, code), pk in titles.items() if regime_id and rid == regime_id}
        root = _root()
        have = generated_copies()
        password = make_password(PASSWORD)
        writers = _writers()
        ids = _Ids(Unit, UnitVersion, Collective, Staff, Employment, RegistrationDossier, Registration,
                   AnnualRecord, RecognisedTitle, Initiative, Initiative.authors.through, User)
        for copy, n_phong, n_direct in copy_plan(scale, size):
            if copy in have:
                continue
            _generate_copy(copy, n_phong, n_direct, root, years, year_titles, writers, ids, password)
            result.copies.append(copy)
            log(f"  bản sao {copy}: xong ({time.perf_counter() - started:.0f} s)")
        for name, w in writers.items():
            w.flush()
            result.rows[name] = w.written
        reset_sequences([Unit, UnitVersion, Collective, Staff, Employment, RegistrationDossier, Registration,
                         AnnualRecord, RecognisedTitle, Initiative, Initiative.authors.through, User])
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # As autovacuum would after a bulk load: statistics for the planner, and the visibility
        # map that lets covering indexes answer without reading the table.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    result.seconds = time.perf_counter() - started
    return result


def _writers() -> dict[str, TableWriter]:
    # Parents before children: flush order is insertion order of this dict.
    return {
        "unit": TableWriter(Unit, ["id", "code", "name", "short_name", "kind", "level", "district", "parent_id",
                                   "path", "depth", "search_name", "sort_key", "source"]),
        "unitversion": TableWriter(UnitVersion, ["id", "unit_id", "from_year", "name", "short_name", "parent_id",
                                                 "is_active"]),
        "user": TableWriter(User, ["id", "username", "password", "full_name", "unit_id", "role", "is_active",
                                   "is_staff", "is_superuser", "first_name", "last_name", "email",
                                   "must_change_password", "date_joined"]),
        "collective": TableWriter(Collective, ["id", "unit_id", "name", "is_active"]),
        "staff": TableWriter(Staff, ["id", "unit_id", "full_name", "family_name", "middle_name", "given_name",
                                     "date_of_birth", "gender", "position", "team_id", "is_active", "search_name",
                                     "sort_key"]),
        "employment": TableWriter(Employment, ["id", "staff_id", "unit_id", "position", "team_name", "start_date",
                                               "end_date"]),
        "dossier": TableWriter(RegistrationDossier, ["id", "unit_id", "school_year_id", "status", "version",
                                                     "created_at", "submitted_at", "forwarded_at", "accepted_at",
                                                     "returned_at", "is_late"]),
        "registration": TableWriter(Registration, ["id", "dossier_id", "school_year_id", "subject", "staff_id",
                                                   "collective_id", "title_id", "created_at"]),
        "annualrecord": TableWriter(AnnualRecord, ["id", "staff_id", "school_year_id", "rating", "months_worked",
                                                   "maternity_months", "discipline", "source"]),
        "recognised": TableWriter(RecognisedTitle, ["id", "staff_id", "unit_id", "collective_id", "school_year_id",
                                                    "title_code", "source"]),
        "initiative": TableWriter(Initiative, ["id", "name", "school_year_id", "level", "reference"]),
        "initiative_author": TableWriter(Initiative.authors.through, ["id", "initiative_id", "staff_id"]),
    }


@dataclass
class _UnitSpec:
    id: int
    code: str
    level: str
    staff: int


def _generate_copy(copy, n_phong, n_direct, root, years, year_titles, w, ids, password) -> None:
    rng = random.Random(f"{SEED}-{copy}")
    suffix = f" {copy + 1}" if copy else ""
    units: list[_UnitSpec] = []

    def add_unit(code, name, short, kind, level, district, parent_id, parent_path, size) -> tuple[int, str]:
        uid = ids.take(Unit)
        u = Unit(code=code, name=name, short_name=short, kind=kind, level=level, district=district)
        u.refresh_search_name()
        path = f"{parent_path}{uid}/"
        w["unit"].add(uid, code, name, short, kind, level, district, parent_id, path, path.count("/") - 2,
                      u.search_name, u.sort_key, "bench")
        w["unitversion"].add(ids.take(UnitVersion), uid, 0, name, short, parent_id, True)
        units.append(_UnitSpec(uid, code, level, size))
        return uid, path

    for p in range(n_phong):
        district = f"Huyện {DISTRICTS[p]}{suffix}"
        pcode = f"B{copy:03d}-P{p + 1:02d}"
        pid, ppath = add_unit(pcode, f"Phòng Giáo dục và Đào tạo {district}", f"Phòng GD&ĐT {DISTRICTS[p]}{suffix}",
                              Unit.Kind.DISTRICT_OFFICE, "PGD", district, root.pk, root.path, PHONG_STAFF)
        for level, count, size in PHONG_SCHOOLS:
            for s in range(count):
                name = f"{LEVEL_LABEL[level]} {DISTRICTS[p]} {s + 1}{suffix}"
                add_unit(f"{pcode}-{level.replace('&', '')}{s + 1:02d}", name, name.replace("Trường ", ""),
                         Unit.Kind.SCHOOL, level, district, pid, ppath, size)
    made = 0
    for level, count, size in DIRECT_SCHOOLS:
        for s in range(count):
            if made >= n_direct:
                break
            made += 1
            district = f"Huyện {DISTRICTS[s % len(DISTRICTS)]}{suffix}"
            name = f"{LEVEL_LABEL[level]} Số {s + 1}{suffix}"
            add_unit(f"B{copy:03d}-D{level}{s + 1:02d}", name, name.replace("Trường ", ""),
                     Unit.Kind.CENTER if level == "GDTX" else Unit.Kind.SCHOOL, level, district,
                     root.pk, root.path, size)
    if copy == 0:
        units.append(_UnitSpec(root.pk, root.code, "SGD", SGD_STAFF))

    first, current = years[0], years[-1]
    for spec in units:
        _generate_unit(rng, spec, years, year_titles, w, ids, password, first, current)


def _generate_unit(rng, spec, years, year_titles, w, ids, password, first, current) -> None:
    level_teams = team_names(spec.level if spec.level != "SGD" else Unit.Level.SGD)
    teams = []
    for name in level_teams[:6]:
        cid = ids.take(Collective)
        w["collective"].add(cid, spec.id, name, True)
        teams.append((cid, name))
    role = {"PGD": Role.DISTRICT_REVIEWER, "SGD": Role.DEPARTMENT_REVIEWER}.get(spec.level, Role.SCHOOL_OFFICER)
    joined = datetime.datetime(first.start_year, 8, 1, 1, tzinfo=datetime.UTC)
    w["user"].add(ids.take(User), f"bench_{spec.code.lower()}", password, f"Cán bộ {spec.code}", spec.id, role,
                  True, False, False, "", "", "", False, joined)
    # People: most were there before the first year, some joined later (their history is shorter).
    people = []
    size = max(3, round(spec.staff * rng.uniform(0.85, 1.15)))
    for i in range(size):
        gender = "F" if rng.random() < 0.7 else "M"
        name = generate_name(rng, gender)
        family, middle, given = vntext.split_name(name)
        sid = ids.take(Staff)
        team_id, team_name = teams[i % len(teams)] if teams else (None, "")
        start = first.start_year - rng.randint(0, 20) if rng.random() < 0.85 else rng.randint(
            first.start_year + 1, current.start_year)
        dob = datetime.date(start - rng.randint(22, 35), rng.randint(1, 12), rng.randint(1, 28))
        w["staff"].add(sid, spec.id, name, family, middle, given, dob, gender, "Giáo viên", team_id, True,
                       vntext.search_index(name), vntext.name_sort_key(family, middle, given))
        w["employment"].add(ids.take(Employment), sid, spec.id, "Giáo viên", team_name,
                            datetime.date(start, 8, 15), None)
        people.append((sid, start))
    # A few units never submit the current year (the completeness board's point).
    for y in years:
        is_current = y is years[-1]
        codes = year_titles[y.pk]
        status = _status(rng, is_current)
        if status is None:
            continue
        did = ids.take(RegistrationDossier)
        created = datetime.datetime(y.start_year, 9, 5 + rng.randint(0, 20), 1, tzinfo=datetime.UTC)
        step = datetime.timedelta(days=rng.randint(3, 20))
        submitted = created + step if status != "draft" else None
        forwarded = submitted + step if status in ("forwarded", "accepted") else None
        accepted = forwarded + step if status == "accepted" else None
        returned = submitted + step if status == "returned" else None
        w["dossier"].add(did, spec.id, y.pk, status, 3, created, submitted, forwarded, accepted, returned,
                         bool(submitted and submitted.date() > y.registration_deadline))
        recognised = status == "accepted" and not is_current
        for sid, start in people:
            if start > y.start_year:
                continue
            rating = _choice(rng, RATINGS) if not is_current else None
            if rating:
                w["annualrecord"].add(ids.take(AnnualRecord), sid, y.pk, rating, Decimal(12), Decimal(0), "",
                                      "bench")
            aim = _aim(rng, spec.level)
            if aim is None:
                continue
            w["registration"].add(ids.take(Registration), did, y.pk, "staff", sid, None, codes[aim], created)
            if recognised and rating in ("HTXSNV", "HTTNV"):
                w["recognised"].add(ids.take(RecognisedTitle), sid, None, None, y.pk, "LDTT", "bench")
                if aim in ("CSTDCS", "CSTD_TINH") and rating == "HTXSNV" and rng.random() < 0.8:
                    w["recognised"].add(ids.take(RecognisedTitle), sid, None, None, y.pk, "CSTDCS", "bench")
                    iid = ids.take(Initiative)
                    level = "tinh_bo" if aim == "CSTD_TINH" else "co_so"
                    w["initiative"].add(iid, f"Sáng kiến {iid}", y.pk, level, "")
                    w["initiative_author"].add(ids.take(Initiative.authors.through), iid, sid)
        for cid, _ in teams:
            r = rng.random()
            code = "TTLDXS" if r < 0.15 else "TTLDTT" if r < 0.8 else None
            if code:
                w["registration"].add(ids.take(Registration), did, y.pk, "collective", None, cid, codes[code], created)
                if recognised:
                    w["recognised"].add(ids.take(RecognisedTitle), None, None, cid, y.pk, code, "bench")
        if rng.random() < 0.7:
            w["registration"].add(ids.take(Registration), did, y.pk, "unit", None, None,
                                  codes["TTLDXS" if rng.random() < 0.5 else "TTLDTT"], created)


def _choice(rng, weighted):
    r, acc = rng.random(), 0.0
    for value, weight in weighted:
        acc += weight
        if r < acc:
            return value
    return weighted[-1][0]


def _aim(rng, level) -> str | None:
    r = rng.random()
    if r < 0.10:
        return None
    if level in ("THPT", "SGD") and r > 0.993:
        return "CSTD_TINH"
    return "CSTDCS" if r > 0.86 else "LDTT"


def _status(rng, current: bool) -> str | None:
    if not current:
        return "accepted" if rng.random() < 0.97 else "forwarded"
    return _choice(rng, [(None, 0.10), ("draft", 0.25), ("submitted", 0.20), ("returned", 0.05),
                         ("forwarded", 0.20), ("accepted", 0.20)])
