"""The benchmark's synthetic data (bench/generate.py): deterministic, growable, province-shaped.

`make bench` compares scale 1, 4 and 16; those numbers mean something only if a database grown
copy by copy holds exactly what one generated at once holds, and if the rows look like a province.
"""

import datetime
import hashlib

import pytest
from django.core.management import call_command
from django.db.models import Count

from awards.models import AnnualRecord, RecognisedTitle
from registrations.models import Registration, RegistrationDossier
from units.models import Staff, Unit, User

TODAY = datetime.date(2026, 11, 2)
SIZE = 0.02  # a fiftieth of a province per copy: a few hundred people, fast enough for the suite


def fingerprint() -> dict:
    """What the data is, without its ids: the same data gives the same fingerprint."""
    staff = hashlib.sha256("\n".join(sorted(
        f"{u}|{n}|{d}" for u, n, d in Staff.objects.values_list("unit__code", "full_name", "date_of_birth")
    )).encode()).hexdigest()
    registrations = hashlib.sha256("\n".join(sorted(
        f"{y}|{u}|{s or ''}|{t}" for y, u, s, t in Registration.objects.values_list(
            "school_year__code", "dossier__unit__code", "staff__full_name", "title__code")
    )).encode()).hexdigest()
    return {"units": Unit.objects.count(), "staff": staff, "registrations": registrations,
            "records": AnnualRecord.objects.count(), "recognised": RecognisedTitle.objects.count(),
            "dossiers": RegistrationDossier.objects.count(), "accounts": User.objects.count()}


@pytest.fixture
def empty_catalogue(db):
    call_command("load_catalogue", verbosity=0)


def test_generating_twice_adds_nothing_and_growing_equals_generating_at_once(empty_catalogue):
    from django.db import transaction

    from bench.generate import generate

    quiet = {"size": SIZE, "today": TODAY, "log": lambda *_: None}
    with transaction.atomic():
        assert generate(2 * SIZE, **quiet).copies == [0, 1]
        once = fingerprint()
        assert generate(2 * SIZE, **quiet).copies == []
        assert fingerprint() == once
        transaction.set_rollback(True)
    assert not Staff.objects.exists()
    # Grown: one copy, then the second.
    assert generate(SIZE, **quiet).copies == [0]
    assert fingerprint() != once
    assert generate(2 * SIZE, **quiet).copies == [1]
    assert fingerprint() == once


def test_the_data_looks_like_a_province(empty_catalogue):
    from bench.generate import YEARS, generate

    generate(SIZE, size=SIZE, today=TODAY, log=lambda *_: None)
    assert Staff.objects.count() > 200
    years = Registration.objects.values("school_year").distinct().count()
    assert years == YEARS
    # every school has a dossier each year, and LĐTT is by far the most common title
    per_title = dict(Registration.objects.values_list("title__code").annotate(n=Count("id")))
    assert per_title["LDTT"] > per_title.get("CSTDCS", 0) > 0
    assert AnnualRecord.objects.count() >= Staff.objects.count()
    assert not Staff.objects.filter(full_name="").exists()
