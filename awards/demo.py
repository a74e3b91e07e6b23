"""Demo history for the rules: ratings, recognised titles and initiatives for 2016-2017 to
2019-2020, so that verdicts on the 2020-2021 dossiers have something to read. Synthetic,
deterministic, bulk-inserted.

Everyone who worked in those years gets a rating; registrants of 2020-2021 get a past that
mostly fits what they registered for, with a realistic share that does not (the rules are
meant to catch those). The CSTĐ cấp tỉnh registrants of the report's THPT schools follow a
fixed pattern (SCENARIOS), so that the demo shows eligible people (three consecutive CSTĐCS
and a province-level initiative), ineligible ones (a broken run) and ones the rules cannot
decide yet (no province-level initiative recorded), each with its reason; the teacher of
units.demo.DEMO_TRANSFER is eligible with a run that crosses the transfer.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from awards.models import AnnualRecord, Initiative, RecognisedTitle
from registrations.models import Registration, SchoolYear
from units.demo import demo_transfer_staff_id
from units.models import Employment
from units.selectors import employed_during

SEED = 20210412
HISTORY_YEARS = (2016, 2017, 2018, 2019)  # 2016-2017 to 2019-2020, the four years before 2020-2021
RATINGS = (("HTXSNV", 0.25), ("HTTNV", 0.60), ("HTNV", 0.13), ("KHTNV", 0.02))

# Per scenario and year: (rating, CSTĐCS that year, initiative level that year or None).
SCENARIOS: dict[str, dict[int, tuple[str, bool, str | None]]] = {
    # CSTĐCS 2017-2018 to 2019-2020 and a sáng kiến recognised by the province in 2018-2019.
    "eligible": {2016: ("HTTNV", False, None), 2017: ("HTXSNV", True, "co_so"), 2018: ("HTXSNV", True, "tinh_bo"),
                 2019: ("HTXSNV", True, "co_so")},
    # Rated HTNV in 2018-2019 (no LĐTT, no CSTĐCS): the run is broken whichever year it ends.
    "broken_2018": {2016: ("HTXSNV", True, "co_so"), 2017: ("HTXSNV", True, "tinh_bo"), 2018: ("HTNV", False, None),
                    2019: ("HTXSNV", True, "co_so")},
    # Three CSTĐCS but only cơ sở initiatives: the province-level one may still come in 2020-2021.
    "co_so_only": {2016: ("HTTNV", True, "co_so"), 2017: ("HTXSNV", True, "co_so"), 2018: ("HTXSNV", True, "co_so"),
                   2019: ("HTXSNV", True, "co_so")},
    # The run ended in 2018-2019: 2019-2020 was LĐTT only.
    "broken_2019": {2016: ("HTXSNV", True, "co_so"), 2017: ("HTXSNV", True, "tinh_bo"), 2018: ("HTXSNV", True, "co_so"),
                    2019: ("HTTNV", False, None)},
}
PATTERN = ("eligible", "broken_2018", "eligible", "eligible", "co_so_only", "broken_2019")


@dataclass
class HistoryResult:
    records: int = 0
    titles: int = 0
    initiatives: int = 0
    skipped: bool = False


def _rating(rng: random.Random, at_least_good: bool) -> str:
    if at_least_good:
        return "HTXSNV" if rng.random() < 0.35 else "HTTNV"
    roll, acc = rng.random(), 0.0
    for rating, share in RATINGS:
        acc += share
        if roll < acc:
            return rating
    return "HTTNV"


def provincial_scenarios(target: SchoolYear | None, report_units: list[str] | None = None) -> dict[int, str]:
    """Staff id -> scenario for every CSTĐ cấp tỉnh registrant of 2020-2021 in the report's schools.

    In (school code, staff id) order along PATTERN; the transferred teacher is always eligible.
    """
    if target is None:
        return {}
    if report_units is None:
        from units.demo import load_report

        report_units = list(load_report()["individual_registrations_in_dossiers"]["units"])
    rows = (Registration.objects.filter(school_year=target, subject="staff", title__code="CSTD_TINH",
                                        dossier__unit__code__in=report_units)
            .order_by("dossier__unit__code", "staff_id").values_list("staff_id", flat=True))
    moved = demo_transfer_staff_id()
    out = {staff_id: PATTERN[i % len(PATTERN)] for i, staff_id in enumerate(rows)}
    if moved in out:
        out[moved] = "eligible"
    return out


def seed_history() -> HistoryResult:
    result = HistoryResult()
    if AnnualRecord.objects.exists():
        result.skipped = True
        return result
    rng = random.Random(SEED)
    years = {y.start_year: y for y in SchoolYear.objects.filter(code__in=[f"{y}-{y + 1}" for y in HISTORY_YEARS])}
    target = SchoolYear.objects.filter(code="2020-2021").first()
    # What each person registered for in 2020-2021 shapes a plausible past.
    aimed = {}
    if target:
        for staff_id, code in Registration.objects.filter(school_year=target, subject="staff").values_list(
                "staff_id", "title__code"):
            aimed[staff_id] = code
    fixed = provincial_scenarios(target)
    records, titles, initiatives = [], [], []
    for _, year in sorted(years.items()):
        staff_ids = sorted(set(Employment.objects.filter(employed_during(year.start_date, year.end_date))
                               .values_list("staff_id", flat=True)))
        for staff_id in staff_ids:
            goal = aimed.get(staff_id, "")
            # Drawn for everyone, so that fixing a few people leaves everyone else's past alone.
            fits = goal and rng.random() < 0.88
            rating = _rating(rng, bool(fits))
            earned_cstdcs = rng.random() < 0.08
            level = "co_so"
            if staff_id in fixed:
                rating, cstdcs, level = SCENARIOS[fixed[staff_id]][year.start_year]
            else:
                cstdcs = rating in ("HTXSNV", "HTTNV") and (
                    bool(fits and goal in ("CSTDCS", "CSTD_TINH", "CSTDTQ")) or earned_cstdcs)
            records.append(AnnualRecord(staff_id=staff_id, school_year=year, rating=rating, months_worked=12,
                                        source="demo"))
            earned = ["LDTT"] if rating in ("HTXSNV", "HTTNV") else []
            if cstdcs:
                earned.append("CSTDCS")
            if level and (cstdcs or staff_id in fixed):
                name = ("Giải pháp nâng cao chất lượng dạy học cấp tỉnh" if level == "tinh_bo"
                        else "Sáng kiến đổi mới phương pháp dạy học")
                initiatives.append((Initiative(name=f"{name} số {len(initiatives) + 1}", school_year=year,
                                               level=level), staff_id))
            for code in earned:
                titles.append(RecognisedTitle(staff_id=staff_id, school_year=year, title_code=code, source="demo"))
    with transaction.atomic():
        AnnualRecord.objects.bulk_create(records, batch_size=5000)
        RecognisedTitle.objects.bulk_create(titles, batch_size=5000)
        created = Initiative.objects.bulk_create([i for i, _ in initiatives], batch_size=5000)
        through = Initiative.authors.through
        through.objects.bulk_create(
            [through(initiative_id=i.pk, staff_id=staff_id) for i, (_, staff_id) in zip(created, initiatives, strict=True)],
            batch_size=5000,
        )
    result.records, result.titles, result.initiatives = len(records), len(titles), len(initiatives)
    return result
