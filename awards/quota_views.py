"""The province's quota rules page (department_admin): list for the selected year, set, remove."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from awards import quota_services
from awards.models import QuotaRule
from awards.rules import engine
from awards.selectors import regime_of


class QuotaRuleForm(forms.Form):
    title_code = forms.ChoiceField(label="Danh hiệu áp dụng tỷ lệ")
    percent = forms.CharField(label="Tỷ lệ tối đa (%)", max_length=8,
                              help_text="Ví dụ 10 (không quá 10%), làm tròn xuống khi tính số lượng.")
    basis_title_code = forms.ChoiceField(label="Tính trên số đăng ký")
    source = forms.CharField(label="Căn cứ", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Số, ngày văn bản của tỉnh và điều, khoản quy định tỷ lệ.")

    def __init__(self, *args, titles, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— Chọn —")] + [(t.code, t.label) for t in titles]
        self.fields["title_code"].choices = [c for c in choices if c[0] == "" or _rank(titles, c[0]) > 1]
        self.fields["basis_title_code"].choices = choices
        # Not the framework's "required" text: the service names every field itself.
        for field in self.fields.values():
            field.required = False


def percent_text(fraction) -> str:
    """0.1250 -> "12,5" (Vietnamese decimal comma)."""
    return format((fraction * 100).normalize(), "f").replace(".", ",")


def _rank(titles, code):
    return next((t.ladder_rank for t in titles if t.code == code), 0)


def _require_admin(user):
    if not quota_services.can_manage_quota_rules(user):
        raise PermissionDenied("Chỉ quản trị hệ thống của Sở được đặt tỷ lệ tối đa của tỉnh.")


def quota_rules(request):
    user = request.user
    _require_admin(user)
    school_year = request.school_year
    titles = quota_services.quota_titles(school_year)
    labels = {t.code: t.label for t in titles}
    form = QuotaRuleForm(request.POST or None, titles=titles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rule = quota_services.quota_rule_set(
                user=user, school_year=school_year, title_code=data["title_code"], percent=data["percent"],
                basis_title_code=data["basis_title_code"], source=data["source"])
        except quota_services.QuotaRuleForbidden as exc:
            raise PermissionDenied(str(exc)) from exc
        except quota_services.QuotaRuleError as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, f"Đã lưu tỷ lệ tối đa của tỉnh cho {labels[rule.title_code]} năm học {school_year.code}.")
            return redirect("quota_rules")
    regime = regime_of(school_year)
    rules = list(QuotaRule.objects.filter(scope=user.unit, school_year=school_year).select_related("created_by")
                 .order_by("title_code"))
    for rule in rules:
        rule.title_label = labels.get(rule.title_code, rule.title_code)
        rule.basis_label = labels.get(rule.basis_title_code, rule.basis_title_code)
        rule.percent = percent_text(rule.fraction)
    national = []
    if regime is not None:
        from awards.verdicts import rules as rule_table

        for (code, basis), line in _national_lines(rule_table(), regime.code).items():
            national.append((labels.get(code, code), labels.get(basis, basis), line))
    history = list(QuotaRule.history.filter(scope=user.unit, school_year=school_year)
                   .select_related("history_user").order_by("-history_date")[:20])
    for h in history:
        h.title_label = labels.get(h.title_code, h.title_code)
        h.percent = percent_text(h.fraction)
    return render(request, "awards/quota_rules.html", {
        "form": form, "rules": rules, "national": national, "regime": regime, "history": history,
        "closed": school_year.status == school_year.Status.CLOSED,
    })


def _national_lines(table, regime_code):
    """(title, basis) -> the national cap in words, for the titles the regime caps or leaves open."""
    out = {}
    for (reg, code), rule in sorted(table.items()):
        if reg != regime_code or rule.quota is None:
            continue
        fraction = rule.quota.get("fraction")
        basis = rule.quota.get("basis_code") or engine.QUOTA_BASIS.get(code, "")
        if fraction is None:
            out[(code, basis)] = "không có hạn mức toàn quốc (chưa xác nhận)" if rule.quota.get("confirmed") is not True \
                else "không có hạn mức toàn quốc"
        else:
            article = engine.CRITERION_ARTICLES.get((reg, code, "quota")) or rule.article
            out[(code, basis)] = f"không quá {fraction * 100:g}% ({article})"
    return out


@require_POST
def quota_rule_remove(request, pk: int):
    _require_admin(request.user)
    rule = get_object_or_404(QuotaRule, pk=pk, scope=request.user.unit)
    try:
        quota_services.quota_rule_remove(user=request.user, rule=rule)
    except quota_services.QuotaRuleForbidden as exc:
        raise PermissionDenied(str(exc)) from exc
    except quota_services.QuotaRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Đã bỏ tỷ lệ tối đa của tỉnh cho {rule.title_code}; hạn mức toàn quốc (nếu có) áp dụng lại.")
    return redirect("quota_rules")
