"""seed_demo: the whole province once per module (about 25,000 staff), then checks against it.

The module fixture seeds inside a transaction that is rolled back at the end of the module,
so other test modules still start from an empty database. Each test runs in its own savepoint.
"""

from __future__ import annotations

import datetime
import io
import random
import unicodedata
from collections import Counter

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from registrations.models import SchoolYear
from units import demo
from units.models import Collective, Employment, Role, Staff, Unit, User

TODAY = datetime.date(2026, 12, 3)
REPORT = demo.load_report()

EXPECTED_DEMO_ACCOUNTS = {
    "so.quantri": (Role.DEPARTMENT_ADMIN, "SGD"),
    "so.chuyenvien": (Role.DEPARTMENT_REVIEWER, "SGD"),
    "so.lanhdao": (Role.VIEWER, "SGD"),
    "pgd.tanan": (Role.DISTRICT_REVIEWER, "PGD-TANAN"),
    "thcs.phuong5": (Role.SCHOOL_OFFICER, "THCS-TANAN-PHUONG5"),
    "thcs.phuong5.ht": (Role.SCHOOL_HEAD, "THCS-TANAN-PHUONG5"),
    "thpt.tanan": (Role.SCHOOL_OFFICER, "THPT-TANAN-TANAN"),
    "thpt.tanan.ht": (Role.SCHOOL_HEAD, "THPT-TANAN-TANAN"),
}


def counts() -> dict[str, int]:
    return {
        "units": Unit.objects.count(),
        "staff": Staff.objects.count(),
        "employments": Employment.objects.count(),
        "teams": Collective.objects.count(),
        "accounts": User.objects.count(),
        "school_years": SchoolYear.objects.count(),
    }


pytestmark = pytest.mark.django_db


def test_creates_the_607_units_and_the_school_years(seeded):
    assert Unit.objects.count() == 607
    assert len(seeded.units.created) == 607
    years = {y.code: y for y in SchoolYear.objects.all()}
    assert sorted(years) == [f"{y}-{y + 1}" for y in range(2016, 2027)]
    current = years["2026-2027"]
    assert current.status == SchoolYear.Status.REGISTRATION_OPEN
    assert (current.start_date, current.end_date, current.registration_deadline) == (
        datetime.date(2026, 8, 1), datetime.date(2027, 7, 31), datetime.date(2026, 10, 15),
    )
    assert {y.status for code, y in years.items() if code != "2026-2027"} == {SchoolYear.Status.CLOSED}


def test_demo_accounts_have_their_role_and_unit(seeded):
    users = {u.username: u for u in User.objects.filter(username__in=EXPECTED_DEMO_ACCOUNTS).select_related("unit")}
    assert set(users) == set(EXPECTED_DEMO_ACCOUNTS)
    for username, (role, code) in EXPECTED_DEMO_ACCOUNTS.items():
        user = users[username]
        assert (user.role, user.unit.code) == (role, code), username
        assert user.check_password(demo.DEMO_PASSWORD), username
        assert not user.must_change_password
        assert user.is_active and user.full_name
    # The two schools of the demo: one under a Phòng, one directly under the Sở.
    assert users["thcs.phuong5"].unit.parent.code == "PGD-TANAN"
    assert users["thpt.tanan"].unit.parent.code == "SGD"
    # The head's account carries the name of the school's Hiệu trưởng.
    head = Staff.objects.get(unit__code="THPT-TANAN-TANAN", position="Hiệu trưởng")
    assert users["thpt.tanan.ht"].full_name == head.full_name


def test_every_unit_but_the_new_one_has_an_account(seeded):
    without = set(Unit.objects.annotate(n=Count("users")).filter(n=0).values_list("code", flat=True))
    assert without == {"MN-KIENTUONG-VANHKHUYEN"}
    officer = User.objects.get(username="cb.th-canduoc-longkhe")
    assert (officer.role, officer.unit.code) == (Role.SCHOOL_OFFICER, "TH-CANDUOC-LONGKHE")
    assert officer.check_password(demo.DEMO_PASSWORD)
    # The other Phòng get a reviewer, who reviews its schools.
    assert User.objects.get(username="cb.pgd-canduoc").role == Role.DISTRICT_REVIEWER
    # 8 demo accounts + one officer for each of the 607 - 4 - 1 other units.
    assert User.objects.count() == 8 + 602


