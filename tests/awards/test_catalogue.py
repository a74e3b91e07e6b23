"""The catalogue as data: rules from the database, edits versioned, new regimes, recorded verdicts."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from awards import catalogue_services, verdicts
from awards.catalogue import load_catalogue
from awards.catalogue_forms import TitleEditor
from awards.catalogue_views import _defaults
from awards.models import AnnualRecord, RecordedVerdict, Regime, Title
from awards.selectors import regime_of, regime_titles
from registrations import services
from registrations.models import Registration, SchoolYear
from tests.factories import StaffFactory, letters, school_year
from units.models import Role

Action = services.Action


@pytest.fixture(autouse=True)
def _fresh_rules():
    verdicts.clear_rules_cache()
    yield
    verdicts.clear_rules_cache()


def _title(regime: str, code: str) -> Title:
    return Title.objects.select_related("regime").get(regime__code=regime, code=code)


def _editor(title: Title, data=None) -> TitleEditor:
    article, basis = _defaults(title)
    return TitleEditor(title, regime_titles(title.regime), default_article=article, default_basis=basis, data=data)


def _post_data(title: Title, **changes) -> dict:
    """What the edit page posts when the administrator changes `changes` and nothing else."""
    editor = _editor(title)
    data = {}
    for name, bound in editor.form.fields.items():
        value = editor.form[name].value()
        if isinstance(bound.widget, type(editor.form.fields["registrable"].widget)):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    for prefix, formset in (("pre", editor.prerequisites), ("auth", editor.conferrers)):
        mf = formset.management_form
        for name in mf.fields:
            data[f"{prefix}-{name}"] = str(mf[name].value())
        for i, form in enumerate(formset.forms):
            for name in form.fields:
                if name == "DELETE":
                    continue
                value = form[name].value()
                if isinstance(value, datetime.date):
                    value = value.strftime("%d/%m/%Y")
                if value is not None:
                    data[f"{prefix}-{i}-{name}"] = str(value)
    for k, v in changes.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    return data


def _rate(person, year, rating="HTTNV", months=12):
    AnnualRecord.objects.update_or_create(staff=person, school_year=year,
                                          defaults={"rating": rating, "months_worked": Decimal(months)})


def _register(unit, year, user, people, code="LDTT"):
    return services.dossier_save(unit=unit, school_year=year, user=user, base_version=None,
                                 entries=[services.staff_entry(p, code) for p in people]).dossier


def _verdicts(unit, year):
    regs = list(Registration.objects.filter(school_year=year, dossier__unit=unit).select_related("title", "staff"))
    return {r.staff_id: v for r in regs if (v := verdicts.verdicts_for(regs, year).get(r.pk))}


# --- rules from the database -------------------------------------------------------------------

def test_rules_from_the_database_equal_the_yaml_on_a_fresh_load(catalogue):
    from_db, from_yaml = verdicts.rules(), verdicts.rules_from_yaml()
    assert set(from_db) == set(from_yaml)
    assert {regime for regime, _ in from_db} == {"2017", "2023"}
    assert len(from_db) == Title.objects.count() == 40
    for key, rule in from_yaml.items():
        assert from_db[key] == rule, key


def test_rules_are_cached_on_one_small_query_and_rebuilt_after_an_edit(catalogue, django_assert_num_queries):
    first = verdicts.rules()
    with django_assert_num_queries(1):
        assert verdicts.rules() is first
    title = _title("2017", "LDTT")
    title.name = "Lao động tiên tiến (sửa)"
    title.save()
    assert verdicts.rules()[("2017", "LDTT")].name == "Lao động tiên tiến (sửa)"


def test_an_unchanged_form_gives_back_every_title_as_stored(catalogue):
    """The structured fields cover every title of both regimes without loss: saving unchanged is no edit."""
    for title in Title.objects.select_related("regime"):
        editor = _editor(title, _post_data(title))
        assert editor.is_valid(), (title.regime.code, title.code, editor.error_summary())
        values = editor.values()
        assert values["criteria"] == title.criteria, (title.regime.code, title.code)
        assert all(getattr(title, k) == v for k, v in values.items()), (title.regime.code, title.code)


def test_load_catalogue_keeps_an_edit_unless_forced(catalogue, dept_admin):
    title = _title("2017", "CSTDCS")
    data = _post_data(title, quota_percent="10")
    editor = _editor(title, data)
    assert editor.is_valid()
    catalogue_services.title_update(title=title, user=dept_admin, expected_revision=1, values=editor.values())
    result = load_catalogue()
    assert "2017/CSTDCS" in result.kept and result.created == result.updated == 0
    assert _title("2017", "CSTDCS").criteria["quota"]["fraction"] == 0.1
    out = StringIO()
    call_command("load_catalogue", "--force", stdout=out)
    forced = _title("2017", "CSTDCS")
    assert forced.criteria["quota"]["fraction"] == 0.15 and forced.revision == 3
    assert "cập nhật 1" in out.getvalue()


# --- editing through the page -----------------------------------------------------------------

@pytest.fixture
def rated(tree, year, catalogue, officer_a1):
    """Two people of A1 rated HTTNV in 2020-2021, registered for LĐTT (eligible under the 2017 regime)."""
    people = [StaffFactory(unit=tree["a1"], full_name=f"Hồ Thị {letters(i)}") for i in range(2)]
    for p in people:
        _rate(p, year)
    _register(tree["a1"], year, officer_a1, people)
    return people


def test_editing_a_criterion_changes_verdicts_bumps_revision_and_keeps_history(tree, year, rated, dept_admin, login):
    assert {v.status for v in _verdicts(tree["a1"], year).values()} == {"eligible"}
    title = _title("2017", "LDTT")
    client = login(dept_admin)
    response = client.post(reverse("title_edit", args=[title.pk]), _post_data(title, min_rating="HTXSNV"))
    assert response.status_code == 302
    title.refresh_from_db()
    assert title.revision == 2 and title.criteria["min_rating"] == "HTXSNV"
    assert {v.status for v in _verdicts(tree["a1"], year).values()} == {"ineligible"}
    latest = title.history.order_by("-history_date").first()
    assert latest.history_user == dept_admin and latest.revision == 2
    page = client.get(reverse("title_edit", args=[title.pk])).content.decode()
    assert "Phiên bản 2" in page and "Tiêu chuẩn › min_rating" in page and "admin.so" in page
    # An unchanged save is not a new version.
    client.post(reverse("title_edit", args=[title.pk]), _post_data(title))
    title.refresh_from_db()
    assert title.revision == 2


def test_minimum_months_and_quota_fields_reach_the_engine(tree, year, rated, dept_admin, login):
    title = _title("2017", "LDTT")
    login(dept_admin).post(reverse("title_edit", args=[title.pk]), _post_data(title, min_months_worked="12"))
    _rate(rated[0], year, months=11)
    found = _verdicts(tree["a1"], year)
    assert found[rated[0].pk].status == "ineligible" and found[rated[1].pk].status == "eligible"
    assert "12 tháng" in found[rated[0].pk].verdict.reason("months_worked").message
    cstdcs = _title("2017", "CSTDCS")
    login(dept_admin).post(reverse("title_edit", args=[cstdcs.pk]), _post_data(cstdcs, quota_percent="50"))
    quota = [q for q in verdicts.quota_results({"LDTT": 4, "CSTDCS": 3}, year) if q.code == "CSTDCS"][0]
    assert quota.allowed == 2 and quota.exceeded


@pytest.mark.parametrize("field,value,label", [
    ("quota_percent", "150", "Tỷ lệ tối đa (%)"),
    ("min_months_worked", "13", "Số tháng công tác tối thiểu trong năm học"),
    ("advanced", "{not json", "Tiêu chuẩn nâng cao (JSON)"),
    ("advanced", '{"min_rating": "HTXSNV"}', "Tiêu chuẩn nâng cao (JSON)"),
    ("advanced", '{"member_rules": {"min_share_ldtt": "nhiều"}}', "Tiêu chuẩn nâng cao (JSON)"),
    ("name", "", "Tên danh hiệu, hình thức"),
    ("pre-0-count", "0", "Số lần"),
])
def test_bad_criteria_input_is_refused_naming_the_field(catalogue, dept_admin, login, field, value, label):
    title = _title("2023", "TTLDTT") if "member_rules" in value else _title("2017", "CSTDCS")
    response = login(dept_admin).post(reverse("title_edit", args=[title.pk]), _post_data(title, **{field: value}))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Chưa lưu" in page and label in page
    fresh = Title.objects.get(pk=title.pk)
    assert fresh.revision == 1 and fresh.criteria == title.criteria


def test_a_save_from_a_stale_page_is_refused(catalogue, dept_admin, login):
    title = _title("2017", "LDTT")
    client = login(dept_admin)
    stale = _post_data(title, notes="lần một")
    client.post(reverse("title_edit", args=[title.pk]), _post_data(title, notes="lần hai"))
    response = client.post(reverse("title_edit", args=[title.pk]), stale)
    assert "vừa được sửa" in response.content.decode()
    assert Title.objects.get(pk=title.pk).notes == "lần hai"


def test_unconfirmed_entries_show_a_badge_and_stay_editable(catalogue, dept_admin, login):
    unconfirmed = _title("2017", "CSTD_TINH")  # confirmed: partial
    assert unconfirmed.is_unconfirmed
    client = login(dept_admin)
    regime_page = client.get(reverse("regime_detail", args=[unconfirmed.regime_id])).content.decode()
    assert regime_page.count("Chưa xác nhận") == Title.objects.filter(regime=unconfirmed.regime).exclude(
        confirmed="true").count()
    page = client.get(reverse("title_edit", args=[unconfirmed.pk])).content.decode()
    assert 'id="unconfirmed-badge"' in page and "<fieldset >" in page.replace("<fieldset  >", "<fieldset >")
    client.post(reverse("title_edit", args=[unconfirmed.pk]), _post_data(unconfirmed, confirmed="true"))
    assert not Title.objects.get(pk=unconfirmed.pk).is_unconfirmed


# --- regimes and school years -------------------------------------------------------------------

def test_a_new_regime_changes_verdicts_for_its_years_only(tree, catalogue, officer_a1, dept_admin, login):
    y2024, y2025 = school_year("2024-2025"), school_year("2025-2026")
    assert regime_of(y2024).code == regime_of(y2025).code == "2023"
    person = StaffFactory(unit=tree["a1"], full_name="Võ Thị Hạnh")
    for y in (y2024, y2025):
        _rate(person, y)
        _register(tree["a1"], y, officer_a1, [person])
    client = login(dept_admin)
    response = client.post(reverse("regime_new"), {
        "source": Regime.objects.get(code="2023").pk, "code": "2025", "name": "Luật TĐKT sửa đổi 2025",
        "texts": "NĐ 152/2025/NĐ-CP\nTT 15/2025/TT-BNV", "first_year": "2025"})
    assert response.status_code == 302
    new = Regime.objects.get(code="2025")
    assert (new.first_year, new.last_year) == (2025, None) and new.titles.count() == 20
    assert Regime.objects.get(code="2023").last_year == 2024
    y2024.refresh_from_db(), y2025.refresh_from_db()
    assert y2024.regime.code == "2023" and y2025.regime_id == new.pk
    assert Registration.objects.get(school_year=y2025).title.regime_id == new.pk
    # Copied unchanged: the same verdicts, with the same citations.
    assert _verdicts(tree["a1"], y2025)[person.pk].status == "eligible"
    article = _verdicts(tree["a1"], y2025)[person.pk].verdict.reasons[0].article
    assert article == _verdicts(tree["a1"], y2024)[person.pk].verdict.reasons[0].article
    ldtt = _title("2025", "LDTT")
    client.post(reverse("title_edit", args=[ldtt.pk]), _post_data(ldtt, min_rating="HTXSNV"))
    assert _verdicts(tree["a1"], y2025)[person.pk].status == "ineligible"
    assert _verdicts(tree["a1"], y2025)[person.pk].verdict.regime == "2025"
    assert _verdicts(tree["a1"], y2024)[person.pk].status == "eligible"
    # A year created later falls under the new regime by its years.
    assert school_year("2026-2027").regime_id == new.pk


def test_a_new_regime_must_start_after_the_one_in_force(catalogue, dept_admin, login):
    response = login(dept_admin).post(reverse("regime_new"), {
        "source": Regime.objects.get(code="2023").pk, "code": "X", "name": "Thử", "texts": "", "first_year": "2023"})
    assert response.status_code == 200 and "chế độ mới phải bắt đầu" in response.content.decode()
    assert not Regime.objects.filter(code="X").exists() and Regime.objects.get(code="2017").last_year == 2022


def test_a_school_year_pointed_at_another_regime_is_evaluated_under_it(tree, year, rated, dept_admin, login):
    assert {v.verdict.regime for v in _verdicts(tree["a1"], year).values()} == {"2017"}
    regime_2023 = Regime.objects.get(code="2023")
    ldtt = _title("2023", "LDTT")
    client = login(dept_admin)
    client.post(reverse("title_edit", args=[ldtt.pk]), _post_data(ldtt, min_rating="HTXSNV"))
    response = client.post(reverse("catalogue_home"), {"school_year": year.pk, "regime": regime_2023.pk})
    assert response.status_code == 302
    year = SchoolYear.objects.get(pk=year.pk)
    assert year.regime_id == regime_2023.pk
    assert set(Registration.objects.filter(school_year=year).values_list("title__regime__code", flat=True)) == {"2023"}
    found = _verdicts(tree["a1"], year)
    assert {v.verdict.regime for v in found.values()} == {"2023"} and {v.status for v in found.values()} == {"ineligible"}


def test_moving_a_year_to_another_regime_keeps_each_registrations_history(tree, year, rated, dept_admin):
    regime_2023 = Regime.objects.get(code="2023")
    moved = catalogue_services.school_year_set_regime(school_year=year, regime=regime_2023, user=dept_admin)
    registrations = list(Registration.objects.filter(school_year=year))
    assert moved == len(registrations) > 0
    for r in registrations:
        last = r.history.order_by("-history_date", "-history_id").first()
        assert last.history_type == "~" and last.title_id == r.title_id and last.history_user == dept_admin


@pytest.mark.parametrize("state", ["closed", "accepted"])
def test_a_judged_year_cannot_move_to_another_regime(tree, year, rated, dept_admin, login, state):
    """Its accepted dossiers' caps and verdicts were decided under the regime it has."""
    from registrations.models import RegistrationDossier

    if state == "closed":
        SchoolYear.objects.filter(pk=year.pk).update(status=SchoolYear.Status.CLOSED)
        expected = "đã kết thúc: không thể đổi chế độ pháp lý"
    else:
        RegistrationDossier.objects.filter(school_year=year).update(status=RegistrationDossier.Status.ACCEPTED)
        expected = "hồ sơ được Sở duyệt theo chế độ hiện hành"
    before = set(Registration.objects.filter(school_year=year).values_list("pk", "title_id"))
    response = login(dept_admin).post(reverse("catalogue_home"),
                                      {"school_year": year.pk, "regime": Regime.objects.get(code="2023").pk}, follow=True)
    assert expected in response.content.decode()
    assert SchoolYear.objects.get(pk=year.pk).regime.code == "2017"
    # A closed year's regime is shown, not offered for change.
    shown = login(dept_admin).get(reverse("catalogue_home")).content.decode()
    assert (f'id="regime-{year.pk}"' in shown) == (state != "closed")
    assert set(Registration.objects.filter(school_year=year).values_list("pk", "title_id")) == before


