"""Demo dossiers: school year 2020-2021 as the province's 2021 report describes it, and a
current year in progress. Deterministic; bulk-inserted; synthetic people only.

2020-2021 (closed):
- the 13 THPT schools of the report get exactly their dossier counts (LĐTT/CSTĐCS/CSTĐ tỉnh,
  cumulative), accepted by the Sở, except THPT Tân An (the demo accounts' school): submitted and
  waiting for the Sở, so that a reviewer meets the acceptance check (20 CSTĐCS for a cap of 13
  from 90 LĐTT) and decides with a reason (awards.demo.seed_acceptances gives the accepted ones
  what their acceptance left);
- the units the report lists as having entered no registration data have no dossier;
- the units it lists as having no collective registration have none;
- every other unit has a dossier in a realistic mix of states, a few submitted late.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from awards.catalogue import load_catalogue
from awards.selectors import registrable_titles
from registrations.models import DossierEvent, Registration, RegistrationDossier, SchoolYear
from registrations.services import needs_district_review
from units.demo import demo_transfer_staff_id
from units.models import Collective, Employment, Role, Unit, User
from units.selectors import employed_during

SEED = 20210412
# Its 2020-2021 dossier waits for the Sở: the acceptance journey of the demo (README).
AWAITING_THE_SO = "THPT-TANAN-TANAN"
Status = RegistrationDossier.Status
Action = DossierEvent.Action


@dataclass
class DemoDossierResult:
    dossiers: int = 0
    registrations: int = 0
    skipped: bool = False


def _aware(day: datetime.date, rng: random.Random) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(rng.randint(7, 16), rng.randint(0, 59))))


def _people_by_unit(units: list[Unit], year: SchoolYear) -> dict[int, list[int]]:
    """Staff ids per unit for the year, in a stable order (by staff id)."""
    rows = (
        Employment.objects.filter(employed_during(year.start_date, year.end_date), unit__in=units)
        .order_by("unit_id", "staff_id").values_list("unit_id", "staff_id")
    )
    people: dict[int, list[int]] = {}
    for unit_id, staff_id in rows:
        if staff_id not in people.setdefault(unit_id, []):
            people[unit_id].append(staff_id)
    return people


def _status_mix(rng: random.Random, current: bool) -> str | None:
    roll = rng.random()
    if current:
        table = [(0.25, None), (0.50, Status.DRAFT), (0.70, Status.SUBMITTED), (0.82, Status.FORWARDED),
                 (0.88, Status.RETURNED), (1.0, Status.ACCEPTED)]
    else:
        table = [(0.04, None), (0.08, Status.DRAFT), (0.14, Status.SUBMITTED), (0.24, Status.FORWARDED),
                 (0.28, Status.RETURNED), (1.0, Status.ACCEPTED)]
    return next(status for limit, status in table if roll < limit)


def seed_year(year: SchoolYear, report: dict, *, current: bool, reviewers: dict[str, User]) -> DemoDossierResult:
    result = DemoDossierResult()
    if RegistrationDossier.objects.filter(school_year=year).exists():
        result.skipped = True
        return result
    rng = random.Random(f"{SEED}:{year.code}")
    titles = {t.code: t for t in registrable_titles(year)}
    units = sorted(Unit.objects.select_related("parent"), key=lambda u: u.code)
    people = _people_by_unit(units, year)
    teams = {}
    for team in Collective.objects.filter(unit__in=units).order_by("unit_id", "name"):
        teams.setdefault(team.unit_id, []).append(team.pk)
    officers = {}
    for user in User.objects.filter(role__in=[Role.SCHOOL_OFFICER, Role.DISTRICT_REVIEWER]).order_by("username"):
        officers.setdefault(user.unit_id, user)

    exact = report["individual_registrations_in_dossiers"]["units"] if not current else {}
    no_data = set(report["no_registration_data"]["units"]) if not current else set()
    no_collective = set(report["no_collective_registration"]["units"]) if not current else set()
    # The report found these units' own exports full of registrations: they have dossiers.
    missed = set(report["missed_by_old_summary"]["units"]) if not current else set()
    demo_units = {"THCS-TANAN-PHUONG5", "THPT-TANAN-TANAN"} if current else set()
    deadline = year.registration_deadline or year.start_date + datetime.timedelta(days=75)

    dossiers, plans = [], []
    for unit in units:
        if unit.code in no_data or unit.code in demo_units or unit.parent is None:
            continue
        status = Status.ACCEPTED if unit.code in exact or unit.code in missed else _status_mix(rng, current)
        if status is None:
            continue
        if status == Status.FORWARDED and not needs_district_review(unit):
            status = Status.SUBMITTED  # only a Phòng forwards; units under the Sở wait at the Sở
        created = _aware(year.start_date + datetime.timedelta(days=rng.randint(30, 60)), rng)
        late = rng.random() < 0.06
        submitted = None
        if status != Status.DRAFT:
            offset = rng.randint(1, 20) if late else -rng.randint(0, 15)
            submitted = max(created + datetime.timedelta(hours=2), _aware(deadline + datetime.timedelta(days=offset), rng))
            late = submitted.date() > deadline
        d = RegistrationDossier(unit=unit, school_year=year, status=status, created_at=created,
                                submitted_at=submitted, is_late=bool(submitted and late))
        if status in (Status.FORWARDED, Status.ACCEPTED) and needs_district_review(unit):
            d.forwarded_at = submitted + datetime.timedelta(days=rng.randint(1, 5))
        if status == Status.ACCEPTED:
            d.accepted_at = (d.forwarded_at or submitted) + datetime.timedelta(days=rng.randint(2, 10))
            if unit.code == AWAITING_THE_SO and not current:
                # Drawn all the same, so that every other unit's dossier stays as it was.
                d.status, d.accepted_at = Status.SUBMITTED, None
        if status == Status.RETURNED:
            d.returned_at = submitted + datetime.timedelta(days=rng.randint(1, 6))
            d.return_reason = rng.choice([
                "Tỷ lệ đăng ký CSTĐCS vượt quá 15% số LĐTT, đề nghị rà soát.",
                "Thiếu đăng ký danh hiệu tập thể của đơn vị.",
                "Danh sách chưa khớp với biên bản họp hội đồng thi đua.",
            ])
        dossiers.append(d)
        plans.append(unit)

    with transaction.atomic():
        RegistrationDossier.objects.bulk_create(dossiers, batch_size=1000)
        saved = {d.unit_id: d for d in RegistrationDossier.objects.filter(school_year=year)}
        registrations, events = [], []
        taken: set[int] = set()  # one registration per person per year, even across a transfer
        moved = demo_transfer_staff_id() if not current else None
        for unit in sorted(plans, key=lambda u: u.code not in exact):
            d = saved[unit.pk]
            officer = officers.get(unit.pk)
            staff_ids = [s for s in people.get(unit.pk, []) if s not in taken]
            if unit.code in exact:
                ldtt, cstdcs, tinh = exact[unit.code]
                ranks = ["CSTD_TINH"] * tinh + ["CSTDCS"] * (cstdcs - tinh) + ["LDTT"] * (ldtt - cstdcs)
            else:
                n = int(len(staff_ids) * rng.uniform(0.6, 0.9))
                n_cs = int(n * rng.uniform(0.08, 0.15))
                ranks = ["CSTDCS"] * n_cs + ["LDTT"] * (n - n_cs)
            chosen = rng.sample(staff_ids, min(len(ranks), len(staff_ids)))
            if moved in staff_ids and ranks and ranks[0] == "CSTD_TINH":
                # The demo's transferred teacher registers for CSTĐ cấp tỉnh (units.demo.DEMO_TRANSFER).
                if moved in chosen:
                    chosen.remove(moved)
                    chosen.insert(0, moved)
                else:
                    chosen[0] = moved
            at = d.created_at + datetime.timedelta(minutes=5)
            for staff_id, code in zip(chosen, ranks, strict=False):
                taken.add(staff_id)
                registrations.append(Registration(
                    dossier=d, school_year=year, subject=Registration.Subject.STAFF, staff_id=staff_id,
                    title=titles[code], created_at=at, created_by=officer,
                ))
            if unit.code not in no_collective and rng.random() < 0.9:
                registrations.append(Registration(
                    dossier=d, school_year=year, subject=Registration.Subject.UNIT,
                    title=titles["TTLDXS" if rng.random() < 0.4 else "TTLDTT"], created_at=at, created_by=officer,
                ))
                for team_id in teams.get(unit.pk, [])[: rng.randint(0, 3)]:
                    registrations.append(Registration(
                        dossier=d, school_year=year, subject=Registration.Subject.COLLECTIVE, collective_id=team_id,
                        title=titles["TTLDTT"], created_at=at, created_by=officer,
                    ))
            timeline = [(Action.CREATE, "", Status.DRAFT, d.created_at, officer, ""),
                        (Action.SAVE, Status.DRAFT, Status.DRAFT, at, officer, "")]
            if d.submitted_at:
                timeline.append((Action.SUBMIT, Status.DRAFT, Status.SUBMITTED, d.submitted_at, officer, ""))
            if d.forwarded_at:
                reviewer = reviewers.get(unit.parent.code)
                timeline.append((Action.FORWARD, Status.SUBMITTED, Status.FORWARDED, d.forwarded_at, reviewer, ""))
            if d.accepted_at:
                source = Status.FORWARDED if d.forwarded_at else Status.SUBMITTED
                timeline.append((Action.ACCEPT, source, Status.ACCEPTED, d.accepted_at, reviewers.get("SGD"), ""))
            if d.returned_at:
                who = reviewers.get(unit.parent.code) if needs_district_review(unit) else reviewers.get("SGD")
                timeline.append((Action.RETURN, Status.SUBMITTED, Status.RETURNED, d.returned_at, who, d.return_reason))
            for version, (action, src, dst, when, actor, comment) in enumerate(timeline):
                events.append(DossierEvent(dossier=d, action=action, from_status=src, to_status=dst, version=version,
                                           actor=actor, at=when, comment=comment))
            d.version = len(timeline) - 1
        RegistrationDossier.objects.bulk_update(list(saved.values()), ["version"], batch_size=1000)
        Registration.objects.bulk_create(registrations, batch_size=2000)
        DossierEvent.objects.bulk_create(events, batch_size=2000)
    result.dossiers, result.registrations = len(dossiers), len(registrations)
    return result


def seed_demo_dossiers(report: dict, today: datetime.date) -> list[tuple[str, DemoDossierResult]]:
    load_catalogue()
    reviewers = {}
    for user in User.objects.filter(role__in=[Role.DISTRICT_REVIEWER, Role.DEPARTMENT_REVIEWER]).select_related("unit").order_by("username"):
        reviewers.setdefault(user.unit.code, user)
    results = []
    past = SchoolYear.objects.filter(code="2020-2021").first()
    if past:
        results.append((past.code, seed_year(past, report, current=False, reviewers=reviewers)))
    current = SchoolYear.objects.filter(start_date__lte=today, end_date__gte=today).first()
    if current and current != past:
        results.append((current.code, seed_year(current, report, current=True, reviewers=reviewers)))
    return results