def test_report_thpt_schools_have_at_least_their_ldtt_count(seeded):
    minimums = demo.ldtt_minimums(REPORT)
    assert len(minimums) == 13 and minimums["THPT-BENLUC-NGUYENHUUTHO"] == 168
    sizes = dict(
        Staff.objects.filter(unit__code__in=minimums).values_list("unit__code").annotate(n=Count("id"))
    )
    for code, minimum in minimums.items():
        assert sizes.get(code, 0) >= minimum, code


def test_unit_sizes_lie_in_the_range_of_their_level(seeded):
    rows = Unit.objects.annotate(n=Count("staff")).values_list("code", "level", "n")
    seen_levels = set()
    for code, level, size in rows:
        low, high = demo.SIZE_RANGES[level]
        assert low <= size <= high, (code, level, size)
        seen_levels.add(level)
    assert seen_levels == set(demo.SIZE_RANGES)
    assert 20_000 <= Staff.objects.count() <= 30_000


def test_each_unit_has_one_head_and_its_teams(seeded):
    heads = Counter(
        Staff.objects.filter(position__in=["Hiệu trưởng", "Giám đốc"], team__isnull=True)
        .values_list("unit__code", flat=True)
    )
    schools = Unit.objects.exclude(level=Unit.Level.PGD).values_list("code", flat=True)
    assert all(heads[code] == 1 for code in schools)
    teams = set(Collective.objects.filter(unit__code="THPT-TANAN-TANAN").values_list("name", flat=True))
    assert {"Tổ Toán", "Tổ Ngữ văn", "Tổ Văn phòng"} <= teams
    # Every team has exactly one leader (the Sở's offices have a Trưởng phòng or a Chánh ...).
    school_teams = Collective.objects.exclude(unit__level=Unit.Level.SGD).annotate(
        leaders=Count("members", filter=Q(members__position="Tổ trưởng"))
    )
    assert set(school_teams.values_list("leaders", flat=True)) == {1}


def test_names_are_nfc_and_keys_are_filled(seeded):
    rows = Staff.objects.values_list("full_name", "family_name", "given_name", "search_name", "sort_key")
    for full_name, family, given, search_name, sort_key in rows:
        assert unicodedata.is_normalized("NFC", full_name), full_name
        assert family and given and search_name.strip() and sort_key, full_name
        assert len(full_name.split()) in (3, 4), full_name
    assert not Staff.objects.filter(Q(search_name="") | Q(sort_key="")).exists()
    # Seeded in bulk: no history rows for 25,000 people.
    assert Staff.history.count() == 0


def test_employments_open_once_and_transfers_leave_history(seeded):
    assert not Staff.objects.annotate(
        open=Count("employments", filter=Q(employments__end_date__isnull=True))
    ).exclude(open=1).exists()
    closed = list(Employment.objects.filter(end_date__isnull=False).select_related("staff__unit", "unit"))
    staff_count = Staff.objects.count()
    assert 0.005 * staff_count <= len(closed) <= 0.02 * staff_count
    current = {e.staff_id: e for e in Employment.objects.filter(end_date__isnull=True, staff_id__in=[
        e.staff_id for e in closed
    ])}
    for old in closed:
        new = current[old.staff_id]
        assert old.unit_id != new.unit_id
        # Same level, except the Sở, whose staff come from a Phòng.
        assert (old.unit.level, new.unit.level) in {(new.unit.level,) * 2, ("PGD", "SGD")}
        assert old.end_date == new.start_date - datetime.timedelta(days=1)
    # Mostly within the district (a district has one Phòng, so those come from elsewhere).
    same_district = sum(current[old.staff_id].unit.district == old.unit.district for old in closed)
    assert same_district >= 0.8 * len(closed)
    # Some people joined in 2018-2020: the 2016-2017 list is shorter than the 2020-2021 one.
    joined_late = Employment.objects.filter(
        end_date__isnull=True, start_date__year__in=[2018, 2019, 2020]
    ).count()
    assert 0.02 * staff_count <= joined_late <= 0.1 * staff_count


def test_running_twice_changes_no_counts(seeded):
    before = counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert counts() == before
    output = out.getvalue()
    assert "bỏ qua bước tạo cán bộ mẫu" in output
    assert "demo12345" in output and "thpt.tanan.ht" in output


def test_seeded_staff_follow_the_plan(seeded):
    """The database holds exactly what the pure planner gives for the same units."""
    units = list(Unit.objects.all())
    plan = {unit.code: people for unit, people in demo.plan_staff(units, demo.ldtt_minimums(REPORT))}
    for code in ("THPT-BENLUC-NGUYENHUUTHO", "TH-CANDUOC-LONGKHE", "SGD"):
        stored = list(Staff.objects.filter(unit__code=code).order_by("pk").values_list("full_name", flat=True))
        assert stored == [person.full_name for person, _ in plan[code]]


