"""The numbers every report shows, for a school year and a scope: one set of selectors.

Screens, per-unit exports and district/province summaries all call these; a test checks that
per-unit rows add up to district and scope totals for every title. The tree is taken as it was
in that school year (units_as_of): a school that moved later is counted where it was then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from awards.models import Title
from awards.selectors import registrable_titles
from config.sql import id_list
from registrations.models import Registration, RegistrationDossier, SchoolYear
from registrations.selectors import cumulative, ladder_codes
from units.models import Unit
from units.selectors import units_as_of

DIRECT = "Đơn vị trực thuộc Sở"
MEASURES = ("registered", "accepted", "recognised")
MEASURE_LABELS = {"registered": "Đăng ký", "accepted": "Sở đã duyệt", "recognised": "Được công nhận"}


@dataclass
class SummaryRow:
    unit: Unit | None  # None for district and total rows
    code: str
    name: str
    district: str
    # measure -> title code -> cumulative count; "recognised" stays empty until decisions exist
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    recognised_available: bool = False


@dataclass
class Summary:
    school_year: SchoolYear
    scope: Unit
    titles: list[Title]
    units: list[SummaryRow]
    districts: list[SummaryRow]
    total: SummaryRow


def _empty(titles) -> dict[str, dict[str, int]]:
    return {m: {t.code: 0 for t in titles} for m in ("registered", "accepted")}


def summary(scope: Unit, school_year: SchoolYear) -> Summary:
    """Counts per unit, per Phòng and for the whole scope, per title, cumulative along the ladders.

    Three queries (versions, units, one conditional aggregation over registrations).
    """
    titles = list(registrable_titles(school_year.start_year))
    in_year = units_as_of(scope, school_year.start_year)
    rows = (
        Registration.objects.filter(school_year=school_year, dossier__unit_id__in=id_list(in_year))
        .values("dossier__unit_id", "title__code")
        .annotate(
            registered=Count("id"),
            accepted=Count("id", filter=Q(dossier__status=RegistrationDossier.Status.ACCEPTED)),
        )
    )
    raw: dict[int, dict[str, dict[str, int]]] = {}
    for r in rows:
        per_unit = raw.setdefault(r["dossier__unit_id"], {"registered": {}, "accepted": {}})
        per_unit["registered"][r["title__code"]] = r["registered"]
        per_unit["accepted"][r["title__code"]] = r["accepted"]

    def district_name(u) -> str:
        return in_year[u.district_id].state.short_name if u.district_id else DIRECT

    def district_key(u) -> tuple:
        # Phòng in the Vietnamese order of their districts, the units under the Sở last.
        return (u.district_id is None, in_year[u.district_id].unit.sort_key if u.district_id else "")

    ladders = ladder_codes(titles)
    unit_rows = []
    for unit_id, u in sorted(in_year.items(), key=lambda item: (*district_key(item[1]), item[1].unit.sort_key)):
        if u.unit.kind == Unit.Kind.DEPARTMENT:
            continue
        counts = {m: cumulative(raw.get(unit_id, {}).get(m, {}), titles, ladders) for m in ("registered", "accepted")}
        unit_rows.append(SummaryRow(u.unit, u.unit.code, u.state.name, district_name(u), counts))

    districts: dict[str, SummaryRow] = {}
    total = SummaryRow(None, "", "Tổng cộng", "", _empty(titles))
    for row in unit_rows:
        d = districts.setdefault(row.district, SummaryRow(None, "", row.district, row.district, _empty(titles)))
        for m in ("registered", "accepted"):
            for code, n in row.counts[m].items():
                d.counts[m][code] += n
                total.counts[m][code] += n
    return Summary(school_year, scope, titles, unit_rows, list(districts.values()), total)


def registrations_of(scope: Unit, school_year: SchoolYear, *, unit: Unit | None = None) -> QuerySet[Registration]:
    """Every registration in the scope (or of one unit) for the year, with its times (one query)."""
    ids = [unit.pk] if unit is not None else [u for u in units_as_of(scope, school_year.start_year)]
    return (
        Registration.objects.filter(school_year=school_year, dossier__unit_id__in=id_list(ids))
        .select_related("dossier__unit", "staff", "collective", "title")
        .prefetch_related("overrides")
        .order_by("dossier__unit__sort_key", "subject", "staff__sort_key", "collective__name", "pk")
    )
