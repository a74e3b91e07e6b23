"""A province's quota rules (service, page, checks on every unit under the Sở), collective
verdicts from the members' data (page, acceptance, query count), overrides, check_eligibility JSON."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from awards import quota_services
from awards.models import QuotaRule, RecognisedTitle, RegistrationOverride
from awards.quotas import dossier_quotas
from awards.selectors import registrable_titles
from registrations import services
from registrations.models import Registration, RegistrationDossier
from registrations.services import Action, Entry
from tests.factories import StaffFactory, UnitFactory, letters, school_year
from units.models import Collective, Role

SOURCE = "Quyết định 25/2020/QĐ-UBND tỉnh Thử, Điều 7"
Subject = Registration.Subject


def set_rule(user, year, percent="10", title="CSTDCS", basis="LDTT", source=SOURCE):
    return quota_services.quota_rule_set(user=user, school_year=year, title_code=title, percent=percent,
                                         basis_title_code=basis, source=source)


def register(unit, year, officer, people_codes, collectives=()):
    entries = [services.staff_entry(p, code) for p, code in people_codes]
    entries += [Entry(subject, subject_id, code) for subject, subject_id, code in collectives]
    services.dossier_save(unit=unit, school_year=year, user=officer, base_version=None, entries=entries)
    return RegistrationDossier.objects.get(unit=unit, school_year=year)


def quotas_of(dossier):
    registrations = list(dossier.registrations.select_related("title"))
    return {q.code: q for q in dossier_quotas(dossier.unit, dossier.school_year, registrations,
                                              list(registrable_titles(dossier.school_year)))[1]}


@pytest.fixture
def staff_x(tree, year):
    return [StaffFactory(unit=tree["x"], full_name=f"Võ Thị {letters(i)}", team="Tổ Toán" if i < 6 else "Tổ Văn")
            for i in range(12)]


# --- the province's rule: service ------------------------------------------------------------

def test_the_department_admin_tightens_a_quota_and_every_unit_under_the_so_gets_it(
        tree, year, catalogue, dept_admin, officer_x, officer_a1, staff_x):
    # THPT X: 10 LĐTT of which 2 CSTĐCS -> 15% of 10 = 1 (national); TH A1 (under a Phòng): 1 CSTĐCS of 1.
    dossier_x = register(tree["x"], year, officer_x,
                         [(p, "CSTDCS" if i < 1 else "LDTT") for i, p in enumerate(staff_x[:10])])
    a1 = [StaffFactory(unit=tree["a1"], full_name=f"Lê Văn {letters(i)}", gender="M") for i in range(20)]
    dossier_a1 = register(tree["a1"], year, officer_a1, [(p, "CSTDCS" if i < 2 else "LDTT") for i, p in enumerate(a1)])
    assert (quotas_of(dossier_x)["CSTDCS"].allowed, quotas_of(dossier_a1)["CSTDCS"].allowed) == (1, 3)

    rule = set_rule(dept_admin, year, percent="5")
    assert (rule.scope, rule.fraction, rule.created_by) == (tree["sgd"], Decimal("0.0500"), dept_admin)
    x, a = quotas_of(dossier_x)["CSTDCS"], quotas_of(dossier_a1)["CSTDCS"]
    # Per unit, rounded down: 5% of 10 = 0, 5% of 20 = 1; the province's source is named.
    assert (x.allowed, x.status, x.applied) == (0, "exceeded", "province")
    assert (a.allowed, a.status, a.applied) == (1, "exceeded", "province")
    assert SOURCE in x.source and "hạn mức của tỉnh 5%" in x.message
    # Setting it again replaces it (one rule per Sở, year and title), kept in the history.
    set_rule(dept_admin, year, percent="12,5")
    assert QuotaRule.objects.get().fraction == Decimal("0.1250")
    assert QuotaRule.history.count() == 2
    assert quotas_of(dossier_a1)["CSTDCS"].allowed == 2  # 12.5% of 20
    quota_services.quota_rule_remove(user=dept_admin, rule=QuotaRule.objects.get())
    assert quotas_of(dossier_a1)["CSTDCS"].applied == "national"


def test_another_years_rule_does_not_apply(tree, year, catalogue, dept_admin, officer_x, staff_x):
    other = school_year("2021-2022")
    set_rule(dept_admin, other, percent="5")
    dossier = register(tree["x"], year, officer_x, [(p, "LDTT") for p in staff_x[:10]])
    assert quotas_of(dossier)["CSTDCS"].applied == "national"


@pytest.mark.parametrize("field, kwargs, message", [
    ("title_code", {"title": ""}, "Hãy chọn danh hiệu"),
    ("title_code", {"title": "LDTT"}, "Hãy chọn danh hiệu"),  # the lowest rank has nothing below it
    ("basis_title_code", {"basis": "CSTD_TINH"}, "thấp hơn cùng loại"),
    ("basis_title_code", {"basis": "TTLDTT"}, "thấp hơn cùng loại"),
    ("percent", {"percent": "0"}, "lớn hơn 0%"),
    ("percent", {"percent": "120"}, "không quá 100%"),
    ("percent", {"percent": "mười"}, "phải là một số"),
    ("percent", {"percent": "10,123"}, "hai chữ số thập phân"),
    ("percent", {"percent": "15"}, "chặt hơn hạn mức toàn quốc"),  # not stricter than 15% of LĐTT
    ("source", {"source": "  "}, "Hãy ghi căn cứ"),
])
def test_refused_input_is_named_by_field(tree, year, catalogue, dept_admin, field, kwargs, message):
    with pytest.raises(quota_services.QuotaRuleError) as exc:
        set_rule(dept_admin, year, **kwargs)
    assert message in exc.value.errors[field]
    assert not QuotaRule.objects.exists()


def test_a_closed_year_is_refused(tree, year, catalogue, dept_admin):
    year.status = year.Status.CLOSED
    year.save()
    with pytest.raises(quota_services.QuotaRuleError) as exc:
        set_rule(dept_admin, year)
    assert "đã kết thúc" in exc.value.errors["school_year"]


@pytest.mark.parametrize("who", ["dept_reviewer", "officer_x", "reviewer_a", "viewer_so"])
def test_only_the_department_admin_sets_rules(tree, year, catalogue, who, request, make_user):
    user = make_user("sgd", Role.VIEWER) if who == "viewer_so" else request.getfixturevalue(who)
    with pytest.raises(quota_services.QuotaRuleForbidden):
        set_rule(user, year)


def test_a_2023_year_has_no_national_cstdcs_cap_but_the_provinces(tree, catalogue, dept_admin, officer_x):
    year = school_year("2023-2024")
    people = [StaffFactory(unit=tree["x"], full_name=f"Đỗ Văn {letters(i)}", gender="M") for i in range(10)]
    dossier = register(tree["x"], year, officer_x, [(p, "CSTDCS" if i < 3 else "LDTT") for i, p in enumerate(people)])
    assert quotas_of(dossier)["CSTDCS"].status == "no_limit"
    set_rule(dept_admin, year, percent="20")  # no national cap to be stricter than: any share is allowed
    q = quotas_of(dossier)["CSTDCS"]
    assert (q.allowed, q.status, q.applied) == (2, "exceeded", "province")


# --- the page ---------------------------------------------------------------------------------

def test_quota_page_lists_sets_and_names_errors(tree, year, catalogue, dept_admin, login):
    client = login(dept_admin)
    url = reverse("quota_rules")
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Tỷ lệ tối đa của tỉnh" in body and "không quá 15%" in body and 'href="/thi-dua/ty-le-toi-da/"' in body
    response = client.post(url, {"title_code": "CSTDCS", "percent": "150", "basis_title_code": "LDTT", "source": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert "không quá 100%" in form.errors["percent"][0] and "Hãy ghi căn cứ" in form.errors["source"][0]
    response = client.post(url, {"title_code": "CSTDCS", "percent": "10", "basis_title_code": "LDTT",
                                 "source": SOURCE}, follow=True)
    assert "Đã lưu tỷ lệ tối đa của tỉnh cho CSTĐCS" in response.content.decode()
    assert SOURCE in response.content.decode() and "10%" in response.content.decode()
    rule = QuotaRule.objects.get()
    assert client.post(reverse("quota_rule_remove", args=[rule.pk])).status_code == 302
    assert not QuotaRule.objects.exists()


@pytest.mark.parametrize("who", ["dept_reviewer", "officer_x", "reviewer_a"])
def test_quota_page_is_403_for_other_roles(tree, year, catalogue, who, request, login, dept_admin):
    rule = set_rule(dept_admin, year)
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("quota_rules")).status_code == 403
    assert client.post(reverse("quota_rules"), {"title_code": "CSTDCS"}).status_code == 403
    assert client.post(reverse("quota_rule_remove", args=[rule.pk])).status_code == 403
    assert 'href="/thi-dua/ty-le-toi-da/"' not in client.get(reverse("home")).content.decode()
    assert QuotaRule.objects.count() == 1


def test_another_provinces_rule_is_404(tree, year, catalogue, dept_admin, login):
    other_so = UnitFactory(code="SGD-KHAC", name="Sở Giáo dục và Đào tạo tỉnh Khác", level="SGD")
    rule = QuotaRule.objects.create(scope=other_so, school_year=year, title_code="CSTDCS", fraction="0.1",
                                    basis_title_code="LDTT", source="x")
    assert login(dept_admin).post(reverse("quota_rule_remove", args=[rule.pk])).status_code == 404


# --- the dossier page: quota used / allowed, collective verdicts --------------------------------

def test_dossier_summary_shows_used_over_allowed_with_the_source_and_warns(tree, year, catalogue, officer_x,
                                                                          staff_x, login, dept_admin):
    register(tree["x"], year, officer_x, [(p, "CSTDCS" if i < 2 else "LDTT") for i, p in enumerate(staff_x[:10])])
    set_rule(dept_admin, year, percent="5")  # 5% of 10 LĐTT: none allowed (15% would allow 1)
    body = login(officer_x).get(reverse("dossier_page", args=[tree["x"].pk, year.code])).content.decode()
    assert 'id="quota-CSTDCS"' in body and "Tỷ lệ CSTĐCS (của tỉnh)" in body
    assert "2 / 0" in body and SOURCE in body and "vượt hạn mức" in body and "quota-exceeded" in body


def test_collective_verdicts_on_the_page_from_the_members_registrations(tree, year, catalogue, officer_x, staff_x,
                                                                       login):
    toan = Collective.objects.get(unit=tree["x"], name="Tổ Toán")
    van = Collective.objects.get(unit=tree["x"], name="Tổ Văn")
    # Tổ Toán: 4 of 6 registered LĐTT (> 50%); Tổ Văn: 2 of 6 (not > 50%); the unit: 6 of 12 (not > 50%).
    codes = ["LDTT"] * 4 + [""] * 2 + ["LDTT"] * 2 + [""] * 4
    register(tree["x"], year, officer_x, [(p, c) for p, c in zip(staff_x, codes, strict=True) if c],
             collectives=[(Subject.UNIT, None, "TTLDTT"), (Subject.COLLECTIVE, toan.pk, "TTLDTT"),
                          (Subject.COLLECTIVE, van.pk, "TTLDTT")])
    response = login(officer_x).get(reverse("dossier_page", args=[tree["x"].pk, year.code]))
    rows = {row.name: row.verdict for row in response.context["collective_rows"]}
    assert rows["Tổ Toán"].verdict.reason("members:ldtt_share").status == "passed"
    assert rows["Tổ Toán"].status == "unknown"  # the team's own assessment of the year is not recorded
    assert rows["Tổ Văn"].status == "ineligible" and rows[tree["x"].name].status == "ineligible"
    body = response.content.decode()
    assert "Theo đăng ký thi đua năm học 2020-2021 (chưa phải kết quả công nhận): có 2/6 thành viên" in body
    assert "Chưa đủ điều kiện" in body


def test_collective_share_uses_recognised_titles_once_they_exist(tree, year, catalogue, officer_x, staff_x):
    toan = Collective.objects.get(unit=tree["x"], name="Tổ Toán")
    dossier = register(tree["x"], year, officer_x, [(p, "LDTT") for p in staff_x[:6]],
                       collectives=[(Subject.COLLECTIVE, toan.pk, "TTLDTT")])
    for p in staff_x[:2]:
        RecognisedTitle.objects.create(staff=p, school_year=year, title_code="LDTT")
    from awards.verdicts import verdicts_for

    registrations = list(dossier.registrations.select_related("title"))
    verdict = verdicts_for(registrations, year, unit=tree["x"])[
        next(r.pk for r in registrations if r.subject == Subject.COLLECTIVE)]
    share = verdict.verdict.reason("members:ldtt_share")
    assert share.message.startswith("Có 2/6 thành viên") and "Theo đăng ký" not in share.message


def test_dossier_page_queries_stay_constant_with_collectives(tree, year, catalogue, officer_x, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(officer_x)
    url = reverse("dossier_page", args=[tree["x"].pk, year.code])

    def grow(people_count, teams):
        start = Registration.objects.filter(subject=Subject.STAFF).count()
        people = [StaffFactory(unit=tree["x"], full_name=f"Hồ Văn {letters(start + i)}", gender="M",
                               team=f"Tổ {letters(i % teams)}") for i in range(people_count)]
        dossier = RegistrationDossier.objects.filter(unit=tree["x"]).first()
        collectives = [(Subject.UNIT, None, "TTLDXS")] + [
            (Subject.COLLECTIVE, c.pk, "TTLDTT") for c in Collective.objects.filter(unit=tree["x"])]
        services.dossier_save(unit=tree["x"], school_year=year, user=officer_x,
                              base_version=dossier.version if dossier else None,
                              entries=[services.staff_entry(p, "CSTDCS" if i == 0 else "LDTT")
                                       for i, p in enumerate(people)] + [Entry(*c) for c in collectives])
        client.get(url)  # warm the catalogue cache
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        rows = [row for row in response.context["collective_rows"] if row.registration]
        assert rows and all(row.verdict is not None for row in rows)
        return len(queries), len(rows)

    small, small_rows = grow(2, 1)
    large, large_rows = grow(30, 4)
    assert (small_rows, large_rows) == (2, 5)
    # Members, team names, their ratings and recognised titles: the same queries for 2 or 32
    # people and 1 or 4 teams.
    assert small == large


# --- the Sở's acceptance: collective and quota checks block, overrides need role and reason ---------

def test_an_ineligible_collective_blocks_acceptance_until_the_reviewer_gives_a_reason(
        tree, year, catalogue, officer_x, staff_x, dept_reviewer, login):
    van = Collective.objects.get(unit=tree["x"], name="Tổ Văn")
    dossier = register(tree["x"], year, officer_x, [(p, "LDTT") for p in staff_x[:6]],
                       collectives=[(Subject.COLLECTIVE, van.pk, "TTLDTT")])
    services.dossier_transition(dossier, action=Action.SUBMIT, user=officer_x)
    with pytest.raises(services.DossierBlocked) as exc:
        services.dossier_transition(dossier, action=Action.ACCEPT, user=dept_reviewer)
    assert [v.registration.subject_name for v in exc.value.ineligible] == ["Tổ Văn"]
    page = login(dept_reviewer).get(reverse("dossier_action", args=[tree["x"].pk, year.code, "accept"]))
    assert "Tổ Văn — TTLĐTT" in page.content.decode()
    services.dossier_transition(dossier, action=Action.ACCEPT, user=dept_reviewer,
                                override_reason="Tổ mới thành lập giữa năm, Hội đồng chấp thuận")
    override = RegistrationOverride.objects.get()
    assert override.registration.collective == van and override.verdict["status"] == "ineligible"
    body = login(dept_reviewer).get(reverse("dossier_page", args=[tree["x"].pk, year.code])).content.decode()
    assert "Tổ mới thành lập giữa năm, Hội đồng chấp thuận" in body


def test_a_province_quota_blocks_acceptance(tree, year, catalogue, officer_x, staff_x, dept_reviewer, dept_admin):
    set_rule(dept_admin, year, percent="10")
    dossier = register(tree["x"], year, officer_x, [(p, "LDTT") for p in staff_x[:9]])
    services.dossier_transition(dossier, action=Action.SUBMIT, user=officer_x)
    # No CSTĐCS at all: within any cap, and the LĐTT verdicts lack data (not blocking).
    assert not services.acceptance_review(dossier).quotas
    services.dossier_transition(dossier, action=Action.RETURN, user=dept_reviewer, comment="Bổ sung")
    dossier = register(tree["x"], year, officer_x, [(staff_x[9], "CSTDCS")])
    services.dossier_transition(dossier, action=Action.SUBMIT, user=officer_x)
    # 1 CSTĐCS of 10 LĐTT: 15% allows 1, the province's 10% allows 1 too; 2 exceed both.
    assert not services.acceptance_review(dossier).quotas
    services.dossier_transition(dossier, action=Action.RETURN, user=dept_reviewer, comment="Bổ sung")
    dossier = register(tree["x"], year, officer_x, [(staff_x[8], "CSTDCS")])
    services.dossier_transition(dossier, action=Action.SUBMIT, user=officer_x)
    with pytest.raises(services.DossierBlocked) as exc:
        services.dossier_transition(dossier, action=Action.ACCEPT, user=dept_reviewer)
    assert [q.code for q in exc.value.quotas] == ["CSTDCS"]


def test_an_accepted_dossier_keeps_the_caps_it_was_accepted_under_and_shows_the_override(
        tree, year, catalogue, officer_x, staff_x, dept_reviewer, dept_admin, login):
    """A cap set (or tightened) after the Sở accepted a dossier does not judge it again; an
    exceeded cap accepted with a reason shows that reason next to the quota, every time."""
    from django.utils import timezone
    from freezegun import freeze_time

    dossier = register(tree["x"], year, officer_x, [(p, "CSTDCS" if i < 2 else "LDTT") for i, p in enumerate(staff_x[:10])])
    services.dossier_transition(dossier, action=Action.SUBMIT, user=officer_x)
    now = timezone.now()
    with freeze_time(now):
        services.dossier_transition(dossier, action=Action.ACCEPT, user=dept_reviewer,
                                    override_reason="Hai giáo viên dạy giỏi cấp tỉnh, Sở chấp thuận")
    dossier.refresh_from_db()
    assert dossier.status == RegistrationDossier.Status.ACCEPTED
    page = login(officer_x).get(reverse("dossier_page", args=[tree["x"].pk, year.code])).content.decode()
    assert "Sở đã duyệt vượt tỷ lệ" in page and "Hai giáo viên dạy giỏi cấp tỉnh, Sở chấp thuận" in page
    # Two days later the Sở sets its own 5% cap (10 LĐTT → 0 allowed; the national 15% allows 1).
    with freeze_time(now + timezone.timedelta(days=2)):
        set_rule(dept_admin, year, percent="5")
    registrations = list(dossier.registrations.select_related("title"))
    titles = list(registrable_titles(year))
    at_acceptance = {q.code: q for q in dossier_quotas(dossier.unit, year, registrations, titles,
                                                      accepted_at=dossier.accepted_at)[1]}
    today = {q.code: q for q in dossier_quotas(dossier.unit, year, registrations, titles)[1]}
    assert at_acceptance["CSTDCS"].applied == "national" and today["CSTDCS"].applied == "province"
    # And the page (which judges an accepted dossier as at its acceptance) agrees.
    page = login(officer_x).get(reverse("dossier_page", args=[tree["x"].pk, year.code])).content.decode()
    assert "(của tỉnh)" not in page


@pytest.mark.parametrize("who, reason, error", [
    ("dept_admin", "Đã xem xét", services.DossierForbidden),
    ("reviewer_a", "Đã xem xét", services.DossierForbidden),
    ("viewer_so", "Đã xem xét", services.DossierForbidden),
    ("dept_reviewer", "", services.DossierBlocked),
    ("dept_reviewer", "   \n ", services.DossierBlocked),
])
def test_override_requires_the_department_reviewer_and_a_reason(tree, year, catalogue, officer_x, staff_x, who,
                                                                reason, error, request, make_user):
    dossier = register(tree["x"], year, officer_x, [(staff_x[0], "CSTD_TINH")])  # no history: ineligible
    services.dossier_transition(dossier, action=Action.SUBMIT, user=officer_x)
    user = make_user("sgd", Role.VIEWER) if who == "viewer_so" else request.getfixturevalue(who)
    with pytest.raises(error):
        services.dossier_transition(dossier, action=Action.ACCEPT, user=user, override_reason=reason)
    assert not RegistrationOverride.objects.exists()
    assert RegistrationDossier.objects.get(pk=dossier.pk).status == RegistrationDossier.Status.SUBMITTED


# --- check_eligibility --format json ---------------------------------------------------------------

def test_check_eligibility_json_has_the_contracts_shape_and_the_pages_numbers(tree, year, catalogue, officer_x,
                                                                             staff_x, dept_admin):
    toan = Collective.objects.get(unit=tree["x"], name="Tổ Toán")
    register(tree["x"], year, officer_x, [(p, "CSTDCS" if i < 3 else "LDTT") for i, p in enumerate(staff_x[:10])],
             collectives=[(Subject.UNIT, None, "TTLDTT"), (Subject.COLLECTIVE, toan.pk, "TTLDTT")])
    set_rule(dept_admin, year, percent="5")  # stricter than 15%: 0 of 10 LĐTT
    # LĐTT marked "not confirmed" (as the reference marks some entries): every LĐTT reason says so.
    from awards import verdicts as verdicts_module
    from awards.models import Title

    Title.objects.filter(regime__code="2017", code="LDTT").update(confirmed="false")
    verdicts_module.clear_rules_cache()
    out = io.StringIO()
    call_command("check_eligibility", "--year", year.code, "--unit", "THPT-X", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert list(data) == ["unit", "year", "quotas", "verdicts"]
    assert (data["unit"], data["year"]) == ("THPT-X", "2020-2021")
    quota = next(q for q in data["quotas"] if q["title"] == "CSTDCS")
    assert quota == {"title": "CSTDCS", "registered": 3, "cap": 0, "basis_title": "LDTT", "basis_count": 10,
                     "source": quota["source"]}
    assert SOURCE in quota["source"] and "NĐ 91/2017/NĐ-CP" in quota["source"]
    assert len(data["verdicts"]) == 12
    for v in data["verdicts"]:
        assert set(v) == {"subject", "title", "verdict", "reasons"}
        assert v["verdict"] in {"eligible", "ineligible", "unknown"} and v["reasons"]
        for r in v["reasons"]:
            assert set(r) == {"criterion", "result", "message", "source"}
            assert r["result"] in {"passed", "failed", "missing"} and r["message"] and r["source"]
    subjects = [v["subject"] for v in data["verdicts"]]
    assert subjects[-2:] == [tree["x"].name, "Tổ Toán"]  # people first, then the unit, then its teams
    assert {v["title"] for v in data["verdicts"][:10]} == {"CSTDCS", "LDTT"}
    team = data["verdicts"][-1]
    share = next(r for r in team["reasons"] if r["criterion"] == "members:ldtt_share")
    assert share["result"] == "passed" and "có 6/6 thành viên" in share["message"]
    # The page shows the same verdicts.
    text = io.StringIO()
    call_command("check_eligibility", "--year", year.code, "--unit", "THPT-X", stdout=text)
    assert "Tỷ lệ CSTĐCS: 3 / 0" in text.getvalue() and "Tổ Toán — TTLĐTT: Thiếu dữ liệu" in text.getvalue()
    # Unconfirmed sources are marked as the page marks them, reason by reason.
    from awards.verdicts import verdicts_for

    registrations = list(Registration.objects.filter(school_year=year, dossier__unit=tree["x"])
                         .select_related("staff", "title", "collective", "dossier__unit"))
    engine_flags = sorted((r.subject_name, x.criterion, x.unconfirmed)
                          for r, v in ((r, verdicts_for(registrations, year, unit=tree["x"])[r.pk]) for r in registrations)
                          for x in v.verdict.reasons)
    json_flags = sorted((v["subject"], x["criterion"], x["source"].endswith("(chưa xác nhận)"))
                        for v in data["verdicts"] for x in v["reasons"])
    assert json_flags == engine_flags and any(flag for *_, flag in engine_flags)
