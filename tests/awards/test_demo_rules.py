"""The demo shows the rules: the 13 THPT schools' quotas as the province's 2021 report gives
them, CSTĐ cấp tỉnh registrants with eligible and ineligible verdicts, and the transferred
teacher whose run of CSTĐCS years counts across two schools.

The whole province is seeded once for the module, inside a transaction rolled back at the end.
"""

from __future__ import annotations

import datetime
import io
import json
import math

import pytest
from django.core.management import call_command
from django.urls import reverse

from awards.models import AnnualRecord, RecognisedTitle
from awards.quotas import dossier_quotas
from awards.selectors import registrable_titles
from awards.verdicts import verdicts_for
from registrations.models import Registration, RegistrationDossier, SchoolYear
from units import demo
from units.models import Employment, Unit, User
from units.selectors import employed_during

TODAY = datetime.date(2026, 12, 3)
REPORT = demo.load_report()
SCHOOLS = REPORT["individual_registrations_in_dossiers"]["units"]  # code -> [LĐTT, CSTĐCS, CSTĐ tỉnh]


pytestmark = pytest.mark.django_db


@pytest.fixture
def year(seeded):
    return SchoolYear.objects.get(code="2020-2021")


def _dossier_registrations(code, year):
    dossier = RegistrationDossier.objects.select_related("unit").get(unit__code=code, school_year=year)
    return dossier, list(dossier.registrations.select_related("title", "staff", "collective"))


def test_history_covers_2016_to_2019_with_a_rating_for_everyone_who_worked(seeded):
    years = {y.start_year: y for y in SchoolYear.objects.filter(code__in=["2016-2017", "2017-2018", "2018-2019",
                                                                          "2019-2020"])}
    assert len(years) == 4
    for start, y in years.items():
        worked = Employment.objects.filter(employed_during(y.start_date, y.end_date)).values("staff_id").distinct()
        assert AnnualRecord.objects.filter(school_year=y).exclude(rating="").count() == worked.count(), start
    assert not AnnualRecord.objects.filter(school_year__code="2020-2021").exists()


def test_each_report_schools_quota_line_matches_the_report(year):
    for code, (ldtt, cstdcs, _tinh) in SCHOOLS.items():
        dossier, registrations = _dossier_registrations(code, year)
        _, quotas = dossier_quotas(dossier.unit, year, registrations, list(registrable_titles(year)))
        line = next(q for q in quotas if q.code == "CSTDCS")
        # "không quá 15%" of the LĐTT registrants (cumulative), rounded down.
        assert (line.used, line.basis_code, line.basis_count) == (cstdcs, "LDTT", ldtt), code
        assert line.allowed == math.floor(ldtt * 15 / 100), code
        assert line.exceeded == (cstdcs > line.allowed), code
        assert line.source == "NĐ 91/2017/NĐ-CP Điều 9 khoản 3" and line.applied == "national"


def test_check_eligibility_json_for_tan_an(year):
    out = io.StringIO()
    call_command("check_eligibility", "--year", "2020-2021", "--unit", "THPT-TANAN-TANAN", "--format", "json",
                 stdout=out)
    data = json.loads(out.getvalue())
    cstdcs = next(q for q in data["quotas"] if q["title"] == "CSTDCS")
    assert cstdcs == {"title": "CSTDCS", "registered": 20, "cap": 13, "basis_title": "LDTT", "basis_count": 90,
                      "source": "NĐ 91/2017/NĐ-CP Điều 9 khoản 3"}
    assert len(data["verdicts"]) == 90 and all(v["reasons"] for v in data["verdicts"])


def _provincial(year):
    regs = list(Registration.objects.filter(school_year=year, title__code="CSTD_TINH", dossier__unit__code__in=SCHOOLS)
                .select_related("title", "staff", "dossier__unit"))
    return regs, verdicts_for(regs, year)


def test_cstd_tinh_registrants_get_eligible_and_ineligible_verdicts_with_reasons(year):
    regs, verdicts = _provincial(year)
    assert len(regs) == sum(tinh for _, _, tinh in SCHOOLS.values())
    statuses = [verdicts[r.pk].status for r in regs]
    assert {"eligible", "ineligible"} <= set(statuses)
    for r in regs:
        v = verdicts[r.pk].verdict
        run, initiative = v.reason("prereq:CSTDCS:3"), v.reason("initiative:tinh_bo")
        assert run and initiative and all(x.message and x.article for x in v.reasons)
        if v.status == "eligible":
            assert run.status == initiative.status == "passed"
        if v.status == "ineligible":
            assert run.status == "failed" and "thiếu năm học" in run.message


