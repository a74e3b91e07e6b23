"""Synthetic demo data: the Long An unit tree, school years, staff, teams and demo accounts.

Every person is made up: names are drawn from lists of common Vietnamese family, middle and
given names, so no real person is described. One `random.Random(SEED)` walks the units in
code order, so a fresh database gets the same people on every run and every machine.

The generator half (`generate_unit_staff` and friends) is pure: it takes a Random and returns
plain specs. `seed_demo` writes them with bulk_create (no django-simple-history rows for the
seeded staff) inside one transaction; a second run finds everything in place and adds nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from registrations.models import SchoolYear
from registrations.selectors import school_year_start_for_date
from units.loading import LoadResult, load_units_file
from units.models import Collective, Employment, Role, Staff, Unit, User

SEED = 20210412
DATA_DIR = Path(__file__).resolve().parent / "data"
UNITS_CSV = DATA_DIR / "long_an_units.csv"
REPORT_JSON = DATA_DIR / "report2021.json"
DEMO_PASSWORD = "demo12345"
UNITS_FROM_YEAR = 2020
FIRST_SCHOOL_YEAR, LAST_PAST_SCHOOL_YEAR = 2016, 2020
BATCH_SIZE = 2000

# --- names ------------------------------------------------------------------------------------
# Weights roughly follow the frequency of family names in the South (Huỳnh and Võ are more
# common there than Hoàng and Vũ).
FAMILY_NAMES: dict[str, float] = {
    "Nguyễn": 31, "Trần": 11, "Lê": 9, "Phạm": 6, "Huỳnh": 6, "Võ": 5, "Phan": 4, "Trương": 3,
    "Bùi": 2, "Đặng": 2, "Hồ": 2, "Đỗ": 1.5, "Ngô": 1.5, "Dương": 1.5, "Hoàng": 1.5, "Lý": 1,
    "Đinh": 1, "Lâm": 1, "Đoàn": 0.8, "Châu": 0.8, "Mai": 0.8, "Vũ": 0.8, "Tô": 0.6, "Lưu": 0.6,
    "Cao": 0.6, "Lương": 0.6, "Tạ": 0.5, "Trịnh": 0.5, "Thái": 0.5, "Hà": 0.5, "Kiều": 0.3,
    "Quách": 0.3, "La": 0.3, "Diệp": 0.3, "Từ": 0.3, "Phùng": 0.3,
}
MIDDLE_NAMES_F: dict[str, float] = {
    "Thị": 40, "Ngọc": 10, "Thanh": 8, "Kim": 6, "Thu": 5, "Mỹ": 5, "Hồng": 4, "Thúy": 3,
    "Phương": 3, "Bích": 3, "Minh": 2, "Hoàng": 2, "Diễm": 2, "Tuyết": 2, "Cẩm": 2, "Quỳnh": 2,
    "Xuân": 2, "Hoài": 1, "Bảo": 1,
}
MIDDLE_NAMES_F_DOUBLE = [
    "Thị Ngọc", "Thị Thanh", "Thị Kim", "Thị Mỹ", "Thị Thu", "Thị Hồng", "Thị Bích", "Thị Phương",
    "Thị Thúy", "Thị Cẩm", "Thị Tuyết", "Thị Diễm", "Ngọc Bảo", "Thanh Ngọc", "Hoàng Bảo", "Ngọc Phương",
]
MIDDLE_NAMES_M: dict[str, float] = {
    "Văn": 35, "Minh": 8, "Thanh": 7, "Quốc": 6, "Hữu": 6, "Hoàng": 5, "Đức": 4, "Công": 4, "Tấn": 4,
    "Trọng": 3, "Thành": 3, "Ngọc": 3, "Duy": 3, "Chí": 3, "Phước": 2, "Trung": 2, "Anh": 2,
    "Nhật": 2, "Tuấn": 1, "Xuân": 1,
}
MIDDLE_NAMES_M_DOUBLE = [
    "Văn Minh", "Hoàng Minh", "Minh Hoàng", "Văn Thanh", "Ngọc Minh", "Hữu Minh", "Thanh Hoài",
    "Quốc Minh", "Hoàng Anh", "Đức Minh",
]
GIVEN_NAMES_F = [
    "An", "Anh", "Ánh", "Bích", "Châu", "Chi", "Diễm", "Diệu", "Dung", "Duyên", "Giang", "Hà", "Hạnh",
    "Hằng", "Hân", "Hiền", "Hoa", "Hồng", "Huệ", "Hương", "Huyền", "Khánh", "Kiều", "Lan", "Liên",
    "Linh", "Loan", "Lụa", "Mai", "My", "Nga", "Ngân", "Nguyệt", "Nhàn", "Nhi", "Nhung", "Oanh",
    "Phượng", "Phương", "Quyên", "Sương", "Tâm", "Thắm", "Thảo", "Thơ", "Thu", "Thủy", "Thúy",
    "Tiên", "Trâm", "Trang", "Trinh", "Tuyền", "Tuyết", "Út", "Uyên", "Vân", "Vy", "Xuân", "Yến",
]
GIVEN_NAMES_M = [
    "An", "Anh", "Bảo", "Bình", "Cường", "Danh", "Dũng", "Duy", "Đạt", "Định", "Đông", "Đức", "Giang",
    "Hải", "Hậu", "Hiếu", "Hòa", "Hoàng", "Hùng", "Huy", "Khải", "Khang", "Khánh", "Khoa", "Kiệt",
    "Lâm", "Lộc", "Long", "Luân", "Lực", "Minh", "Nam", "Nghĩa", "Nhân", "Phong", "Phúc", "Phước",
    "Quân", "Quang", "Sang", "Sơn", "Tài", "Tâm", "Thái", "Thắng", "Thành", "Thiện", "Thịnh",
    "Toàn", "Trí", "Trung", "Tuấn", "Út", "Việt", "Vinh", "Vũ",
]

# Given names default to weight 1; these are more or less frequent than that.
GIVEN_NAME_WEIGHTS_F = {
    "Linh": 2.5, "Trang": 2.5, "Hương": 2.5, "Thảo": 2.5, "Phương": 2, "Hằng": 2, "Hà": 2, "Nhung": 2,
    "Huyền": 2, "Mai": 2, "Lan": 2, "Ánh": 1.5, "Yến": 1.5, "Vân": 1.5, "Út": 0.3, "Lụa": 0.3, "Sương": 0.4,
    "An": 0.5, "Anh": 1, "Giang": 0.5, "Khánh": 0.4, "Tâm": 0.6, "Châu": 0.5,
}
GIVEN_NAME_WEIGHTS_M = {
    "Hùng": 2.5, "Dũng": 2.5, "Tuấn": 2.5, "Minh": 2.5, "Hải": 2, "Nam": 2, "Long": 2, "Phúc": 2,
    "Thành": 2, "Trung": 1.5, "Quang": 1.5, "Sơn": 1.5, "Út": 0.3, "An": 0.7, "Giang": 0.4, "Khánh": 0.8,
    "Tâm": 0.8, "Lực": 0.5,
}

_FAMILY = list(FAMILY_NAMES)
_FAMILY_CUM = []
_MIDDLE_F, _MIDDLE_M = list(MIDDLE_NAMES_F), list(MIDDLE_NAMES_M)
_MIDDLE_F_CUM, _MIDDLE_M_CUM = [], []
_GIVEN_F_CUM, _GIVEN_M_CUM = [], []
for _names, _weights, _cum in (
    (_FAMILY, FAMILY_NAMES, _FAMILY_CUM),
    (_MIDDLE_F, MIDDLE_NAMES_F, _MIDDLE_F_CUM),
    (_MIDDLE_M, MIDDLE_NAMES_M, _MIDDLE_M_CUM),
    (GIVEN_NAMES_F, GIVEN_NAME_WEIGHTS_F, _GIVEN_F_CUM),
    (GIVEN_NAMES_M, GIVEN_NAME_WEIGHTS_M, _GIVEN_M_CUM),
):
    _total = 0.0
    for _name in _names:
        _total += _weights.get(_name, 1)
        _cum.append(_total)


def generate_name(rng: random.Random, gender: str) -> str:
    """A synthetic full name, family name first."""
    family = rng.choices(_FAMILY, cum_weights=_FAMILY_CUM)[0]
    female = gender == Staff.Gender.FEMALE
    while True:
        if rng.random() < (0.25 if female else 0.1):
            middle = rng.choice(MIDDLE_NAMES_F_DOUBLE if female else MIDDLE_NAMES_M_DOUBLE)
        elif female:
            middle = rng.choices(_MIDDLE_F, cum_weights=_MIDDLE_F_CUM)[0]
        else:
            middle = rng.choices(_MIDDLE_M, cum_weights=_MIDDLE_M_CUM)[0]
        if female:
            given = rng.choices(GIVEN_NAMES_F, cum_weights=_GIVEN_F_CUM)[0]
        else:
            given = rng.choices(GIVEN_NAMES_M, cum_weights=_GIVEN_M_CUM)[0]
        # "Nguyễn Thị Ngọc Ngọc" or "Lâm Thanh Lâm" would look like a typo.
        if given not in middle.split() and given != family:
            return f"{family} {middle} {given}"


# --- unit shapes ------------------------------------------------------------------------------
SIZE_RANGES: dict[str, tuple[int, int]] = {
    Unit.Level.SGD: (40, 60),
    Unit.Level.PGD: (8, 15),
    Unit.Level.THPT: (60, 180),
    Unit.Level.THCS_THPT: (40, 80),
    Unit.Level.TH_THCS_THPT: (40, 80),
    Unit.Level.THCS: (30, 70),
    Unit.Level.TH_THCS: (30, 60),
    Unit.Level.TH: (25, 50),
    Unit.Level.MN: (15, 40),
    Unit.Level.MG: (15, 40),
    Unit.Level.GDTX: (15, 40),
}
FEMALE_SHARE: dict[str, float] = {
    Unit.Level.MN: 0.95, Unit.Level.MG: 0.95, Unit.Level.TH: 0.8,
    Unit.Level.SGD: 0.5, Unit.Level.PGD: 0.55,
}
DEFAULT_FEMALE_SHARE = 0.65

OFFICE = "Tổ Văn phòng"
_THPT_TEAMS = [
    ("Tổ Toán", 5), ("Tổ Ngữ văn", 4), ("Tổ Ngoại ngữ", 4), ("Tổ Vật lý - Công nghệ", 3),
    ("Tổ Hóa - Sinh", 3), ("Tổ Sử - Địa - GDCD", 3), ("Tổ Tin học", 1.5), ("Tổ Thể dục - QP", 1.5),
]
_THCS_TEAMS = [
    ("Tổ Toán - Tin", 4), ("Tổ Ngữ văn", 3), ("Tổ Ngoại ngữ", 2), ("Tổ Khoa học tự nhiên", 3),
    ("Tổ Khoa học xã hội", 2.5), ("Tổ Nghệ thuật - Thể dục", 1.5),
]
# Teaching teams by level, with weights for how many teachers each has; the office team is
# added for every school and center.
TEAMS: dict[str, list[tuple[str, float]]] = {
    Unit.Level.THPT: _THPT_TEAMS,
    Unit.Level.THCS_THPT: _THPT_TEAMS,
    Unit.Level.TH_THCS_THPT: [("Tổ Tiểu học", 4)] + _THCS_TEAMS,
    Unit.Level.THCS: _THCS_TEAMS,
    Unit.Level.TH_THCS: [
        ("Tổ Khối 1 - 2", 3), ("Tổ Khối 3", 2), ("Tổ Khối 4 - 5", 3), ("Tổ Toán - Khoa học tự nhiên", 2.5),
        ("Tổ Ngữ văn - Khoa học xã hội", 2.5),
    ],
    Unit.Level.TH: [(f"Tổ Khối {grade}", 1) for grade in range(1, 6)],
    Unit.Level.MN: [("Tổ Nhà trẻ", 1.5), ("Tổ Mẫu giáo lớn", 2), ("Tổ Mẫu giáo nhỡ - bé", 2.5)],
    Unit.Level.MG: [("Tổ Mẫu giáo lớn", 2), ("Tổ Mẫu giáo nhỡ", 1.5), ("Tổ Mẫu giáo bé", 1.5)],
    Unit.Level.GDTX: [("Tổ Văn hóa", 3), ("Tổ Hướng nghiệp - Dạy nghề", 2)],
    Unit.Level.PGD: [],
}
# The Sở's own offices: (name, head's position, weight).
SGD_OFFICES = [
    ("Văn phòng Sở", "Chánh Văn phòng", 2),
    ("Phòng Tổ chức cán bộ", "Trưởng phòng", 1),
    ("Phòng Kế hoạch - Tài chính", "Trưởng phòng", 1),
    ("Phòng Giáo dục Mầm non - Tiểu học", "Trưởng phòng", 1.2),
    ("Phòng Giáo dục Trung học", "Trưởng phòng", 1.2),
    ("Phòng Giáo dục thường xuyên - Chuyên nghiệp", "Trưởng phòng", 1),
    ("Phòng Khảo thí và Kiểm định chất lượng", "Trưởng phòng", 1),
    ("Thanh tra Sở", "Chánh Thanh tra", 1),
]
# Office team members after its leader, in order; the last one repeats (librarian, equipment,
# guard, and the cooks of a preschool are all "Nhân viên").
OFFICE_POSITIONS = ["Kế toán", "Văn thư", "Y tế", "Nhân viên"]
# Positions that stay the same at the unit a transferred person came from.
PLAIN_POSITIONS = {"Giáo viên", "Chuyên viên", "Kế toán", "Văn thư", "Y tế", "Nhân viên"}
HEAD_POSITION = {
    Unit.Level.SGD: "Giám đốc", Unit.Level.PGD: "Trưởng phòng", Unit.Level.GDTX: "Giám đốc",
}
DEPUTY_POSITION = {
    Unit.Level.SGD: "Phó Giám đốc", Unit.Level.PGD: "Phó Trưởng phòng", Unit.Level.GDTX: "Phó Giám đốc",
}


def team_names(level: str) -> list[str]:
    """The teams (tổ) a unit of this level gets; empty for a Phòng GD&ĐT."""
    if level == Unit.Level.SGD:
        return [name for name, _, _ in SGD_OFFICES]
    teams = [name for name, _ in TEAMS.get(level, [])]
    if level != Unit.Level.PGD:
        teams.append(OFFICE)
    return teams


@dataclass
class PersonSpec:
    full_name: str
    gender: str
    date_of_birth: datetime.date
    position: str
    team_name: str
    start_date: datetime.date
    # Set for the ~1% who came from another unit: when they started there (the current
    # employment's start_date is the day they arrived here).
    previous_start: datetime.date | None = None


def _random_day(rng: random.Random, year: int) -> datetime.date:
    return datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))


def _start_day(rng: random.Random, year: int) -> datetime.date:
    # Most appointments take effect at the start of a school year.
    return datetime.date(year, rng.choice((8, 8, 9, 9, 9, 10, 1, 3)), rng.choice((1, 1, 1, 15)))


def _person(rng: random.Random, *, female_share: float, position: str, team: str,
            names: set[str], leader: bool = False, gender: str | None = None) -> PersonSpec:
    if gender is None:
        gender = Staff.Gender.FEMALE if rng.random() < female_share else Staff.Gender.MALE
    for _ in range(20):
        name = generate_name(rng, gender)
        if name not in names:
            break
    names.add(name)
    kind = rng.random()
    if leader or kind < 0.93:
        # Staff who joined between 1995 and 2016.
        birth_year = rng.randint(1966, 1980) if leader else rng.randint(1965, 1993)
        start_year = rng.randint(max(1995, birth_year + 22), 2016)
    elif kind < 0.98:
        # ~5% joined in 2018-2020: the lists of 2016-2017 and 2020-2021 differ.
        birth_year = rng.randint(1990, 1997)
        start_year = rng.randint(2018, 2020)
    else:
        # A few young teachers who joined after 2022 (born up to 2001).
        birth_year = rng.randint(1998, 2001)
        start_year = rng.randint(max(2023, birth_year + 22), 2025)
    start = _start_day(rng, start_year)
    previous_start = None
    if start_year <= 2016 and rng.random() < 0.01:
        # ~1% came from another unit (chosen by plan_staff) and arrived here in 2017-2022.
        previous_start = start
        start = datetime.date(rng.randint(max(start_year + 2, 2017), 2022), rng.choice((8, 9)), 1)
    return PersonSpec(
        full_name=name, gender=gender, date_of_birth=_random_day(rng, birth_year),
        position=position, team_name=team, start_date=start, previous_start=previous_start,
    )


def _split(rng: random.Random, total: int, weights: list[float], minimum: int) -> list[int]:
    """`total` people over the teams: `minimum` each, the rest drawn by weight."""
    counts = [minimum] * len(weights)
    extra = total - minimum * len(weights)
    if extra > 0:
        for index in rng.choices(range(len(weights)), weights=weights, k=extra):
            counts[index] += 1
    return counts


def staff_size(rng: random.Random, level: str, minimum: int = 0) -> int:
    low, high = SIZE_RANGES[level]
    return max(rng.randint(low, high), min(minimum, high))


def generate_unit_staff(rng: random.Random, level: str, *, minimum: int = 0) -> list[PersonSpec]:
    """The staff of one unit of `level`: leaders first, then team by team.

    `minimum` raises the size (the report's LĐTT count for the 13 THPT schools), never above
    the level's upper bound.
    """
    size = staff_size(rng, level, minimum)
    share = FEMALE_SHARE.get(level, DEFAULT_FEMALE_SHARE)
    leader_share = share if share >= 0.9 else max(0.35, share - 0.15)
    names: set[str] = set()
    people: list[PersonSpec] = []

    def add(position: str, team: str = "", leader: bool = False, gender: str | None = None) -> None:
        people.append(_person(rng, female_share=leader_share if leader else share, position=position,
                              team=team, names=names, leader=leader, gender=gender))

    if level == Unit.Level.SGD:
        add("Giám đốc", leader=True)
        for _ in range(rng.randint(2, 3)):
            add("Phó Giám đốc", leader=True)
        remaining = size - len(people)
        counts = _split(rng, remaining, [w for _, _, w in SGD_OFFICES], 3)
        for (office, head, _), count in zip(SGD_OFFICES, counts, strict=True):
            add(head, office, leader=True)
            add("Phó " + head, office, leader=True)
            for _ in range(count - 2):
                add("Chuyên viên", office)
        return people

    head = HEAD_POSITION.get(level, "Hiệu trưởng")
    deputy = DEPUTY_POSITION.get(level, "Phó Hiệu trưởng")
    add(head, leader=True)
    for _ in range(2 if size >= 40 or (level == Unit.Level.PGD and size >= 11) else 1):
        add(deputy, leader=True)
    if level == Unit.Level.PGD:
        while len(people) < size:
            add("Chuyên viên")
        return people

    # The office team: a leader, then Kế toán, Văn thư, Y tế and other employees.
    preschool = level in (Unit.Level.MN, Unit.Level.MG)
    office_size = 3 + (size >= 30) + (size >= 60) + (size >= 100) + (size >= 140) + (2 if preschool else 0)
    office_size += rng.randint(0, 1)
    teams = TEAMS.get(level, [])
    teaching = size - len(people) - office_size
    counts = _split(rng, teaching, [w for _, w in teams], 2)
    for (team, _), count in zip(teams, counts, strict=True):
        add("Tổ trưởng", team, leader=True)
        if count >= 10:
            add("Tổ phó", team)
            count -= 1
        for _ in range(count - 1):
            add("Giáo viên", team)
    add("Tổ trưởng", OFFICE)
    for index in range(office_size - 1):
        add(OFFICE_POSITIONS[min(index, len(OFFICE_POSITIONS) - 1)], OFFICE)
    # The report counts people registered in 2020-2021: that many must have worked here then.
    end_of_report_year = datetime.date(2021, 7, 31)
    while minimum and sum(p.start_date <= end_of_report_year for p in people) < minimum:
        add("Giáo viên", teams[0][0] if teams else OFFICE)
        people[-1] = dataclasses.replace(people[-1], start_date=datetime.date(2010, 9, 1), previous_start=None)
    return people


# --- school years -----------------------------------------------------------------------------

def school_year_specs(today: datetime.date) -> list[dict]:
    """2016-2017 up to the current school year: past years closed, the current one open.

    The years between 2020-2021 and today are created too, so that the year switcher has no gap.
    """
    current = school_year_start_for_date(today)
    years = sorted(set(range(FIRST_SCHOOL_YEAR, max(LAST_PAST_SCHOOL_YEAR, current) + 1)))
    return [
        {
            "code": f"{year}-{year + 1}",
            "start_date": datetime.date(year, 8, 1),
            "end_date": datetime.date(year + 1, 7, 31),
            "registration_deadline": datetime.date(year, 10, 15),
            "status": SchoolYear.Status.REGISTRATION_OPEN if year == current else SchoolYear.Status.CLOSED,
        }
        for year in years
    ]


# --- accounts ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    unit_code: str
    # Whose name the account carries: the first staff member of the unit with one of these.
    positions: tuple[str, ...]


DEMO_ACCOUNTS = [
    DemoAccount("so.quantri", Role.DEPARTMENT_ADMIN, "SGD", ("Chuyên viên",)),
    DemoAccount("so.chuyenvien", Role.DEPARTMENT_REVIEWER, "SGD", ("Chuyên viên",)),
    DemoAccount("so.lanhdao", Role.VIEWER, "SGD", ("Phó Giám đốc", "Giám đốc")),
    DemoAccount("pgd.tanan", Role.DISTRICT_REVIEWER, "PGD-TANAN", ("Chuyên viên",)),
    DemoAccount("thcs.phuong5", Role.SCHOOL_OFFICER, "THCS-TANAN-PHUONG5", ("Phó Hiệu trưởng",)),
    DemoAccount("thcs.phuong5.ht", Role.SCHOOL_HEAD, "THCS-TANAN-PHUONG5", ("Hiệu trưởng",)),
    DemoAccount("thpt.tanan", Role.SCHOOL_OFFICER, "THPT-TANAN-TANAN", ("Phó Hiệu trưởng",)),
    DemoAccount("thpt.tanan.ht", Role.SCHOOL_HEAD, "THPT-TANAN-TANAN", ("Hiệu trưởng",)),
]
OFFICER_POSITIONS = ("Phó Hiệu trưởng", "Phó Giám đốc", "Phó Trưởng phòng")


def officer_username(code: str) -> str:
    return "cb." + code.lower()


def load_report(path: Path = REPORT_JSON) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def ldtt_minimums(report: dict) -> dict[str, int]:
    """LĐTT count (first of each triple) of the report's THPT schools: their staff minimum."""
    units = report["individual_registrations_in_dossiers"]["units"]
    return {code: counts[0] for code, counts in units.items()}


def units_without_account(report: dict) -> set[str]:
    value = report.get("new_unit_without_account", [])
    return {value} if isinstance(value, str) else set(value)


UnitPlan = tuple[Unit, list[tuple[PersonSpec, Unit | None]]]

# One teacher moved between two of the report's THPT schools in the middle of a run of CSTĐCS
# years (2017-2018 at the first, from 2018-2019 at the second) and registers for CSTĐ cấp tỉnh
# in 2020-2021 at the second: the rules must count the run across the transfer.
DEMO_TRANSFER = ("THPT-TANAN-TANAN", "THPT-TANAN-LEQUYDON", datetime.date(2018, 9, 1))


def _with_demo_transfer(plans: list[UnitPlan]) -> list[UnitPlan]:
    """Make the first long-serving teacher of the second school that transfer (no Random drawn)."""
    origin_code, target_code, day = DEMO_TRANSFER
    by_code = {unit.code: (unit, people) for unit, people in plans}
    if origin_code not in by_code or target_code not in by_code:
        return plans
    origin, people = by_code[origin_code][0], by_code[target_code][1]
    for index, (person, _) in enumerate(people):
        if person.position == "Giáo viên" and person.previous_start is None and person.start_date.year <= 2014:
            people[index] = (dataclasses.replace(person, previous_start=person.start_date, start_date=day), origin)
            break
    return plans


def demo_transfer_staff_id() -> int | None:
    """The seeded person of DEMO_TRANSFER (registrations and history are shaped around them)."""
    origin_code, target_code, day = DEMO_TRANSFER
    return (Employment.objects.filter(unit__code=target_code, start_date=day,
                                      staff__employments__unit__code=origin_code)
            .order_by("staff_id").values_list("staff_id", flat=True).first())


# --- writing ----------------------------------------------------------------------------------

@dataclass
class SeedResult:
    units: LoadResult | None = None
    school_years_created: int = 0
    staff_created: int = 0
    staff_skipped: bool = False
    units_seeded: int = 0
    teams_created: int = 0
    transfers: int = 0
    accounts_created: int = 0
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)  # username, role, unit, name
    dossiers: list = field(default_factory=list)  # (school year code, DemoDossierResult)
    history: object = None  # awards.demo.HistoryResult
    collective_results: int = 0  # CollectiveRecord rows (awards.demo.seed_collective_results)
    acceptances: object = None  # awards.demo.AcceptanceResult
    elapsed: float = 0.0