def test_generator_is_deterministic():
    first = demo.generate_unit_staff(random.Random(demo.SEED), Unit.Level.THPT, minimum=168)
    second = demo.generate_unit_staff(random.Random(demo.SEED), Unit.Level.THPT, minimum=168)
    assert [p.full_name for p in first[:20]] == [p.full_name for p in second[:20]]
    assert first == second
    other = demo.generate_unit_staff(random.Random(demo.SEED + 1), Unit.Level.THPT, minimum=168)
    assert [p.full_name for p in first[:20]] != [p.full_name for p in other[:20]]
    assert len(first) >= 168
    positions = Counter(p.position for p in first)
    assert positions["Hiệu trưởng"] == 1 and 1 <= positions["Phó Hiệu trưởng"] <= 2
    assert positions["Tổ trưởng"] == len(demo.team_names(Unit.Level.THPT))


# --- demo dossiers (registrations/demo.py) ---------------------------------------------------

def test_the_report_schools_have_their_dossier_counts(seeded):
    from awards.selectors import registrable_titles
    from registrations import selectors as reg_selectors
    from registrations.models import RegistrationDossier

    year = SchoolYear.objects.get(code="2020-2021")
    titles = list(registrable_titles(year))
    for code, (ldtt, cstdcs, tinh) in REPORT["individual_registrations_in_dossiers"]["units"].items():
        dossier = RegistrationDossier.objects.get(unit__code=code, school_year=year)
        summary = {t.code: n for t, n in reg_selectors.dossier_summary(reg_selectors.dossier_registrations(dossier), titles)}
        assert (summary["LDTT"], summary["CSTDCS"], summary["CSTD_TINH"]) == (ldtt, cstdcs, tinh), code
        # THPT Tân An waits for the Sở: the demo's acceptance journey (tests/awards/test_demo_rules.py).
        expected = "submitted" if code == "THPT-TANAN-TANAN" else "accepted"
        assert dossier.status == expected, code


def test_the_report_lists_shape_the_2020_dossiers(seeded):
    from registrations.models import Registration, RegistrationDossier

    year = SchoolYear.objects.get(code="2020-2021")
    no_data = REPORT["no_registration_data"]["units"]
    assert not RegistrationDossier.objects.filter(school_year=year, unit__code__in=no_data).exists()
    no_collective = REPORT["no_collective_registration"]["units"]
    assert not Registration.objects.filter(
        school_year=year, dossier__unit__code__in=no_collective).exclude(subject="staff").exists()
    missed = REPORT["missed_by_old_summary"]["units"]
    with_people = set(Registration.objects.filter(school_year=year, subject="staff", dossier__unit__code__in=missed)
                      .values_list("dossier__unit__code", flat=True))
    assert with_people == set(missed)


def test_demo_dossier_timestamps_follow_the_workflow(seeded):
    from registrations.models import RegistrationDossier

    for d in RegistrationDossier.objects.exclude(submitted_at=None)[:300]:
        assert d.created_at < d.submitted_at
        if d.forwarded_at:
            assert d.submitted_at < d.forwarded_at
        if d.accepted_at:
            assert (d.forwarded_at or d.submitted_at) < d.accepted_at
        # Every save and transition bumps the version; a "Ghi đè" is written at the acceptance's.
        assert d.events.exclude(action="override").count() == d.version + 1


def test_province_summary_of_the_demo_adds_up_and_shows_the_report_counts(seeded):
    from reports import selectors as report_selectors

    year = SchoolYear.objects.get(code="2020-2021")
    s = report_selectors.summary(Unit.objects.get(code="SGD"), year)
    for measure in ("registered", "accepted"):
        for t in s.titles:
            assert sum(r.counts[measure][t.code] for r in s.units) == s.total.counts[measure][t.code]
            assert sum(d.counts[measure][t.code] for d in s.districts) == s.total.counts[measure][t.code]
    by_code = {r.code: r.counts["registered"] for r in s.units}
    for code, (ldtt, cstdcs, tinh) in REPORT["individual_registrations_in_dossiers"]["units"].items():
        assert (by_code[code]["LDTT"], by_code[code]["CSTDCS"], by_code[code]["CSTD_TINH"]) == (ldtt, cstdcs, tinh)
    # The 12 units the old software's summary missed are in ours, with their registrations.
    for code in REPORT["missed_by_old_summary"]["units"]:
        assert by_code[code]["LDTT"] > 0