def test_the_transferred_teachers_run_counts_across_two_report_schools(year):
    regs, verdicts = _provincial(year)
    moved = []
    for r in regs:
        periods = list(Employment.objects.filter(staff=r.staff).order_by("start_date").values_list(
            "unit__code", "start_date", "end_date"))
        if len({code for code, _, _ in periods if code in SCHOOLS}) == 2:
            moved.append((r, periods))
    assert len(moved) == 1
    r, periods = moved[0]
    (first, _, left), (second, arrived, _) = periods
    assert second == r.dossier.unit.code and first != second
    # CSTĐCS in a year at the first school and in a year at the second: the run crosses the move.
    cstdcs = {y.start_date: y for y in (t.school_year for t in RecognisedTitle.objects.filter(
        staff=r.staff, title_code="CSTDCS").select_related("school_year"))}
    assert any(y.end_date <= left for y in cstdcs.values()) and any(y.start_date >= arrived for y in cstdcs.values())
    verdict = verdicts[r.pk].verdict
    assert verdict.reason("prereq:CSTDCS:3").status == "passed"
    assert verdict.status == "eligible"


def test_the_dossier_page_shows_the_same_verdicts(year, client):
    regs, verdicts = _provincial(year)
    unit = Unit.objects.get(code="THPT-TANAN-LEQUYDON")
    client.force_login(User.objects.get(username="so.chuyenvien"))
    response = client.get(reverse("dossier_page", args=[unit.pk, year.code]))
    shown = {row.registration.pk: row.verdict for row in response.context["rows"] if row.registration}
    body = response.content.decode()
    for r in regs:
        if r.dossier.unit_id != unit.pk:
            continue
        assert shown[r.pk].status == verdicts[r.pk].status
        for reason in verdicts[r.pk].verdict.reasons:
            assert reason.message in body
    quota = next(q for q in response.context["quotas"] if q.code == "CSTDCS")
    ldtt, cstdcs, _ = SCHOOLS["THPT-TANAN-LEQUYDON"]
    assert f"{cstdcs} / {math.floor(ldtt * 15 / 100)}" in body and quota.exceeded


# --- coherence: what the Sở accepted, and THPT Tân An's acceptance journey ---------------------

def test_no_accepted_demo_registration_is_ineligible_or_over_quota_without_an_override(year):
    from awards.models import RecordedVerdict, RegistrationOverride
    from registrations.models import DossierEvent
    from registrations.services import acceptance_review

    accepted = list(RegistrationDossier.objects.filter(status="accepted").select_related("unit__parent", "school_year"))
    assert len(accepted) > 400
    overridden_quotas = 0
    for d in accepted:
        review = acceptance_review(d)
        # What the accept service would block on has each an override (or is not there at all).
        assert not review.ineligible, (d.unit.code, [v.registration.pk for v in review.ineligible])
        assert all(v.recorded is not None for v in review.verdicts.values()), d.unit.code
        if review.quotas:
            event = d.events.get(action=DossierEvent.Action.OVERRIDE)
            lines = [c["subject"] for c in event.changes]
            assert all(q.message in lines for q in review.quotas), d.unit.code
            overridden_quotas += 1
    assert overridden_quotas >= 5
    reviewer = User.objects.get(username="so.chuyenvien")
    overrides = list(RegistrationOverride.objects.select_related("registration__dossier", "registration__recorded_verdict"))
    assert overrides and {o.user_id for o in overrides} == {reviewer.pk}
    for o in overrides[:200]:
        d = o.registration.dossier
        assert d.status == "accepted" and o.reason and o.at < d.accepted_at
        assert o.verdict["status"] == o.registration.recorded_verdict.status == "ineligible"
    # Individual and collective ones alike.
    assert {o.registration.subject for o in overrides} >= {"staff", "collective"}
    assert not RecordedVerdict.objects.exclude(registration__dossier__status="accepted").exists()


def _tan_an(year):
    return RegistrationDossier.objects.select_related("unit").get(unit__code="THPT-TANAN-TANAN", school_year=year)