def _seed_school_years(today: datetime.date) -> int:
    created = 0
    for spec in school_year_specs(today):
        code = spec.pop("code")
        _, was_created = SchoolYear.objects.get_or_create(code=code, defaults=spec)
        created += was_created
    return created


def _previous_position(position: str, origin: Unit) -> str:
    """What a transferred person did at the unit they came from (leaders were promoted here)."""
    if position in PLAIN_POSITIONS:
        return position
    return "Chuyên viên" if origin.level in (Unit.Level.SGD, Unit.Level.PGD) else "Giáo viên"


def plan_staff(units: list[Unit], minimums: dict[str, int], seed: int = SEED) -> list[UnitPlan]:
    """Everyone of every unit, and for each transferred person the unit they came from.

    No database access: one Random walks the units in code order, so the same units always
    get the same people.
    """
    units = sorted(units, key=lambda u: u.code)
    rng = random.Random(seed)
    by_group: dict[tuple[str, str], list[Unit]] = defaultdict(list)
    by_level: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_group[(unit.district, unit.level)].append(unit)
        by_level[unit.level].append(unit)
    plans = []
    for unit in units:
        people = generate_unit_staff(rng, unit.level, minimum=minimums.get(unit.code, 0))
        # Transfers come from the same district and level; the Sở's staff from a Phòng.
        others = (
            [u for u in by_group[(unit.district, unit.level)] if u.code != unit.code]
            or [u for u in by_level[unit.level] if u.code != unit.code]
            or by_level[Unit.Level.PGD]
        )
        origins = [rng.choice(others) if p.previous_start and others else None for p in people]
        plans.append((unit, list(zip(people, origins, strict=True))))
    return _with_demo_transfer(plans)


