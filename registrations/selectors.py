"""Reads about school years."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from awards.models import Title
from registrations.models import DossierEvent, Registration, RegistrationDossier, SchoolYear
from units.models import Collective, Staff, Unit
from units.selectors import get_unit_for_user_or_404, staff_list, units_visible_to


def school_year_for_date(day: datetime.date | None = None) -> SchoolYear | None:
    """The school year a date falls in; in the summer gap, the last one that has started."""
    day = day or timezone.localdate()
    containing = SchoolYear.objects.filter(start_date__lte=day, end_date__gte=day).first()
    if containing:
        return containing
    started = SchoolYear.objects.filter(start_date__lte=day).order_by("-start_date").first()
    return started or SchoolYear.objects.order_by("start_date").first()


def school_year_start_for_date(day: datetime.date) -> int:
    """Start year of the school year a date belongs to, without any SchoolYear rows.

    Vietnamese school years start in August-September; August is counted as the new year.
    """
    return day.year if day.month >= 8 else day.year - 1


def school_years() -> list[SchoolYear]:
    return list(SchoolYear.objects.order_by("-start_date"))


# --- dossiers ---------------------------------------------------------------------------------

def dossiers_visible_to(user) -> QuerySet[RegistrationDossier]:
    """Dossiers of units in the user's scope."""
    units = units_visible_to(user)
    return RegistrationDossier.objects.filter(unit__in=units).select_related("unit__parent", "school_year")


def dossier_for(user, unit_pk: int, school_year: SchoolYear) -> tuple[Unit, RegistrationDossier | None]:
    """The unit (404 outside the scope) and its dossier for the year, if it was started."""
    unit = get_unit_for_user_or_404(user, unit_pk)
    dossier = (
        RegistrationDossier.objects.filter(unit=unit, school_year=school_year)
        .select_related("unit__parent", "school_year")
        .first()
    )
    return unit, dossier


@dataclass
class EntryRow:
    staff: Staff
    registration: Registration | None
    code: str = ""  # the title shown in the picker (stored, or typed before a refused save)
    note: str = ""
    stt: int = 0
    verdict: object = None  # awards.verdicts.RegistrationVerdict, set by the page

    def __post_init__(self):
        if self.registration is not None and not self.code:
            self.code, self.note = self.registration.title.code, self.registration.note


@dataclass
class CollectiveRow:
    subject: str
    subject_id: int | None
    name: str
    registration: Registration | None
    code: str = ""
    note: str = ""
    stt: int = 0
    verdict: object = None  # awards.verdicts.RegistrationVerdict (from the members' data), set by the page

    def __post_init__(self):
        if self.registration is not None and not self.code:
            self.code, self.note = self.registration.title.code, self.registration.note


def dossier_registrations(dossier: RegistrationDossier | None) -> list[Registration]:
    if dossier is None:
        return []
    return list(dossier.registrations.select_related("title", "recorded_verdict"))


def entry_rows(user, unit: Unit, school_year: SchoolYear, registrations: list[Registration]) -> list[EntryRow]:
    """Everyone who works in the unit during the year, each with their registration (1 query)."""
    by_staff = {r.staff_id: r for r in registrations if r.subject == Registration.Subject.STAFF}
    return [EntryRow(s, by_staff.get(s.pk)) for s in staff_list(user, unit=unit, school_year=school_year)]


def collective_rows(unit: Unit, registrations: list[Registration]) -> list[CollectiveRow]:
    """The unit itself, then each active team, with its registration (1 query)."""
    regs = {(r.subject, r.collective_id): r for r in registrations if r.subject != Registration.Subject.STAFF}
    rows = [CollectiveRow(Registration.Subject.UNIT, None, unit.name, regs.get((Registration.Subject.UNIT, None)))]
    for team in Collective.objects.filter(unit=unit, is_active=True).order_by("name"):
        key = (Registration.Subject.COLLECTIVE, team.pk)
        rows.append(CollectiveRow(Registration.Subject.COLLECTIVE, team.pk, team.name, regs.get(key)))
    return rows


def ladder_codes(titles: list[Title]) -> dict[str, tuple[str, ...]]:
    """For each title, the codes whose registrants count for it: itself, and on a ladder every
    title of the same kind at the same or a higher rank."""
    return {
        t.code: (t.code,) if t.ladder_rank == 0 else tuple(
            o.code for o in titles if o.kind == t.kind and o.ladder_rank >= t.ladder_rank)
        for t in titles
    }


def cumulative(counts_by_title: dict[str, int], titles: list[Title],
               ladders: dict[str, tuple[str, ...]] | None = None) -> dict[str, int]:
    """Counts along the ladders: a registrant for a higher rank counts for every lower one.

    `counts_by_title` holds how many registrations name each title; the result holds, for each
    title of the ladder, how many registrants reached at least its rank (same kind). Callers
    that count many units pass `ladders` (from ladder_codes) once.
    """
    ladders = ladders or ladder_codes(titles)
    return {code: sum(counts_by_title.get(c, 0) for c in codes) for code, codes in ladders.items()}


def dossier_summary(registrations: list[Registration], titles: list[Title]) -> list[tuple[Title, int]]:
    """Cumulative count per title from a dossier's registrations (no query)."""
    counts: dict[str, int] = {}
    for r in registrations:
        counts[r.title.code] = counts.get(r.title.code, 0) + 1
    totals = cumulative(counts, titles)
    return [(t, totals[t.code]) for t in titles]


def dossier_timeline(dossier: RegistrationDossier | None) -> list[DossierEvent]:
    if dossier is None:
        return []
    return list(dossier.events.select_related("actor").order_by("at", "id"))
