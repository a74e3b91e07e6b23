"""The unit tree, its history by school year, staff, teams and user accounts.

A unit's name and parent can change from a given school year on. `Unit` holds the latest
known state (and the materialized `path` that scope queries use); every state it has had is a
`UnitVersion` row keyed by the first school year it applies to, so that anything about an
earlier year still sees that year's name and parent (selectors.unit_versions_as_of).
"""

from __future__ import annotations

import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from units import vntext


class Unit(models.Model):
    class Kind(models.TextChoices):
        DEPARTMENT = "department", "Sở GD&ĐT"
        DISTRICT_OFFICE = "district_office", "Phòng GD&ĐT"
        SCHOOL = "school", "Trường"
        CENTER = "center", "Trung tâm"

    class Level(models.TextChoices):
        SGD = "SGD", "Sở GD&ĐT"
        PGD = "PGD", "Phòng GD&ĐT"
        MN = "MN", "Mầm non"
        MG = "MG", "Mẫu giáo"
        TH = "TH", "Tiểu học"
        THCS = "THCS", "THCS"
        TH_THCS = "TH&THCS", "TH&THCS"
        THCS_THPT = "THCS&THPT", "THCS&THPT"
        TH_THCS_THPT = "TH&THCS&THPT", "TH, THCS&THPT"
        THPT = "THPT", "THPT"
        GDTX = "GDTX", "GDTX / GDNN-GDTX"

    # The kind a level implies when a CSV gives no kind column.
    KIND_OF_LEVEL = {
        "SGD": Kind.DEPARTMENT,
        "PGD": Kind.DISTRICT_OFFICE,
        "GDTX": Kind.CENTER,
    }

    code = models.CharField("mã đơn vị", max_length=64, unique=True)
    name = models.CharField("tên đơn vị", max_length=255)
    short_name = models.CharField("tên ngắn", max_length=255)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    level = models.CharField("cấp học", max_length=16, choices=Level.choices)
    district = models.CharField("huyện/thị xã/thành phố", max_length=100, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="đơn vị quản lý", null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # "/1/17/203/": ids from the root; subtree = path__startswith, one indexed query.
    path = models.CharField(max_length=255, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField("đang hoạt động", default=True)
    source = models.CharField("nguồn", max_length=255, blank=True)
    search_name = models.CharField(max_length=300, editable=False, default="")
    # District, then Sở/Phòng before schools, then level, then name, in Vietnamese order.
    sort_key = models.CharField(max_length=400, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "đơn vị"
        verbose_name_plural = "đơn vị"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=False) | Q(kind="department"),
                name="unit_only_department_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_search_name(self) -> None:
        """The derived keys: whole-word search (name and code) and the list order."""
        self.search_name = vntext.search_index(f"{self.name} {self.code}")
        kinds, levels = list(self.Kind.values), list(self.Level.values)
        kind_rank = kinds.index(self.kind) if self.kind in kinds else 9
        level_rank = levels.index(self.level) if self.level in levels else 99
        district = re.sub(r"^(Huyện|Thị xã|Thành phố|Quận)\s+", "", self.district or "")
        self.sort_key = (
            vntext.text_sort_key(district) + str(kind_rank) + f"{level_rank:02d}"
            + vntext.text_sort_key(self.short_name)
        )

    @classmethod
    def kind_for_level(cls, level: str) -> str:
        return cls.KIND_OF_LEVEL.get(level, cls.Kind.SCHOOL)

    def is_ancestor_of(self, other: Unit) -> bool:
        return other.path.startswith(self.path)


class UnitVersion(models.Model):
    """A unit's name, parent and status from school year `from_year` on (0 = from the start)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="versions")
    from_year = models.PositiveSmallIntegerField(
        "áp dụng từ năm học", default=0,
        help_text="Năm bắt đầu của năm học (2022 = năm học 2022-2023); 0 = từ đầu.",
    )
    name = models.CharField("tên đơn vị", max_length=255)
    short_name = models.CharField("tên ngắn", max_length=255)
    parent = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    is_active = models.BooleanField(default=True)
    merged_into = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
    )
    reason = models.CharField("lý do", max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Part of the tree's stamp (units.selectors.tree_stamp): a cached tree is used only while
    # no unit or version has changed since.
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        "units.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        verbose_name = "lịch sử đơn vị"
        verbose_name_plural = "lịch sử đơn vị"
        ordering = ["unit_id", "from_year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "from_year"], name="unitversion_one_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (từ {self.from_year})"


class Collective(models.Model):
    """A team (tổ chuyên môn, tổ văn phòng) inside a unit."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="collectives")
    name = models.CharField("tên tổ", max_length=150)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "tổ chuyên môn"
        verbose_name_plural = "tổ chuyên môn"
        ordering = ["unit_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="collective_unique_name_in_unit"),
        ]

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    class Gender(models.TextChoices):
        MALE = "M", "Nam"
        FEMALE = "F", "Nữ"

    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị hiện tại", on_delete=models.PROTECT, related_name="staff",
    )
    full_name = models.CharField("họ và tên", max_length=150)
    family_name = models.CharField("họ", max_length=50, editable=False)
    middle_name = models.CharField("tên đệm", max_length=150, blank=True, editable=False)
    given_name = models.CharField("tên", max_length=50, editable=False)
    date_of_birth = models.DateField("ngày sinh")
    # Blank = not known yet (people added from an imported file that has no gender column).
    gender = models.CharField("giới tính", max_length=1, choices=Gender.choices, blank=True)
    position = models.CharField("chức vụ", max_length=100, blank=True)
    team = models.ForeignKey(
        Collective, verbose_name="tổ chuyên môn", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="members",
    )
    is_active = models.BooleanField("đang công tác", default=True)
    search_name = models.CharField(max_length=200, editable=False, default="")
    sort_key = models.CharField(max_length=400, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "cán bộ, giáo viên, nhân viên"
        verbose_name_plural = "cán bộ, giáo viên, nhân viên"
        indexes = [models.Index(fields=["unit", "sort_key"], name="staff_unit_sort")]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        error = vntext.person_name_error(self.full_name)
        if error:
            raise ValidationError({"full_name": error})

    def set_name(self, full_name: str) -> None:
        """Store the NFC name, its parts and the keys that search and ordering use."""
        self.full_name = vntext.name_case(full_name)
        self.family_name, self.middle_name, self.given_name = vntext.split_name(self.full_name)
        self.search_name = vntext.search_index(self.full_name)
        self.sort_key = vntext.name_sort_key(self.family_name, self.middle_name, self.given_name)


class Employment(models.Model):
    """A period of a staff member at a unit; a transfer closes one and opens the next."""

    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="employments")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="employments")
    position = models.CharField("chức vụ", max_length=100, blank=True)
    team_name = models.CharField("tổ chuyên môn", max_length=150, blank=True)
    start_date = models.DateField("từ ngày")
    end_date = models.DateField("đến ngày", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        verbose_name = "quá trình công tác"
        verbose_name_plural = "quá trình công tác"
        ordering = ["staff_id", "start_date"]
        indexes = [models.Index(fields=["unit", "start_date", "end_date"], name="employment_unit_period")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="employment_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["staff"], condition=Q(end_date__isnull=True),
                name="employment_one_open_per_staff",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} @ {self.unit} ({self.start_date}–{self.end_date or ''})"


class Role(models.TextChoices):
    SCHOOL_OFFICER = "school_officer", "Cán bộ thi đua của đơn vị"
    SCHOOL_HEAD = "school_head", "Thủ trưởng đơn vị"
    DISTRICT_REVIEWER = "district_reviewer", "Chuyên viên Phòng GD&ĐT"
    DEPARTMENT_REVIEWER = "department_reviewer", "Chuyên viên Sở (TĐKT)"
    DEPARTMENT_ADMIN = "department_admin", "Quản trị hệ thống (Sở)"
    VIEWER = "viewer", "Xem (lãnh đạo, thanh tra)"


class User(AbstractUser):
    """An account belongs to one unit and acts only within that unit's subtree."""

    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="đơn vị", null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    role = models.CharField("vai trò", max_length=32, choices=Role.choices, default=Role.VIEWER)
    must_change_password = models.BooleanField(default=False)

    objects = UserManager()

    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    class Meta:
        verbose_name = "tài khoản"
        verbose_name_plural = "tài khoản"
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | Q(is_superuser=True),
                name="user_has_unit_unless_superuser",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    # Capabilities (healthchecks' Member.is_rw habit): views ask these, never the role string.
    @property
    def is_read_only(self) -> bool:
        return self.role == Role.VIEWER and not self.is_superuser

    @property
    def can_manage_accounts(self) -> bool:
        return self.is_superuser or self.role == Role.DEPARTMENT_ADMIN

    def can_edit_staff_of(self, unit: Unit) -> bool:
        """Officers and heads edit their own unit's staff; the Sở admin any unit in scope."""
        if self.is_superuser or self.role == Role.DEPARTMENT_ADMIN:
            return True
        return self.role in (Role.SCHOOL_OFFICER, Role.SCHOOL_HEAD) and unit.pk == self.unit_id