def test_school_years_get_their_regime_whenever_created(db):
    before = school_year("2019-2020")
    assert before.regime_id is None  # no catalogue yet
    load_catalogue()
    assert SchoolYear.objects.get(pk=before.pk).regime.code == "2017"
    assert school_year("2023-2024").regime.code == "2023"
    assert school_year("2022-2023").regime.code == "2017"


# --- verdicts recorded at acceptance --------------------------------------------------------------

def test_accepted_verdicts_are_recorded_and_survive_a_catalogue_edit(
        tree, year, catalogue, officer_x, officer_a1, dept_reviewer, dept_admin, login):
    x_person = StaffFactory(unit=tree["x"], full_name="Đặng Văn Khoa")
    a1_person = StaffFactory(unit=tree["a1"], full_name="Lý Thị Mai")
    for p in (x_person, a1_person):
        _rate(p, year)
    dossier_x = _register(tree["x"], year, officer_x, [x_person])
    _register(tree["a1"], year, officer_a1, [a1_person])
    services.dossier_transition(dossier_x, action=Action.SUBMIT, user=officer_x)
    services.dossier_transition(dossier_x, action=Action.ACCEPT, user=dept_reviewer)
    recorded = RecordedVerdict.objects.get()
    assert recorded.registration.staff == x_person and recorded.status == "eligible"
    assert (recorded.title_revision, recorded.regime_code, recorded.recorded_by) == (1, "2017", dept_reviewer)
    assert recorded.verdict["reasons"] and recorded.verdict["reasons"][0]["article"]

    ldtt = _title("2017", "LDTT")
    login(dept_admin).post(reverse("title_edit", args=[ldtt.pk]), _post_data(ldtt, min_rating="HTXSNV"))
    assert _verdicts(tree["x"], year)[x_person.pk].status == "eligible"  # as recorded
    assert _verdicts(tree["x"], year)[x_person.pk].recorded == recorded
    assert _verdicts(tree["a1"], year)[a1_person.pk].status == "ineligible"  # not yet accepted: recomputed

    page = login(dept_reviewer).get(reverse("dossier_page", args=[tree["x"].pk, year.code])).content.decode()
    assert "đã ghi nhận" in page and "Đủ điều kiện" in page
    report = login(dept_reviewer).get(reverse("report_registrations") + f"?year={year.code}").content.decode()
    assert "Đủ điều kiện (đã ghi nhận)" in report
    out = StringIO()
    call_command("check_eligibility", "--year", year.code, "--unit", "THPT-X", stdout=out)
    assert "Đủ điều kiện" in out.getvalue() and "Chưa đủ" not in out.getvalue()


