"""School years and (later) registration dossiers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

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
