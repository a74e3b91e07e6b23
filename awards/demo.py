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

The collectives (every unit with staff, and its teams) get their own result for those years
(CollectiveRecord). And every demo dossier seeded as accepted gets what a real acceptance
leaves (registrations/services.py dossier_transition): the verdicts it was accepted on
(RecordedVerdict) and, where registrations were ineligible or a quota exceeded, the Sở
reviewer's overrides with a reason and the "Ghi đè" event of the timeline.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, Subquery

from awards.models import (
    AnnualRecord,
    CollectiveRecord,
    Initiative,
    RecognisedTitle,
    RecordedVerdict,
    RegistrationOverride,
)
from registrations.models import DossierEvent, Registration, RegistrationDossier, SchoolYear
from units.demo import demo_transfer_staff_id
from units.models import Collective, Employment, Role, Staff, User
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


# --- the collectives' own results ------------------------------------------------------------

COLLECTIVE_RATINGS = (("HTXSNV", 0.30), ("HTTNV", 0.55), ("HTNV", 0.12), ("KHTNV", 0.03))


def seed_collective_results() -> int:
    """A result for every unit with staff, and each of its teams, in 2016-2017 to 2019-2020."""
    if CollectiveRecord.objects.exists():
        return 0
    rng = random.Random(f"{SEED}:collectives")  # its own stream: the people's history stays as it was
    years = sorted(SchoolYear.objects.filter(code__in=[f"{y}-{y + 1}" for y in HISTORY_YEARS]),
                   key=lambda y: y.start_year)
    teams = defaultdict(list)
    for unit_id, team_id in Collective.objects.order_by("unit_id", "pk").values_list("unit_id", "pk"):
        teams[unit_id].append(team_id)
    rows = []
    for year in years:
        units = sorted(set(Employment.objects.filter(employed_during(year.start_date, year.end_date))
                           .values_list("unit_id", flat=True)))
        for unit_id in units:
            for team_id in [None, *teams.get(unit_id, [])]:
                roll, acc, rating = rng.random(), 0.0, "HTTNV"
                for value, share in COLLECTIVE_RATINGS:
                    acc += share
                    if roll < acc:
                        rating = value
                        break
                rows.append(CollectiveRecord(unit_id=unit_id, collective_id=team_id, school_year=year, rating=rating,
                                             source="demo"))
    CollectiveRecord.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


# --- what the Sở's acceptance of the accepted demo dossiers left ---------------------------------

@dataclass
class AcceptanceResult:
    dossiers: int = 0
    recorded: int = 0
    overridden_dossiers: int = 0
    overrides: int = 0
    skipped: bool = False


QUOTA_REASON = ("Tỷ lệ đăng ký CSTĐCS vượt mức: Sở chấp nhận đăng ký phấn đấu đầu năm học; khi xét công nhận "
                "cuối năm, số CSTĐCS được công nhận không vượt quá tỷ lệ cho phép.")
PERSON_REASON = ("Cá nhân đăng ký phấn đấu chưa đủ số năm liên tục đạt CSTĐCS: Hội đồng thi đua, khen thưởng Sở "
                 "ghi nhận đăng ký, chỉ đề nghị xét tặng nếu cuối năm học đủ điều kiện.")
COLLECTIVE_REASON = ("Tập thể chưa đủ tỷ lệ thành viên đăng ký lao động tiên tiến: đơn vị cam kết phấn đấu; Sở xét "
                     "công nhận theo kết quả cuối năm học.")


def _reason(ineligible: list, quotas: list) -> str:
    parts = []
    if quotas:
        parts.append(QUOTA_REASON)
    if any(v.registration.staff_id for v in ineligible):
        parts.append(PERSON_REASON)
    if any(not v.registration.staff_id for v in ineligible):
        parts.append(COLLECTIVE_REASON)
    return " ".join(parts)