def test_thpt_tan_an_2020_waits_for_the_so_with_its_timeline(year):
    dossier = _tan_an(year)
    assert dossier.status == "submitted" and dossier.accepted_at is None and dossier.submitted_at
    assert [e.action for e in dossier.events.all()] == ["create", "save", "submit"]
    assert not dossier.registrations.filter(recorded_verdict__isnull=False).exists()


def test_thpt_tan_an_acceptance_is_refused_without_a_reason_and_goes_through_with_one(year, client):
    from awards.models import RecordedVerdict, RegistrationOverride
    from registrations.models import DossierEvent

    dossier = _tan_an(year)
    client.force_login(User.objects.get(username="so.chuyenvien"))
    url = reverse("dossier_action", args=[dossier.unit.pk, year.code, "accept"])
    refused = client.post(url, {"version": dossier.version, "override_reason": ""})
    assert refused.status_code == 200
    blocked = refused.context["blocked"]
    cstdcs = next(q for q in blocked.quotas if q.code == "CSTDCS")
    assert (cstdcs.used, cstdcs.allowed, cstdcs.basis_count) == (20, 13, 90)
    # The report gives THPT Tân An no CSTĐ cấp tỉnh registrant and no collective registration, and
    # 2020-2021's own results are not in yet: no registration of it is ineligible, only the quota blocks.
    assert SCHOOLS["THPT-TANAN-TANAN"][2] == 0 and blocked.ineligible == []
    body = refused.content.decode()
    assert cstdcs.message in body and "cần ghi rõ lý do nếu vẫn duyệt" in body
    dossier.refresh_from_db()
    assert dossier.status == "submitted" and not dossier.events.filter(action=DossierEvent.Action.OVERRIDE).exists()

    reason = "Hội đồng TĐKT Sở đã họp: chấp nhận đăng ký phấn đấu, số CSTĐCS công nhận cuối năm không vượt 15% số LĐTT."
    done = client.post(url, {"version": dossier.version, "override_reason": reason})
    assert done.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == "accepted"
    event = dossier.events.get(action=DossierEvent.Action.OVERRIDE)
    assert event.comment == reason and cstdcs.message in [c["subject"] for c in event.changes]
    assert not RegistrationOverride.objects.filter(registration__dossier=dossier).exists()
    assert RecordedVerdict.objects.filter(registration__dossier=dossier).count() == dossier.registrations.count() == 90


def test_an_ineligible_registrant_at_a_blocked_demo_dossier_is_named_and_needs_a_reason(year):
    """Where the rules do find ineligible registrants (a collective's LĐTT share) the same journey
    names them: a submitted demo dossier with one is refused without a reason."""
    from registrations import services

    reviewer = User.objects.get(username="so.chuyenvien")
    for dossier in RegistrationDossier.objects.filter(school_year=year, status="submitted").select_related(
            "unit__parent", "school_year").order_by("unit__code"):
        review = services.acceptance_review(dossier)
        if review.ineligible and services.may(reviewer, "accept", dossier):
            break
    else:
        pytest.fail("no submitted demo dossier with an ineligible registration")
    with pytest.raises(services.DossierBlocked) as exc:
        services.dossier_transition(dossier, action="accept", user=reviewer)
    assert [v.registration.pk for v in exc.value.ineligible] == [v.registration.pk for v in review.ineligible]
    services.dossier_transition(dossier, action="accept", user=reviewer, override_reason="Đã xem xét, chấp thuận")
    assert dossier.registrations.filter(overrides__isnull=False).count() == len(review.ineligible)


def test_collective_results_are_seeded_for_the_history_years_for_units_and_teams(seeded):
    from awards.models import CollectiveRecord

    for start in (2016, 2017, 2018, 2019):
        rows = CollectiveRecord.objects.filter(school_year__code=f"{start}-{start + 1}")
        assert rows.filter(collective__isnull=True).exists() and rows.filter(collective__isnull=False).exists()
        assert set(rows.values_list("rating", flat=True)) == {"HTXSNV", "HTTNV", "HTNV", "KHTNV"}
    unit = Unit.objects.get(code="THPT-TANAN-TANAN")
    assert CollectiveRecord.objects.filter(unit=unit, collective__isnull=True).count() == 4
    # 2020-2021 is the year being registered: its results are not in yet, and the reasons say so.
    assert not CollectiveRecord.objects.filter(school_year__code="2020-2021").exists()
