"""The catalogue of titles and forms per legal regime (rules and decisions come later)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Regime(models.Model):
    """A legal regime: the law and decrees that govern a range of school years."""

    code = models.CharField("mã", max_length=16, unique=True)
    name = models.CharField("tên", max_length=255)
    texts = models.JSONField("văn bản", default=list, blank=True)
    first_year = models.PositiveSmallIntegerField("áp dụng từ năm học", null=True, blank=True)
    last_year = models.PositiveSmallIntegerField("áp dụng đến năm học", null=True, blank=True)

    class Meta:
        verbose_name = "chế độ pháp lý"
        verbose_name_plural = "chế độ pháp lý"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def governs(self, start_year: int) -> bool:
        return (self.first_year is None or self.first_year <= start_year) and (
            self.last_year is None or start_year <= self.last_year
        )


class Title(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", "Cá nhân"
        COLLECTIVE = "collective", "Tập thể"

    class Category(models.TextChoices):
        TITLE = "title", "Danh hiệu thi đua"
        FORM = "form", "Hình thức khen thưởng"

    regime = models.ForeignKey(Regime, on_delete=models.PROTECT, related_name="titles")
    code = models.CharField("mã", max_length=32)
    name = models.CharField("tên", max_length=255)
    short_name = models.CharField("tên viết tắt", max_length=64, blank=True)
    kind = models.CharField("đối tượng", max_length=16, choices=Kind.choices)
    category = models.CharField("loại", max_length=8, choices=Category.choices)
    # Position on the ladder of its kind; a higher rank also counts for every lower one.
    ladder_rank = models.PositiveSmallIntegerField("bậc", default=0)
    registrable = models.BooleanField("được đăng ký đầu năm", default=False)
    source = models.CharField("căn cứ", max_length=500, blank=True)
    confirmed = models.CharField("đã xác nhận", max_length=8, default="true")
    notes = models.TextField("ghi chú", blank=True)
    criteria = models.JSONField("tiêu chuẩn (dữ liệu gốc)", default=dict, blank=True)

    class Meta:
        verbose_name = "danh hiệu, hình thức"
        verbose_name_plural = "danh hiệu, hình thức"
        ordering = ["regime", "kind", "category", "ladder_rank", "code"]
        constraints = [
            models.UniqueConstraint(fields=["regime", "code"], name="title_unique_code_in_regime"),
            models.CheckConstraint(condition=Q(kind__in=["individual", "collective"]), name="title_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name

    @property
    def is_unconfirmed(self) -> bool:
        return self.confirmed != "true"
