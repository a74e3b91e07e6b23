"""factory_boy factories. Units and staff go through the services, so paths and keys are real."""

from __future__ import annotations

import datetime

import factory

from registrations.models import SchoolYear
from units import services
from units.models import Role, Staff, Unit, User


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"TH-TEST-{n:04d}")
    name = factory.Sequence(lambda n: f"Trường Tiểu học Thử Nghiệm {n}")
    level = "TH"
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.unit_create(**kwargs)


def letters(n: int) -> str:
    """0 -> "Ba", 1 -> "Bb" … : a name word for the n-th test person (names have no digits)."""
    alphabet = "abcdeghiklmnopqrstuvxy"
    word = ""
    n += len(alphabet)
    while n:
        n, r = divmod(n, len(alphabet))
        word = alphabet[r] + word
    return word.capitalize()


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Staff

    unit = factory.SubFactory(UnitFactory)
    full_name = factory.Sequence(lambda n: f"Nguyễn Thị {letters(n)}")
    date_of_birth = datetime.date(1985, 5, 17)
    gender = Staff.Gender.FEMALE
    position = "Giáo viên"
    start_date = datetime.date(2010, 9, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.staff_create(**kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = "Người Dùng Thử"
    role = Role.SCHOOL_OFFICER
    password = factory.PostGenerationMethodCall("set_password", "mat-khau-thu-1")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def school_year(code: str = "2020-2021", **kwargs) -> SchoolYear:
    start = int(code[:4])
    defaults = dict(
        start_date=datetime.date(start, 8, 1),
        end_date=datetime.date(start + 1, 7, 31),
        registration_deadline=datetime.date(start, 10, 15),
        status=SchoolYear.Status.REGISTRATION_OPEN,
    )
    defaults.update(kwargs)
    return SchoolYear.objects.get_or_create(code=code, defaults=defaults)[0]
