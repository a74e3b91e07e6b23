"""The completeness board: which units in scope have not started, drafted, submitted… a dossier.

Read-only selector shared by the board page, its Excel exports and the reminder action.
The tree is taken as it stood in the school year (unit_versions_as_of), so a school that moved
later is counted under the Phòng it belonged to then. Five queries whatever the scope's size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from config.sql import id_list
from registrations.models import Registration, RegistrationDossier, SchoolYear
from units.models import Unit, User
from units.selectors import unit_versions_as_of, units_as_of

NOT_STARTED = "not_started"
STATUS_COLUMNS = [
    (NOT_STARTED, "Chưa bắt đầu"),
    *RegistrationDossier.Status.choices,
]
DIRECT = "direct"  # units directly under the Sở (no Phòng)


@dataclass
class BoardUnit:
    unit: Unit
    name: str
    district_id: int | None  # the Phòng above it in that year, None when directly under the Sở
    dossier: RegistrationDossier | None
    individual: int = 0
    collective: int = 0
    accounts: int = 0

    @property
    def status(self) -> str:
        return self.dossier.status if self.dossier else NOT_STARTED

    @property
    def status_label(self) -> str:
        return dict(STATUS_COLUMNS)[self.status]

    @property
    def is_late(self) -> bool:
        return bool(self.dossier and self.dossier.is_late)


@dataclass
class BoardGroup:
    key: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    total: int = 0


@dataclass
class Board:
    units: list[BoardUnit]
    groups: list[BoardGroup]
    totals: dict[str, int]

    def lists(self) -> dict[str, list[BoardUnit]]:
        return {
            "no_individual": [u for u in self.units if u.individual == 0],
            "no_collective": [u for u in self.units if u.collective == 0],
            "late": [u for u in self.units if u.is_late],
            "no_account": [u for u in self.units if u.accounts == 0],
        }


LIST_TITLES = {
    "no_individual": "Đơn vị chưa có đăng ký cá nhân",
    "no_collective": "Đơn vị chưa có đăng ký tập thể",
    "late": "Đơn vị nộp trễ",
    "no_account": "Đơn vị chưa có tài khoản",
    "not_submitted": "Đơn vị chưa nộp hồ sơ",
}


def build_board(
    root: Unit, school_year: SchoolYear, *, district: str = "", level: str = "", status: str = "",
) -> Board:
    in_year = units_as_of(root, school_year.start_year)
    district_of = {unit_id: u.district_id for unit_id, u in in_year.items()}

    # The whole province: the year's rows, kept in Python to the tree's units (cheaper than an id
    # list of every unit in SQL); a Phòng: only its units' rows. Only the fields the board shows.
    whole = root.parent_id is None
    dossier_rows = RegistrationDossier.objects.filter(school_year=school_year).only(
        "id", "unit_id", "school_year_id", "status", "is_late", "submitted_at")
    if not whole:
        dossier_rows = dossier_rows.filter(unit_id__in=id_list(district_of))
    dossiers = {d.unit_id: d for d in dossier_rows if d.unit_id in district_of}
    unit_of = {d.pk: d.unit_id for d in dossiers.values()}
    # Counted per dossier on the registrations alone (no join), from the year's covering index.
    counts = Registration.objects.filter(school_year=school_year)
    if not whole:
        counts = counts.filter(dossier_id__in=id_list(unit_of))
    counts = counts.values_list("dossier_id").annotate(
        total=Count("*"), individual=Count("dossier", filter=Q(subject=Registration.Subject.STAFF))).order_by()
    by_unit = {unit_of[dossier_id]: {"individual": individual, "collective": total - individual}
               for dossier_id, total, individual in counts if dossier_id in unit_of}
    accounts = dict(
        User.objects.filter(unit_id__in=id_list(district_of), is_active=True)
        .values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    )

    rows = []
    for unit_id, phong in district_of.items():
        unit = in_year[unit_id].unit
        if unit.kind == Unit.Kind.DEPARTMENT:
            continue  # the Sở reviews; it is not one of the units the board chases
        c = by_unit.get(unit_id, {})
        rows.append(BoardUnit(
            unit=unit, name=in_year[unit_id].state.name, district_id=phong, dossier=dossiers.get(unit_id),
            individual=c.get("individual", 0), collective=c.get("collective", 0), accounts=accounts.get(unit_id, 0),
        ))
    if district:
        rows = [r for r in rows if (r.district_id is None and district == DIRECT) or str(r.district_id) == district]
    if level:
        rows = [r for r in rows if r.unit.level == level]
    if status:
        rows = [r for r in rows if r.status == status]
    rows.sort(key=lambda r: r.unit.path)

    groups: dict[str, BoardGroup] = {}
    totals = {key: 0 for key, _ in STATUS_COLUMNS}
    for r in rows:
        key = str(r.district_id) if r.district_id else DIRECT
        if key not in groups:
            name = in_year[r.district_id].state.short_name if r.district_id else "Đơn vị trực thuộc Sở"
            groups[key] = BoardGroup(key, name, {k: 0 for k, _ in STATUS_COLUMNS})
        groups[key].counts[r.status] += 1
        groups[key].total += 1
        totals[r.status] += 1
    ordered = sorted(groups.values(), key=lambda g: (g.key == DIRECT, g.name))
    return Board(units=rows, groups=ordered, totals=totals)


def board_list(board: Board, name: str) -> list[BoardUnit]:
    if name == "not_submitted":
        return [u for u in board.units if u.status in (NOT_STARTED, RegistrationDossier.Status.DRAFT,
                                                       RegistrationDossier.Status.RETURNED)]
    return board.lists()[name]


def district_choices(root: Unit, school_year: SchoolYear) -> list[tuple[str, str]]:
    states = unit_versions_as_of(school_year.start_year)
    phongs = Unit.objects.filter(path__startswith=root.path, kind=Unit.Kind.DISTRICT_OFFICE).order_by("name")
    choices = [(str(p.pk), states[p.pk].short_name if p.pk in states else p.short_name) for p in phongs]
    if root.kind == Unit.Kind.DEPARTMENT:
        choices.append((DIRECT, "Đơn vị trực thuộc Sở"))
    return choices