def _seed_staff(units: list[Unit], result: SeedResult, minimums: dict[str, int]) -> None:
    """Staff, teams and employments for every unit that has no staff yet."""
    have_staff = set(Staff.objects.values_list("unit_id", flat=True).distinct())
    if all(unit.pk in have_staff for unit in units):
        result.staff_skipped = True
        return
    # Units that already have staff are planned too (and then left alone): the others get the
    # same people as in a fresh database.
    plans = [plan for plan in plan_staff(units, minimums) if plan[0].pk not in have_staff]
    existing_teams = {(c.unit_id, c.name): c for c in Collective.objects.all()}
    new_teams: list[Collective] = []
    for unit, _ in plans:
        for name in team_names(unit.level):
            if (unit.pk, name) not in existing_teams:
                team = Collective(unit=unit, name=name)
                existing_teams[(unit.pk, name)] = team
                new_teams.append(team)
    Collective.objects.bulk_create(new_teams, batch_size=BATCH_SIZE)
    result.teams_created = len(new_teams)

    staff: list[Staff] = []
    for unit, people in plans:
        for person, _ in people:
            member = Staff(
                unit=unit, date_of_birth=person.date_of_birth, gender=person.gender,
                position=person.position,
                team=existing_teams[(unit.pk, person.team_name)] if person.team_name else None,
            )
            member.set_name(person.full_name)
            staff.append(member)
    Staff.objects.bulk_create(staff, batch_size=BATCH_SIZE)
    if staff and staff[0].pk is None:  # pragma: no cover - every supported backend returns ids
        raise RuntimeError("The database did not return ids from bulk_create.")

    employments: list[Employment] = []
    members = iter(staff)
    for unit, people in plans:
        for person, origin in people:
            member = next(members)
            note = ""
            if person.previous_start and origin is not None:
                employments.append(Employment(
                    staff_id=member.pk, unit=origin, position=_previous_position(person.position, origin),
                    team_name=person.team_name if person.team_name in team_names(origin.level) else "",
                    start_date=person.previous_start,
                    end_date=person.start_date - datetime.timedelta(days=1),
                    note=f"Chuyển công tác đến {unit.short_name}",
                ))
                note = f"Chuyển từ {origin.short_name}"
                result.transfers += 1
            employments.append(Employment(
                staff_id=member.pk, unit=unit, position=person.position, team_name=person.team_name,
                start_date=person.start_date, note=note,
            ))
    Employment.objects.bulk_create(employments, batch_size=BATCH_SIZE)
    result.staff_created = len(staff)
    result.units_seeded = len(plans)