# --- permissions ---------------------------------------------------------------------------------

def test_only_the_departments_roles_see_the_catalogue_and_only_its_admin_edits(catalogue, make_user, login,
                                                                               officer_a1, reviewer_a, dept_reviewer):
    title = _title("2017", "LDTT")
    urls = [reverse("catalogue_home"), reverse("regime_detail", args=[title.regime_id]),
            reverse("title_edit", args=[title.pk])]
    for user in (officer_a1, reviewer_a):
        client = login(user)
        for url in urls + [reverse("regime_new")]:
            assert client.get(url).status_code == 403, (user.role, url)
    viewer = make_user("sgd", Role.VIEWER, username="lanhdao.so")
    for user in (viewer, dept_reviewer):
        client = login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200 and "Danh mục danh hiệu" in response.content.decode()
        assert client.get(reverse("regime_new")).status_code == 403
        assert client.post(reverse("title_edit", args=[title.pk]), _post_data(title, name="Khác")).status_code == 403
        assert "chỉ xem được danh mục" in client.get(urls[2]).content.decode()
    assert Title.objects.get(pk=title.pk).revision == 1


def test_the_menu_shows_the_catalogue_to_the_departments_roles(catalogue, login, officer_a1, dept_admin):
    assert "Danh mục danh hiệu" in login(dept_admin).get(reverse("home")).content.decode()
    assert "Danh mục danh hiệu" not in login(officer_a1).get(reverse("home")).content.decode()


