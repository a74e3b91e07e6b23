"""Demo history for the rules: ratings, recognised titles and initiatives for 2016-2017 to
2019-2020, so that verdicts on the 2020-2021 dossiers have something to read. Synthetic,
deterministic, bulk-inserted. Registrants of 2020-2021 get a history that mostly fits what they
registered for, with a realistic share that does not (the rules are meant to catch those).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from awards.models import AnnualRecord, Initiative, RecognisedTitle
from registrations.models import Registration, SchoolYear
from units.models import Employment
from units.selectors import employed_during

SEED = 20210412
HISTORY_YEARS = (2017, 2018, 2019)  # the three years before 2020-2021
RATINGS = (("HTXSNV", 0.25), ("HTTNV", 0.60), ("HTNV", 0.13), ("KHTNV", 0.02))


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
    records, titles, initiatives = [], [], []
    for _, year in sorted(years.items()):
        staff_ids = sorted(set(Employment.objects.filter(employed_during(year.start_date, year.end_date))
                               .values_list("staff_id", flat=True)))
        for staff_id in staff_ids:
            goal = aimed.get(staff_id, "")
            # Most registrants have the record their title needs; about one in eight does not.
            fits = goal and rng.random() < 0.88
            rating = _rating(rng, bool(fits))
            records.append(AnnualRecord(staff_id=staff_id, school_year=year, rating=rating, months_worked=12))
            good = rating in ("HTXSNV", "HTTNV")
            earned = []
            if good:
                earned.append("LDTT")
            if good and (fits and goal in ("CSTDCS", "CSTD_TINH", "CSTDTQ") or rng.random() < 0.08):
                earned.append("CSTDCS")
                initiatives.append((Initiative(name=f"Sáng kiến đổi mới phương pháp dạy học số {len(initiatives) + 1}",
                                               school_year=year, level="co_so"), staff_id))
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