def _name_picker():
    """Chooses, for each account, the name of a staff member holding a fitting position."""
    positions = {p for account in DEMO_ACCOUNTS for p in account.positions} | set(OFFICER_POSITIONS)
    by_unit: dict[int, list[tuple[str, str]]] = defaultdict(list)
    rows = Staff.objects.filter(position__in=positions, is_active=True).order_by("pk")
    for unit_id, position, name in rows.values_list("unit_id", "position", "full_name"):
        by_unit[unit_id].append((position, name))
    used: set[tuple[int, str]] = set()
    fallback = random.Random(SEED + 1)

    def pick(unit: Unit, wanted: tuple[str, ...]) -> str:
        for position in wanted:
            for held, name in by_unit.get(unit.pk, []):
                if held == position and (unit.pk, name) not in used:
                    used.add((unit.pk, name))
                    return name
        return generate_name(fallback, fallback.choice(Staff.Gender.values))

    return pick


def _seed_accounts(units: list[Unit], result: SeedResult, no_account: set[str]) -> None:
    units_by_code = {u.code: u for u in units}
    existing = {u.username: u for u in User.objects.select_related("unit")}
    pick = _name_picker()
    password = make_password(DEMO_PASSWORD)  # hashed once, shared by every seeded account
    wanted: list[tuple[str, str, Unit, tuple[str, ...]]] = [
        (a.username, a.role, units_by_code[a.unit_code], a.positions) for a in DEMO_ACCOUNTS
    ]
    demo_units = {a.unit_code for a in DEMO_ACCOUNTS}
    for unit in units:
        if unit.code not in demo_units and unit.code not in no_account:
            # A Phòng's account reviews its schools; a school's or centre's registers its staff.
            role = Role.DISTRICT_REVIEWER if unit.kind == Unit.Kind.DISTRICT_OFFICE else Role.SCHOOL_OFFICER
            wanted.append((officer_username(unit.code), role, unit, OFFICER_POSITIONS))
    new_users = []
    for username, role, unit, positions in wanted:
        if username in existing:
            user = existing[username]
        else:
            user = User(
                username=username, password=password, role=role, unit=unit,
                full_name=pick(unit, positions), must_change_password=False,
                email=f"{username}@thidua.example",
            )
            new_users.append(user)
        if username in {a.username for a in DEMO_ACCOUNTS}:
            result.accounts.append((username, user.get_role_display(), user.unit.code if user.unit else "",
                                    user.full_name))
    User.objects.bulk_create(new_users, batch_size=BATCH_SIZE)
    result.accounts_created = len(new_users)


def seed_demo(*, today: datetime.date | None = None, csv_path: Path = UNITS_CSV,
              report_path: Path = REPORT_JSON) -> SeedResult:
    """Load the units, then add school years, staff, teams and accounts that are missing."""
    started = time.monotonic()
    today = today or timezone.localdate()
    report = load_report(report_path)
    result = SeedResult()
    with transaction.atomic():
        result.units = load_units_file(csv_path, from_year=UNITS_FROM_YEAR)
        result.school_years_created = _seed_school_years(today)
        # Sorted in Python: database collations disagree about "-" and digits.
        units = sorted(Unit.objects.all(), key=lambda u: u.code)
        _seed_staff(units, result, ldtt_minimums(report))
        _seed_accounts(units, result, units_without_account(report))
        # Registrations belong to the registrations app; imported here to keep one entry point.
        from registrations.demo import seed_demo_dossiers

        result.dossiers = seed_demo_dossiers(report, today)
        from awards.demo import seed_acceptances, seed_collective_results, seed_history

        result.history = seed_history()
        result.collective_results = seed_collective_results()
        # Last: what the Sở's acceptances left needs the history the verdicts read.
        result.acceptances = seed_acceptances()
    result.elapsed = time.monotonic() - started
    return result