# --- cost of a province year -------------------------------------------------------------------

@pytest.mark.parametrize("n", [2, 40])
def test_evaluating_a_province_year_does_not_grow_with_people(tree, year, catalogue, officer_a1, n,
                                                              django_assert_max_num_queries):
    people = [StaffFactory(unit=tree["a1"], full_name=f"Tạ Văn {letters(i)}") for i in range(n)]
    for p in people:
        _rate(p, year)
    _register(tree["a1"], year, officer_a1, people)
    regs = list(Registration.objects.filter(school_year=year).select_related("title", "staff", "recorded_verdict"))
    year = SchoolYear.objects.get(pk=year.pk)
    verdicts.rules()  # warm, as a running site is
    # overrides, regime, years, ratings, recognised titles, initiatives, catalogue key
    with django_assert_max_num_queries(7):
        found = verdicts.verdicts_for(regs, year)
    assert len(found) == n and {v.status for v in found.values()} == {"eligible"}


# --- refused edits the tester found ---------------------------------------------------------------

def _new_row(title: Title) -> int:
    """Index of the first empty prerequisite row of the edit page (0-based)."""
    return len(_editor(title).prerequisites.initial or [])


@pytest.mark.parametrize("consecutive,count,window,words", [
    ("2", "2", "1", "Số năm liên tục"),  # the tester's "2 năm liên tục, 2 lần trong 1 năm"
    ("2", "3", "", "Số năm liên tục"),  # 2 consecutive years cannot stand for 3 times: the count would be dropped
    ("3", "", "5", "Số năm liên tục"),
    ("0", "5", "3", "lớn hơn"),  # more times than school years in the window
])
def test_a_contradictory_prerequisite_row_is_refused_naming_the_row(catalogue, dept_admin, login,
                                                                    consecutive, count, window, words):
    title = _title("2017", "CSTDCS")
    i = _new_row(title)
    data = _post_data(title, **{f"pre-{i}-code": "LDTT", f"pre-{i}-consecutive_years": consecutive,
                                f"pre-{i}-count": count, f"pre-{i}-window_years": window})
    response = login(dept_admin).post(reverse("title_edit", args=[title.pk]), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Chưa lưu" in page and f"Dòng {i + 1}:" in page and words in page
    fresh = Title.objects.get(pk=title.pk)
    assert fresh.revision == 1 and fresh.criteria == title.criteria


def test_a_count_within_a_window_or_consecutive_years_alone_are_still_saved(catalogue, dept_admin):
    title = _title("2017", "CSTDCS")
    i = _new_row(title)
    # The last two: a count the consecutive run already implies (titles.yaml's CSTĐCS "1 năm, 1 lần").
    for consecutive, count, window in (("0", "2", "3"), ("0", "3", "3"), ("2", "", ""), ("0", "2", ""),
                                       ("1", "1", ""), ("3", "2", "5")):
        editor = _editor(title, _post_data(title, **{
            f"pre-{i}-code": "LDTT", f"pre-{i}-consecutive_years": consecutive,
            f"pre-{i}-count": count, f"pre-{i}-window_years": window}))
        assert editor.is_valid(), editor.error_summary()


@pytest.mark.parametrize("code,advanced,key", [
    ("CSTDCS", '{"foo": 1}', "foo"),
    ("CSTDCS", '{"disqualifiers": ["x"], "min_ratng": "HTXSNV"}', "min_ratng"),
    ("TTLDTT", '{"member_rules": {"min_share_ldt": 0.5}}', "min_share_ldt"),
])
def test_unknown_advanced_keys_are_refused_naming_the_key(catalogue, dept_admin, login, code, advanced, key):
    title = _title("2023" if code == "TTLDTT" else "2017", code)
    response = login(dept_admin).post(reverse("title_edit", args=[title.pk]), _post_data(title, advanced=advanced))
    page = response.content.decode()
    assert response.status_code == 200 and "Chưa lưu" in page and f"“{key}”" in page
    fresh = Title.objects.get(pk=title.pk)
    assert fresh.revision == 1 and fresh.criteria == title.criteria


def test_known_advanced_keys_are_still_saved(catalogue, dept_admin):
    title = _title("2023", "TTLDTT")
    advanced = '{"member_rules": {"min_share_ldtt": 0.6, "share_strictly_greater": true}, "disqualifiers": ["x"]}'
    editor = _editor(title, _post_data(title, advanced=advanced))
    assert editor.is_valid(), editor.error_summary()
    assert editor.values()["criteria"]["member_rules"]["min_share_ldtt"] == 0.6


def test_the_regime_page_keeps_the_menus_year_selector(catalogue, year, dept_admin, login):
    later = school_year("2024-2025")
    regime = regime_of(later)
    assert regime_of(year) != regime
    page = login(dept_admin).get(reverse("regime_detail", args=[regime.pk])).content.decode()
    switcher = page.split('id="year-select"', 1)[1].split("</select>", 1)[0]
    assert 'value="2020-2021"' in switcher and 'value="2024-2025"' in switcher
    own = page.split("Năm học được xét theo chế độ này:", 1)[1].split("</p>", 1)[0]
    assert "2024-2025" in own and "2020-2021" not in own
    home = login(dept_admin).get(reverse("catalogue_home")).content.decode()
    assert 'value="2020-2021"' in home.split('id="year-select"', 1)[1].split("</select>", 1)[0]


@pytest.mark.parametrize("field,value,message", [
    ("ladder_rank", "abc", "Nhập một số nguyên."),
    ("ladder_rank", "2.5", "Nhập một số nguyên."),
    ("quota_percent", "abc", "Nhập một số."),
    ("ladder_rank", "21", "nhỏ hơn hoặc bằng 20."),
    ("ladder_rank", "-1", "lớn hơn hoặc bằng 0."),
    ("quota_percent", "150", "không được lớn hơn 100."),
    ("pre-0-count", "0", "lớn hơn hoặc bằng 1."),
])
def test_number_fields_speak_proper_vietnamese(catalogue, dept_admin, login, field, value, message):
    title = _title("2017", "CSTDCS")
    page = login(dept_admin).post(reverse("title_edit", args=[title.pk]),
                                  _post_data(title, **{field: value})).content.decode()
    assert "Chưa lưu" in page and message in page
    assert "tổng thể" not in page and " ." not in page.replace("… .", "")


def test_the_new_regime_form_speaks_proper_vietnamese(catalogue, dept_admin, login):
    page = login(dept_admin).post(reverse("regime_new"), {"code": "2030", "name": "X", "first_year": "abc"})
    assert "Nhập một số nguyên." in page.content.decode() and "tổng thể" not in page.content.decode()


# --- school years opened and moved through their statuses by the Sở --------------------------------

def test_the_department_admin_opens_the_next_school_year_with_its_regime(catalogue, dept_admin, login):
    latest = school_year("2026-2027", status=SchoolYear.Status.REGISTRATION_OPEN)
    response = login(dept_admin).post(reverse("catalogue_home"), {"op": "next_year"}, follow=True)
    assert "Đã mở năm học 2027-2028" in response.content.decode()
    new = SchoolYear.objects.get(code="2027-2028")
    assert (new.start_date, new.end_date) == (latest.start_date.replace(year=2027), latest.end_date.replace(year=2028))
    assert new.registration_deadline == latest.registration_deadline.replace(year=2027)
    assert new.status == SchoolYear.Status.PREPARING and new.regime.code == "2023"
    # Twice: the next one again, never a duplicate.
    login(dept_admin).post(reverse("catalogue_home"), {"op": "next_year"})
    assert SchoolYear.objects.filter(code__in=["2027-2028", "2028-2029"]).count() == 2


@pytest.mark.parametrize("start, to, ok", [
    ("preparing", "registration_open", True),
    ("registration_open", "evaluation", True),
    ("evaluation", "registration_open", True),  # one step back: a mistaken click
    ("evaluation", "closed", True),
    ("preparing", "closed", False),  # skipping steps
    ("closed", "evaluation", False),  # a closed year is settled
])
def test_a_school_year_moves_one_status_at_a_time_and_a_closed_one_stays_closed(catalogue, dept_admin, login,
                                                                                 start, to, ok):
    year = school_year("2026-2027", status=start)
    response = login(dept_admin).post(reverse("catalogue_home"),
                                      {"op": "status", "school_year": year.pk, "status": to}, follow=True)
    assert SchoolYear.objects.get(pk=year.pk).status == (to if ok else start)
    if not ok:
        assert "không mở lại được" in response.content.decode() or "liền trước hoặc liền sau" in response.content.decode()


def test_only_the_department_admin_opens_or_moves_school_years(catalogue, dept_reviewer, login):
    year = school_year("2026-2027", status=SchoolYear.Status.PREPARING)
    client = login(dept_reviewer)
    assert client.post(reverse("catalogue_home"), {"op": "next_year"}).status_code == 403
    assert client.post(reverse("catalogue_home"), {"op": "status", "school_year": year.pk,
                                                    "status": "registration_open"}).status_code == 403
    assert SchoolYear.objects.count() == 1 and SchoolYear.objects.get().status == SchoolYear.Status.PREPARING
