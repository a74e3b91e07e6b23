"""The numbers every report shows, for a school year and a scope: one set of selectors.

Screens, per-unit exports and district/province summaries all call these; a test checks that
per-unit rows add up to district and scope totals for every title. The tree is taken as it was
in that school year (units_as_of): a school that moved later is counted where it was then.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from awards.models import Title
from awards.selectors import registrable_titles
from config.sql import id_list
from registrations.models import Registration, RegistrationDossier, SchoolYear
from registrations.selectors import ladder_codes
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

    Queries: the catalogue, the tree (one stamp query while cached), the year's dossiers and one
    aggregation over the registrations.
    """
    titles = list(registrable_titles(school_year))
    in_year = units_as_of(scope, school_year.start_year)
    # The year's dossiers in the scope (one row per unit), then registrations counted per dossier
    # and title straight from the covering index: no join over the year's 25,000 rows.
    whole = scope.parent_id is None
    dossier_rows = RegistrationDossier.objects.filter(school_year=school_year)
    if not whole:
        dossier_rows = dossier_rows.filter(unit_id__in=id_list(in_year))
    dossiers = {
        pk: (unit_id, status == RegistrationDossier.Status.ACCEPTED)
        for pk, unit_id, status in dossier_rows.values_list("pk", "unit_id", "status")
        if unit_id in in_year  # the whole province: filtered here, cheaper than in SQL
    }
    rows = Registration.objects.filter(school_year=school_year)
    if not whole:
        rows = rows.filter(dossier_id__in=id_list(dossiers))
    # COUNT(*), not COUNT(id): PostgreSQL then answers from the index alone.
    rows = rows.values_list("dossier_id", "title_id").annotate(n=Count("*")).order_by()
    # Cumulative along the ladders as the rows arrive: each registered title adds to every
    # title it counts for (cumulative() turned around, computed once).
    code_of = {t.pk: t.code for t in titles}
    counts_for = defaultdict(list)
    for code, codes in ladder_codes(titles).items():
        for c in codes:
            counts_for[c].append(code)
    zero = {t.code: 0 for t in titles}
    per_unit: dict[int, tuple[dict[str, int], dict[str, int]]] = {}
    for dossier_id, title_id, n in rows:
        if dossier_id not in dossiers:
            continue  # a unit not in the tree that year (closed, or outside the scope)
        unit_id, accepted = dossiers[dossier_id]
        reg, acc = per_unit.get(unit_id) or per_unit.setdefault(unit_id, (dict(zero), dict(zero)))
        for target in counts_for.get(code_of.get(title_id), ()):
            reg[target] += n
            if accepted:
                acc[target] += n

    def district_name(u) -> str:
        return in_year[u.district_id].state.short_name if u.district_id else DIRECT

    def district_key(u) -> tuple:
        # Phòng in the Vietnamese order of their districts, the units under the Sở last.
        return (u.district_id is None, in_year[u.district_id].unit.sort_key if u.district_id else "")

    unit_rows = []
    for unit_id, u in sorted(in_year.items(), key=lambda item: (*district_key(item[1]), item[1].unit.sort_key)):
        if u.unit.kind == Unit.Kind.DEPARTMENT:
            continue
        reg, acc = per_unit.get(unit_id) or (dict(zero), dict(zero))
        unit_rows.append(SummaryRow(u.unit, u.unit.code, u.state.name, district_name(u),
                                    {"registered": reg, "accepted": acc}))

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
        .select_related("dossier__unit", "staff", "collective", "title", "recorded_verdict")
        .prefetch_related("overrides")
        .order_by("dossier__unit__sort_key", "subject", "staff__sort_key", "collective__name", "pk")
    )
