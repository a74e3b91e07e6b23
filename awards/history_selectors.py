"""Reads of the recorded history (ratings, titles, initiatives) for the "Lịch sử thi đua" page,
the history template and the staff page. Every list starts from the user's scope."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from awards.models import AnnualRecord, CollectiveRecord, Initiative, RecognisedTitle, Title
from config.sql import id_list
from registrations.models import SchoolYear
from units import vntext
from units.models import Collective, Employment, Role, Staff, Unit, User
from units.selectors import employed_during, unit_as_of, units_visible_to

# Names that mean the unit itself in a collectives' table (besides its own names), folded.
UNIT_ITSELF = {"don vi", "truong", "co quan", "tap the don vi", "toan don vi", "toan truong"}


@dataclass
class HistoryLine:
    staff: Staff
    record: AnnualRecord | None
    titles: list[RecognisedTitle] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    stt: int = 0


def title_labels(regime) -> dict[str, str]:
    """Code -> short label of every title of a regime (one query)."""
    return {code: short or name for code, short, name in
            Title.objects.filter(regime=regime).values_list("code", "short_name", "name")}


def staff_worked_at(user: User | None, unit: Unit, school_year: SchoolYear) -> list[Staff]:
    """Who worked at this very unit during the school year, wherever they are now (one query).

    `unit` comes from the user's scope (get_unit_for_user_or_404), so its staff are in it too
    (staff_visible_to counts past employments). Not staff_list: its per-row subqueries for the
    year's position and team cost O(n²) on SQLite for a unit of thousands (14 s for 5,000).
    """
    if user is not None and not units_visible_to(user).filter(pk=unit.pk).exists():
        return []
    worked = Employment.objects.filter(employed_during(school_year.start_date, school_year.end_date), unit=unit)
    return list(Staff.objects.filter(pk__in=worked.values("staff_id")).order_by("sort_key", "pk"))


def unit_history(user: User, unit: Unit, school_year: SchoolYear, labels: dict[str, str]) -> list[HistoryLine]:
    """Everyone who worked at the unit during the year, with what is recorded for them that year.

    Five queries whatever the number of people.
    """
    staff = staff_worked_at(user, unit, school_year)
    ids = id_list(s.pk for s in staff)
    records = {r.staff_id: r for r in AnnualRecord.objects.filter(school_year=school_year, staff_id__in=ids)}
    titles = defaultdict(list)
    for t in RecognisedTitle.objects.filter(school_year=school_year, staff_id__in=ids).order_by("pk"):
        t.label = labels.get(t.title_code, t.title_code)
        titles[t.staff_id].append(t)
    initiatives = defaultdict(list)
    links = (Initiative.authors.through.objects.filter(staff_id__in=ids, initiative__school_year=school_year)
             .select_related("initiative").order_by("initiative_id"))
    for link in links:
        initiatives[link.staff_id].append(link.initiative)
    return [HistoryLine(s, records.get(s.pk), titles.get(s.pk, []), initiatives.get(s.pk, []), stt=i)
            for i, s in enumerate(staff, start=1)]


def collectives_in_year(unit: Unit, school_year: SchoolYear) -> list[Collective]:
    """The unit's teams that year: the active ones and any that the year's employments name. Two queries."""
    named = set(Employment.objects.filter(employed_during(school_year.start_date, school_year.end_date), unit=unit)
                .exclude(team_name="").values_list("team_name", flat=True).distinct())
    return [c for c in Collective.objects.filter(unit=unit).order_by("name", "pk") if c.is_active or c.name in named]


def unit_names(unit: Unit, school_year: SchoolYear) -> tuple[str, set[str]]:
    """The unit's name that year, and every folded name that means the unit itself in the file."""
    state = unit_as_of(unit, school_year.start_year)
    name = state.name if state else unit.name
    names = {vntext.fold(n) for n in (name, unit.name, unit.short_name, getattr(state, "short_name", "")) if n}
    return name, names


@dataclass
class CollectiveLine:
    name: str
    collective: Collective | None  # None: the unit itself
    record: CollectiveRecord | None


def collective_history(unit: Unit, school_year: SchoolYear) -> list[CollectiveLine]:
    """The unit itself, then its teams that year, each with its recorded result (five queries).

    `unit` comes from the user's scope (get_unit_for_user_or_404).
    """
    name, _ = unit_names(unit, school_year)
    records = {r.collective_id: r for r in CollectiveRecord.objects.filter(unit=unit, school_year=school_year)
               .select_related("collective")}
    teams = collectives_in_year(unit, school_year)
    listed = {c.pk for c in teams}
    # A result recorded for a team no longer active is still shown.
    teams += [r.collective for r in records.values() if r.collective_id and r.collective_id not in listed]
    return [CollectiveLine(name, None, records.get(None))] + [CollectiveLine(c.name, c, records.get(c.pk)) for c in teams]


def can_import_history(user: User, unit: Unit) -> bool:
    """Who may import a unit's history: whoever may edit its dossier, and the Sở's admins and
    reviewers (the unit is already in their scope: the view resolved it)."""
    from registrations.services import can_edit

    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    return can_edit(user, unit) or user.role in (Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_REVIEWER)


@dataclass
class StaffYear:
    school_year: SchoolYear
    record: AnnualRecord | None
    titles: list[str]
    initiatives: list[Initiative]
    unit: Unit | None = None  # where the person worked that year, when the viewer may open its history


def staff_history(user: User, staff: Staff) -> list[StaffYear]:
    """One person's recorded years, newest first, whatever unit they were in (6 queries)."""
    years = {y.pk: y for y in SchoolYear.objects.select_related("regime")}
    by_year: dict[int, StaffYear] = {}

    def of(year_id: int) -> StaffYear:
        if year_id not in by_year:
            by_year[year_id] = StaffYear(years[year_id], None, [], [])
        return by_year[year_id]

    for r in AnnualRecord.objects.filter(staff=staff):
        of(r.school_year_id).record = r
    codes = list(RecognisedTitle.objects.filter(staff=staff).order_by("pk").values_list("school_year_id", "title_code"))
    names = {(regime_id, code): short or name for regime_id, code, short, name in
             Title.objects.filter(code__in={c for _, c in codes}).values_list("regime_id", "code", "short_name", "name")}
    any_regime = {code: label for (_, code), label in names.items()}  # a year not yet pointing at its regime
    for year_id, code in codes:
        of(year_id).titles.append(names.get((years[year_id].regime_id, code)) or any_regime.get(code, code))
    for i in staff.initiatives.all():
        of(i.school_year_id).initiatives.append(i)
    employments = list(staff.employments.select_related("unit").order_by("-start_date"))
    visible = set(units_visible_to(user).filter(pk__in={e.unit_id for e in employments}).values_list("pk", flat=True))
    for y in by_year.values():
        start, end = y.school_year.start_date, y.school_year.end_date
        worked = [e for e in employments if e.start_date <= end and (e.end_date is None or e.end_date >= start)]
        if worked and worked[0].unit_id in visible:
            y.unit = worked[0].unit
    return sorted(by_year.values(), key=lambda y: y.school_year.start_date, reverse=True)
