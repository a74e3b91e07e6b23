"""Writes of a province's own quota rules (QuotaRule): set or remove one, department_admin only."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from django.db import transaction

from awards.models import QuotaRule, Title
from awards.rules import engine
from awards.selectors import regime_of
from registrations.models import SchoolYear
from units.models import Role, Unit, User


class QuotaRuleError(Exception):
    """Refused input, named by field (Vietnamese messages)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


class QuotaRuleForbidden(Exception):
    """Only the Sở's administrator sets its province's quotas (a 403 on the web)."""


def can_manage_quota_rules(user: User) -> bool:
    return bool(user.is_active and user.role == Role.DEPARTMENT_ADMIN and user.unit is not None
                and user.unit.kind == Unit.Kind.DEPARTMENT)


def quota_titles(school_year: SchoolYear) -> list[Title]:
    """Titles a province may cap in that year: registrable, on a ladder above its lowest rank."""
    regime = regime_of(school_year)
    return list(Title.objects.filter(regime=regime, registrable=True, category=Title.Category.TITLE,
                                     ladder_rank__gt=0).order_by("-kind", "ladder_rank", "code"))


def _national(title_code: str, regime_code: str) -> tuple[Decimal | None, str | None]:
    from awards.verdicts import rules

    rule = rules().get((regime_code, title_code))
    fraction = ((rule.quota or {}).get("fraction") if rule else None)
    basis = ((rule.quota or {}).get("basis_code") if rule else None) or engine.QUOTA_BASIS.get(title_code)
    return (Decimal(str(fraction)) if fraction is not None else None), basis


@transaction.atomic
def quota_rule_set(*, user: User, school_year: SchoolYear, title_code: str, percent, basis_title_code: str,
                   source: str) -> QuotaRule:
    """Set (create or replace) the province's cap for a title in a school year.

    `percent` is the cap in per cent of the basis title's cumulative count ("không quá 10%").
    """
    if not can_manage_quota_rules(user):
        raise QuotaRuleForbidden("Chỉ quản trị hệ thống của Sở được đặt tỷ lệ tối đa của tỉnh.")
    errors: dict[str, str] = {}
    if school_year.status == SchoolYear.Status.CLOSED:
        errors["school_year"] = (f"Năm học {school_year.code} đã kết thúc: không thể đặt lại tỷ lệ "
                                 "(các hồ sơ đã duyệt theo tỷ lệ cũ).")
    titles = {t.code: t for t in quota_titles(school_year)}
    title = titles.get((title_code or "").strip())
    if title is not None and not any(t.kind == title.kind and t.ladder_rank < title.ladder_rank
                                     for t in titles.values()):
        title = None  # the lowest rank of a ladder: nothing to count it against
    basis = None
    if title is None:
        errors["title_code"] = "Hãy chọn danh hiệu được đăng ký có áp dụng tỷ lệ."
    else:
        basis = next((t for t in titles.values() if t.code == (basis_title_code or "").strip()), None)
        if basis is None or basis.kind != title.kind or basis.ladder_rank >= title.ladder_rank:
            errors["basis_title_code"] = (f"Tỷ lệ của {title.label} phải tính trên một danh hiệu thấp hơn "
                                          "cùng loại (ví dụ CSTĐCS tính trên số LĐTT).")
            basis = None
    try:
        value = Decimal(str(percent).strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        value = None
    if value is None or not value.is_finite():
        errors["percent"] = "Tỷ lệ phải là một số (phần trăm), ví dụ 10 hoặc 12,5."
    elif not Decimal(0) < value <= Decimal(100):
        errors["percent"] = "Tỷ lệ phải lớn hơn 0% và không quá 100%."
    elif value != value.quantize(Decimal("0.01")):
        errors["percent"] = "Tỷ lệ có tối đa hai chữ số thập phân."
    source = (source or "").strip()
    if not source:
        errors["source"] = "Hãy ghi căn cứ (số, ngày văn bản của tỉnh và điều, khoản quy định tỷ lệ)."
    elif len(source) > 500:
        errors["source"] = "Căn cứ tối đa 500 ký tự."
    fraction = (value / 100).quantize(Decimal("0.0001"), rounding=ROUND_DOWN) if "percent" not in errors else None
    regime = regime_of(school_year)
    if title is not None and basis is not None and fraction is not None and regime is not None:
        national, national_basis = _national(title.code, regime.code)
        if national is not None and basis.code == national_basis and fraction >= national:
            errors["percent"] = (f"Tỉnh chỉ được quy định chặt hơn hạn mức toàn quốc: {title.label} không quá "
                                 f"{national * 100:g}% số {basis.label}; hãy nhập tỷ lệ nhỏ hơn.")
    if errors:
        raise QuotaRuleError(errors)
    rule = QuotaRule.objects.select_for_update().filter(scope=user.unit, school_year=school_year,
                                                        title_code=title.code).first()
    if rule is None:
        rule = QuotaRule(scope=user.unit, school_year=school_year, title_code=title.code)
    rule.fraction, rule.basis_title_code, rule.source, rule.created_by = fraction, basis.code, source, user
    rule._history_user = user
    rule.save()
    return rule


@transaction.atomic
def quota_rule_remove(*, user: User, rule: QuotaRule) -> None:
    """Remove the province's cap: the national cap (if any) applies again. Kept in the history."""
    if not can_manage_quota_rules(user) or rule.scope_id != user.unit_id:
        raise QuotaRuleForbidden("Chỉ quản trị hệ thống của Sở được bỏ tỷ lệ tối đa của tỉnh.")
    if rule.school_year.status == SchoolYear.Status.CLOSED:
        raise QuotaRuleError({"school_year": f"Năm học {rule.school_year.code} đã kết thúc: không thể bỏ tỷ lệ."})
    rule._history_user = user
    rule.delete()
