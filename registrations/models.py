"""School years and (later) registration dossiers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

SCHOOL_YEAR_CODE = re.compile(r"^(\d{4})-(\d{4})$")


class SchoolYear(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", "Chuẩn bị"
        REGISTRATION_OPEN = "registration_open", "Đang đăng ký"
        EVALUATION = "evaluation", "Đang xét"
        CLOSED = "closed", "Đã kết thúc"

    code = models.CharField("năm học", max_length=9, unique=True)
    start_date = models.DateField("ngày bắt đầu")
    end_date = models.DateField("ngày kết thúc")
    registration_deadline = models.DateField("hạn đăng ký thi đua", null=True, blank=True)
    status = models.CharField(
        "trạng thái", max_length=20, choices=Status.choices, default=Status.PREPARING,
    )
    # The legal regime the year is evaluated under. Filled from each regime's years when the
    # year is created; a Sở administrator may point it elsewhere (a transitional year).
    regime = models.ForeignKey("awards.Regime", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="school_years", verbose_name="chế độ pháp lý")

    class Meta:
        verbose_name = "năm học"
        verbose_name_plural = "năm học"
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")), name="schoolyear_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        # Every way a year is created (seed_demo, bench, factories, the admin) gets its regime
        # from the regimes' years; later the Sở may point it elsewhere.
        if self.regime_id is None and SCHOOL_YEAR_CODE.match(self.code or ""):
            from awards.selectors import regime_governing

            self.regime = regime_governing(self.start_year)
            if self.regime is not None and kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "regime"}
        super().save(*args, **kwargs)

    @property
    def start_year(self) -> int:
        return int(self.code[:4])

    @property
    def label(self) -> str:
        return f"Năm học {self.code}"

    def clean(self) -> None:
        match = SCHOOL_YEAR_CODE.match(self.code or "")
        if not match or int(match.group(2)) != int(match.group(1)) + 1:
            raise ValidationError({"code": "Năm học phải có dạng 2020-2021 (hai năm liên tiếp)."})
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError({"end_date": "Ngày kết thúc phải sau ngày bắt đầu."})
        if self.registration_deadline and self.start_date and self.end_date and not (
            self.start_date <= self.registration_deadline <= self.end_date
        ):
            raise ValidationError(
                {"registration_deadline": "Hạn đăng ký phải nằm trong năm học."}
            )


class RegistrationDossier(models.Model):
    """A unit's registrations for one school year, and where it is on its way to the Sở."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Đang soạn"
        SUBMITTED = "submitted", "Đã nộp"
        RETURNED = "returned", "Bị trả lại"
        FORWARDED = "forwarded", "Phòng đã chuyển Sở"
        ACCEPTED = "accepted", "Sở đã duyệt"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="dossiers")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="dossiers")
    status = models.CharField("trạng thái", max_length=16, choices=Status.choices, default=Status.DRAFT)
    # Optimistic locking: every save of entries or status bumps it.
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField("tạo lúc", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    submitted_at = models.DateTimeField("nộp lúc", null=True, blank=True)
    forwarded_at = models.DateTimeField("Phòng chuyển lúc", null=True, blank=True)
    accepted_at = models.DateTimeField("Sở duyệt lúc", null=True, blank=True)
    returned_at = models.DateTimeField("trả lại lúc", null=True, blank=True)
    return_reason = models.TextField("lý do trả lại", blank=True)
    is_late = models.BooleanField("nộp trễ", default=False)

    class Meta:
        verbose_name = "hồ sơ đăng ký thi đua"
        verbose_name_plural = "hồ sơ đăng ký thi đua"
        constraints = [
            models.UniqueConstraint(fields=["unit", "school_year"], name="dossier_one_per_unit_year"),
        ]
        indexes = [models.Index(fields=["school_year", "status"], name="dossier_year_status")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.school_year}"

    @property
    def judged_at(self):
        """When the Sở accepted it, while it stays accepted: quotas are judged as at that moment."""
        return self.accepted_at if self.status == self.Status.ACCEPTED else None

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class Registration(models.Model):
    """One subject's registration in a dossier: a staff member, a team, or the unit itself."""

    class Subject(models.TextChoices):
        STAFF = "staff", "Cá nhân"
        COLLECTIVE = "collective", "Tổ chuyên môn"
        UNIT = "unit", "Đơn vị"

    dossier = models.ForeignKey(RegistrationDossier, on_delete=models.CASCADE, related_name="registrations")
    # Denormalised from the dossier so that "one per staff member per year" is a constraint.
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    subject = models.CharField("đối tượng", max_length=16, choices=Subject.choices)
    staff = models.ForeignKey("units.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="registrations")
    collective = models.ForeignKey(
        "units.Collective", null=True, blank=True, on_delete=models.PROTECT, related_name="registrations",
    )
    title = models.ForeignKey("awards.Title", verbose_name="danh hiệu", on_delete=models.PROTECT, related_name="+")
    note = models.CharField("ghi chú", max_length=500, blank=True)
    created_at = models.DateTimeField("đăng ký lúc", default=timezone.now, editable=False)
    created_by = models.ForeignKey("units.User", null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = "đăng ký thi đua"
        verbose_name_plural = "đăng ký thi đua"
        constraints = [
            models.UniqueConstraint(
                fields=["staff", "school_year"], condition=Q(staff__isnull=False),
                name="registration_one_per_staff_year",
            ),
            models.UniqueConstraint(
                fields=["dossier", "collective"], condition=Q(collective__isnull=False),
                name="registration_one_per_collective",
            ),
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(subject="unit"), name="registration_one_for_the_unit",
            ),
            models.CheckConstraint(
                condition=(
                    Q(subject="staff", staff__isnull=False, collective__isnull=True)
                    | Q(subject="collective", staff__isnull=True, collective__isnull=False)
                    | Q(subject="unit", staff__isnull=True, collective__isnull=True)
                ),
                name="registration_subject_matches",
            ),
        ]
        # Covers the summary's and the board's counts (year → dossier → title, subject) without
        # reading the table.
        indexes = [models.Index(fields=["school_year", "dossier", "title", "subject"], name="registration_year_dossier")]

    def __str__(self) -> str:
        return f"{self.subject_name}: {self.title}"

    @property
    def subject_name(self) -> str:
        if self.subject == self.Subject.STAFF:
            return self.staff.full_name
        if self.subject == self.Subject.COLLECTIVE:
            return self.collective.name
        return self.dossier.unit.name


class DossierEvent(models.Model):
    """The timeline of a dossier: every save and every transition, who, when, what."""

    class Action(models.TextChoices):
        CREATE = "create", "Tạo hồ sơ"
        SAVE = "save", "Lưu đăng ký"
        SUBMIT = "submit", "Nộp hồ sơ"
        FORWARD = "forward", "Phòng chuyển Sở"
        ACCEPT = "accept", "Sở duyệt"
        RETURN = "return", "Trả lại"
        REMIND = "remind", "Nhắc nhở"
        OVERRIDE = "override", "Ghi đè"

    dossier = models.ForeignKey(RegistrationDossier, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    version = models.PositiveIntegerField(default=0)
    actor = models.ForeignKey("units.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(blank=True)
    # For saves: [{"subject": "...", "from": "LĐTT", "to": "CSTĐCS"}, ...]
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["dossier", "version"], name="event_dossier_version")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.at:%d/%m/%Y %H:%M}"

    @property
    def to_status_label(self) -> str:
        return RegistrationDossier.Status(self.to_status).label if self.to_status else ""


class ImportBatch(models.Model):
    """An uploaded registration file between its preview and the officer's decision.

    The file itself is kept so that "confirm" applies exactly what the preview showed, and so
    that an import can be traced afterwards.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "Đang xem trước"
        APPLIED = "applied", "Đã áp dụng"
        CANCELLED = "cancelled", "Đã hủy"
        REJECTED = "rejected", "Bị từ chối"

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey("units.User", null=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    base_version = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREVIEW)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"
