"""Personas over a small tree (healthchecks' alice/bob/charlie habit):

    Sở (SGD)
    ├── Phòng A (PGD-A) ── school A1 (TH-A-1), school A2 (THCS-A-2)
    ├── Phòng B (PGD-B) ── school B1 (TH-B-1)
    └── THPT X (directly under the Sở)
"""

import datetime

import pytest

from tests.factories import StaffFactory, UnitFactory, UserFactory, school_year
from units.models import Role

PASSWORD = "mat-khau-thu-1"


@pytest.fixture(autouse=True)
def _fresh_tree_cache():
    """A rolled-back test can leave a tree with the same stamp (same ids, frozen clock) as the
    next test's different tree; production never rolls committed units back."""
    from awards.verdicts import clear_rules_cache
    from units.selectors import clear_tree_cache

    clear_tree_cache()
    clear_rules_cache()  # the catalogue's cache key has the same weakness
    yield
    clear_tree_cache()
    clear_rules_cache()


@pytest.fixture(scope="module")
def seeded(request, django_db_setup, django_db_blocker):
    """The whole demo province, seeded once for the module that asks (its TODAY), inside a
    transaction rolled back at the module's end."""
    from django.db import transaction

    from units import demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield demo.seed_demo(today=request.module.TODAY)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def tree(db):
    sgd = UnitFactory(code="SGD", name="Sở Giáo dục và Đào tạo tỉnh Thử", level="SGD")
    pgd_a = UnitFactory(code="PGD-A", name="Phòng Giáo dục và Đào tạo huyện A", level="PGD", parent=sgd)
    pgd_b = UnitFactory(code="PGD-B", name="Phòng Giáo dục và Đào tạo huyện B", level="PGD", parent=sgd)
    a1 = UnitFactory(code="TH-A-1", name="Trường Tiểu học An Phú", level="TH", parent=pgd_a)
    a2 = UnitFactory(code="THCS-A-2", name="Trường THCS Đức Lập", level="THCS", parent=pgd_a)
    b1 = UnitFactory(code="TH-B-1", name="Trường Tiểu học Bình Hòa", level="TH", parent=pgd_b)
    x = UnitFactory(code="THPT-X", name="Trường THPT Xuân Lộc", level="THPT", parent=sgd)
    return dict(sgd=sgd, pgd_a=pgd_a, pgd_b=pgd_b, a1=a1, a2=a2, b1=b1, x=x)


@pytest.fixture
def year(db):
    return school_year("2020-2021")


@pytest.fixture
def people(tree, year):
    return {
        "a1": [
            StaffFactory(unit=tree["a1"], full_name="Nguyễn Văn A", gender="M"),
            StaffFactory(unit=tree["a1"], full_name="Trần Thị Đào", date_of_birth=datetime.date(1990, 1, 2)),
        ],
        "b1": [StaffFactory(unit=tree["b1"], full_name="Lê Văn Bình", gender="M")],
        "x": [StaffFactory(unit=tree["x"], full_name="Phạm Thị Xuân")],
    }


@pytest.fixture
def make_user(tree):
    def make(unit_key: str, role: str, **kwargs):
        return UserFactory(unit=tree[unit_key], role=role, **kwargs)

    return make


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def officer_a1(make_user):
    return make_user("a1", Role.SCHOOL_OFFICER, username="officer.a1")


@pytest.fixture
def reviewer_a(make_user):
    return make_user("pgd_a", Role.DISTRICT_REVIEWER, username="reviewer.a")


@pytest.fixture
def dept_admin(make_user):
    return make_user("sgd", Role.DEPARTMENT_ADMIN, username="admin.so")


@pytest.fixture
def catalogue(db):
    from awards.catalogue import load_catalogue

    load_catalogue()


@pytest.fixture
def head_a1(make_user):
    return make_user("a1", Role.SCHOOL_HEAD, username="head.a1")


@pytest.fixture
def officer_x(make_user):
    return make_user("x", Role.SCHOOL_OFFICER, username="officer.x")


@pytest.fixture
def dept_reviewer(make_user):
    return make_user("sgd", Role.DEPARTMENT_REVIEWER, username="reviewer.so")


@pytest.fixture
def reviewer_b(make_user):
    return make_user("pgd_b", Role.DISTRICT_REVIEWER, username="reviewer.b")