def seed_acceptances() -> AcceptanceResult:
    """For each accepted dossier: the verdicts and quota lines it had when accepted, as the accept
    path computes them, recorded (RecordedVerdict); its ineligible registrations and exceeded
    quotas overridden by the Sở reviewer with a reason (RegistrationOverride, "Ghi đè" event).

    In bulk: the people's histories and the collectives' facts in one go per year.
    """
    from awards.collective import collective_verdicts_of_units
    from awards.quotas import engine_overrides, province_rules
    from awards.rules import engine
    from awards.selectors import regime_of, registrable_titles
    from awards.services import verdicts_record
    from awards.verdicts import RegistrationVerdict, histories, rules
    from registrations.selectors import dossier_summary
    from registrations.services import override_rows

    result = AcceptanceResult()
    if RecordedVerdict.objects.exists():
        result.skipped = True
        return result
    reviewer = (User.objects.filter(role=Role.DEPARTMENT_REVIEWER, unit__code="SGD").order_by("username").first())
    table = rules()
    overrides, events, blocked = [], [], []
    for year in SchoolYear.objects.select_related("regime").order_by("start_date"):
        dossiers = list(RegistrationDossier.objects.filter(school_year=year, status=RegistrationDossier.Status.ACCEPTED)
                        .select_related("unit__parent").order_by("pk"))
        regime = regime_of(year) if dossiers else None
        if regime is None:
            continue
        titles = list(registrable_titles(year))
        by_id = {t.pk: t for t in titles}
        by_dossier = {d.pk: d for d in dossiers}
        registrations = defaultdict(list)
        # Plain rows with the objects already loaded attached (a join per row costs seconds here);
        # the people's names are loaded below for the overridden ones only.
        for r in Registration.objects.filter(dossier__in=[d.pk for d in dossiers]).order_by("pk"):
            r.title, r.dossier = by_id[r.title_id], by_dossier[r.dossier_id]
            registrations[r.dossier_id].append(r)
        # The Sở's own caps of the year, once per Sở (every demo unit is under one).
        caps: dict[str, dict] = {}
        history = histories(sorted({r.staff_id for regs in registrations.values() for r in regs if r.staff_id}),
                            year.start_year)
        found = collective_verdicts_of_units({d.unit_id: registrations.get(d.pk, []) for d in dossiers}, year,
                                             regime.code, table)
        verdicts = []
        for d in dossiers:
            regs = registrations.get(d.pk, [])
            for r in regs:
                rule = table.get((regime.code, r.title.code))
                if rule is not None and r.staff_id:
                    found[r.pk] = engine.evaluate_individual(rule, history[r.staff_id], year.start_year, rules=table)
            mine = [RegistrationVerdict(r, found[r.pk], []) for r in regs if r.pk in found]
            verdicts += mine
            counts = {t.code: n for t, n in dossier_summary(regs, titles)}
            root = d.unit.path.strip("/").split("/")[0]
            if root not in caps:
                caps[root] = engine_overrides(province_rules(d.unit, year), regime.code)
            exceeded = [q for q in engine.check_quotas(table, counts, regime.code, overrides=caps[root]) if q.exceeded]
            ineligible = [v for v in mine if v.status == "ineligible"]
            if ineligible or exceeded:
                blocked.append((d, ineligible, exceeded))
        result.dossiers += len(dossiers)
        result.recorded += verdicts_record(verdicts=verdicts, school_year=year, user=reviewer)
    names = [v.registration for _, ineligible, _ in blocked for v in ineligible]
    staff = Staff.objects.in_bulk([r.staff_id for r in names if r.staff_id])
    teams = Collective.objects.in_bulk([r.collective_id for r in names if r.collective_id])
    for r in names:
        r.staff, r.collective = staff.get(r.staff_id), teams.get(r.collective_id)
    for d, ineligible, exceeded in blocked:
        rows, event = override_rows(d, ineligible, exceeded, user=reviewer, reason=_reason(ineligible, exceeded),
                                    now=d.accepted_at - datetime.timedelta(minutes=1))
        # Written just before the acceptance: the version and status it had then.
        event.version = d.version - 1
        event.from_status = event.to_status = (RegistrationDossier.Status.FORWARDED if d.forwarded_at
                                               else RegistrationDossier.Status.SUBMITTED)
        overrides += rows
        events.append(event)
    result.overridden_dossiers = len(blocked)
    with transaction.atomic():
        RegistrationOverride.objects.bulk_create(overrides, batch_size=2000)
        DossierEvent.objects.bulk_create(events, batch_size=2000)
        # auto_now_add stamped them now: they were written when the Sở accepted.
        accepted = Registration.objects.filter(pk=OuterRef("registration_id")).values("dossier__accepted_at")[:1]
        RecordedVerdict.objects.update(recorded_at=Subquery(accepted))
        before = Registration.objects.filter(pk=OuterRef("registration_id")).values(
            at=ExpressionWrapper(F("dossier__accepted_at") - datetime.timedelta(minutes=1), output_field=DateTimeField()))[:1]
        RegistrationOverride.objects.update(at=Subquery(before))
    result.overrides = len(overrides)
    return result
