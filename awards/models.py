"""The catalogue of titles and forms per legal regime (rules and decisions come later)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class Regime(models.Model):
    """A legal regime: the law and decrees that govern a range of school years."""

    code = models.CharField("mã", max_length=16, unique=True)
    name = models.CharField("tên", max_length=255)
    texts = models.JSONField("văn bản", default=list, blank=True)
    first_year = models.PositiveSmallIntegerField("áp dụng từ năm học", null=True, blank=True)
    last_year = models.PositiveSmallIntegerField("áp dụng đến năm học", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Every edit is kept (who, when, from which value): a regime is law as it was applied.
    history = HistoricalRecords()

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
    # Bumped on every edit of the criteria: verdicts recorded on acceptance keep the revision
    # they were computed under, so a later edit never rewrites them.
    revision = models.PositiveIntegerField("phiên bản", default=1)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

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



# --- the history the rules read --------------------------------------------------------------

class AnnualRecord(models.Model):
    """One staff member's year: rating, months worked, discipline (imported or entered)."""

    class Rating(models.TextChoices):
        HTXSNV = "HTXSNV", "Hoàn thành xuất sắc nhiệm vụ"
        HTTNV = "HTTNV", "Hoàn thành tốt nhiệm vụ"
        HTNV = "HTNV", "Hoàn thành nhiệm vụ"
        KHTNV = "KHTNV", "Không hoàn thành nhiệm vụ"

    class Discipline(models.TextChoices):
        KHIEN_TRACH = "khien_trach", "Khiển trách"
        CANH_CAO = "canh_cao", "Cảnh cáo"
        HA_BAC_LUONG = "ha_bac_luong", "Hạ bậc lương"
        GIANG_CHUC = "giang_chuc", "Giáng chức"
        CACH_CHUC = "cach_chuc", "Cách chức"
        BUOC_THOI_VIEC = "buoc_thoi_viec", "Buộc thôi việc"

    staff = models.ForeignKey("units.Staff", on_delete=models.CASCADE, related_name="annual_records")
    school_year = models.ForeignKey("registrations.SchoolYear", on_delete=models.PROTECT, related_name="+")
    rating = models.CharField("xếp loại", max_length=8, choices=Rating.choices, blank=True)
    months_worked = models.DecimalField("số tháng công tác", max_digits=4, decimal_places=1, null=True, blank=True)
    # Maternity leave counts as time worked (NĐ 91/2017 Art. 10; NĐ 98/2023 Art. 8).
    maternity_months = models.DecimalField("số tháng nghỉ thai sản", max_digits=4, decimal_places=1, default=0)
    discipline = models.CharField("kỷ luật", max_length=16, choices=Discipline.choices, blank=True)
    source = models.CharField("nguồn", max_length=16, default="import")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "kết quả đánh giá năm học"
        verbose_name_plural = "kết quả đánh giá năm học"
        constraints = [
            models.UniqueConstraint(fields=["staff", "school_year"], name="annualrecord_one_per_staff_year"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id} · {self.school_year_id}: {self.rating}"


class CollectiveRecord(models.Model):
    """A collective's own result for a school year: the unit itself (no collective) or one of its
    teams. The collective titles read it (TTLĐTT: hoàn thành tốt nhiệm vụ; TTLĐXS: xuất sắc)."""

    Rating = AnnualRecord.Rating

    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="collective_records")
    collective = models.ForeignKey("units.Collective", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="records", help_text="để trống: chính đơn vị")
    school_year = models.ForeignKey("registrations.SchoolYear", on_delete=models.PROTECT, related_name="+")
    rating = models.CharField("xếp loại", max_length=8, choices=AnnualRecord.Rating.choices)
    source = models.CharField("nguồn", max_length=16, default="import")
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "kết quả đánh giá tập thể"
        verbose_name_plural = "kết quả đánh giá tập thể"
        constraints = [
            # Two conditions: PostgreSQL counts NULLs as distinct in a plain unique constraint.
            models.UniqueConstraint(fields=["unit", "school_year"], condition=Q(collective__isnull=True),
                                    name="collectiverecord_one_per_unit_year"),
            models.UniqueConstraint(fields=["unit", "collective", "school_year"], condition=Q(collective__isnull=False),
                                    name="collectiverecord_one_per_team_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.collective_id or '-'} · {self.school_year_id}: {self.rating}"

    @property
    def source_label(self) -> str:
        return RESULT_SOURCES.get(self.source, self.source)


# How a recorded result came in, as pages and reasons name it.
RESULT_SOURCES = {"import": "nhập từ tệp Excel lịch sử thi đua", "demo": "dữ liệu mẫu"}


class Initiative(models.Model):
    """A sáng kiến (or accepted research topic) and the level at which it was recognised."""

    class Level(models.TextChoices):
        CO_SO = "co_so", "Cấp cơ sở"
        TINH_BO = "tinh_bo", "Cấp tỉnh/bộ"
        TOAN_QUOC = "toan_quoc", "Toàn quốc"

    name = models.CharField("tên sáng kiến", max_length=500)
    school_year = models.ForeignKey("registrations.SchoolYear", on_delete=models.PROTECT, related_name="+")
    level = models.CharField("cấp công nhận", max_length=16, choices=Level.choices)
    reference = models.CharField("số quyết định công nhận", max_length=100, blank=True)
    authors = models.ManyToManyField("units.Staff", related_name="initiatives")

    class Meta:
        verbose_name = "sáng kiến"
        verbose_name_plural = "sáng kiến"

    def __str__(self) -> str:
        return self.name


class RecognisedTitle(models.Model):
    """A title or form someone (or a collective) was recognised with in a school year.

    Until award decisions are recorded in the app, these come from an imported history.
    """

    staff = models.ForeignKey("units.Staff", null=True, blank=True, on_delete=models.CASCADE, related_name="recognised")
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.CASCADE, related_name="recognised")
    collective = models.ForeignKey("units.Collective", null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="recognised")
    school_year = models.ForeignKey("registrations.SchoolYear", on_delete=models.PROTECT, related_name="+")
    title_code = models.CharField("danh hiệu / hình thức", max_length=32)
    reference = models.CharField("số quyết định", max_length=100, blank=True)
    source = models.CharField("nguồn", max_length=16, default="import")

    class Meta:
        verbose_name = "danh hiệu đã được công nhận"
        verbose_name_plural = "danh hiệu đã được công nhận"
        indexes = [models.Index(fields=["staff", "school_year"], name="recognised_staff_year")]
        constraints = [
            models.UniqueConstraint(fields=["staff", "school_year", "title_code"], condition=Q(staff__isnull=False),
                                    name="recognised_once_per_staff_year_title"),
        ]

    def __str__(self) -> str:
        return f"{self.title_code} ({self.school_year_id})"


class RegistrationOverride(models.Model):
    """A department reviewer's decision to accept a registration the rules found ineligible.

    The verdict as it stood is kept with the reason; every later view of the registration shows it.
    """

    registration = models.ForeignKey("registrations.Registration", on_delete=models.CASCADE, related_name="overrides")
    verdict = models.JSONField("kết luận điều kiện lúc ghi đè")
    reason = models.TextField("lý do")
    user = models.ForeignKey("units.User", null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"Ghi đè đăng ký {self.registration_id}: {self.reason[:40]}"


class QuotaRule(models.Model):
    """A province's own, tighter cap for a title in a school year (e.g. CSTĐCS ≤ 10% of LĐTT).

    The national cap (from the regime's criteria) still applies; the stricter of the two wins.
    """

    scope = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="quota_rules",
                              help_text="Sở GD&ĐT đặt mức (áp dụng cho mọi đơn vị trực thuộc)")
    school_year = models.ForeignKey("registrations.SchoolYear", on_delete=models.PROTECT, related_name="+")
    title_code = models.CharField("danh hiệu", max_length=32)
    fraction = models.DecimalField("tỷ lệ tối đa", max_digits=5, decimal_places=4)
    basis_title_code = models.CharField("tính trên số", max_length=32)
    source = models.CharField("căn cứ", max_length=500, blank=True)
    created_by = models.ForeignKey("units.User", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "tỷ lệ tối đa của tỉnh"
        verbose_name_plural = "tỷ lệ tối đa của tỉnh"
        constraints = [
            models.UniqueConstraint(fields=["scope", "school_year", "title_code"], name="quotarule_one_per_scope_year_title"),
            models.CheckConstraint(condition=Q(fraction__gt=0) & Q(fraction__lte=1), name="quotarule_fraction_0_1"),
        ]

    def __str__(self) -> str:
        return f"{self.title_code} ≤ {self.fraction:.0%} {self.basis_title_code} ({self.school_year_id})"


class RecordedVerdict(models.Model):
    """The verdict a registration had when the Sở accepted it (or a decision recorded it).

    A snapshot: later edits of the catalogue never change it; pages show it instead of
    recomputing once it exists.
    """

    registration = models.OneToOneField("registrations.Registration", on_delete=models.CASCADE,
                                        related_name="recorded_verdict")
    status = models.CharField("kết luận", max_length=16)
    verdict = models.JSONField("kết luận và lý do")
    title_revision = models.PositiveIntegerField("phiên bản tiêu chuẩn")
    regime_code = models.CharField("chế độ pháp lý", max_length=16)
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey("units.User", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "kết luận điều kiện đã ghi nhận"
        verbose_name_plural = "kết luận điều kiện đã ghi nhận"

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.status}"
