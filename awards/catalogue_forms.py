"""Forms of the in-app catalogue: a title's criteria as structured fields, not raw JSON.

`criteria_initial` turns a Title's criteria into the fields' initial values and
`TitleEditor.values()` turns the posted fields back into criteria; an unchanged form gives
back exactly the stored criteria (no new revision for a save that changes nothing).
"""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

from django import forms

from awards.models import Title
from awards.rules import engine

RATING_CHOICES = [("", "Không xét xếp loại"), ("HTXSNV", "Hoàn thành xuất sắc nhiệm vụ (HTXSNV)"),
                  ("HTTNV", "Hoàn thành tốt nhiệm vụ (HTTNV) trở lên"), ("HTNV", "Hoàn thành nhiệm vụ (HTNV) trở lên"),
                  ("KHTNV", "Không hoàn thành nhiệm vụ (KHTNV) trở lên")]
LEVEL_CHOICES = [("", "Không yêu cầu"), ("co_so", "Cấp cơ sở"), ("tinh_bo", "Cấp tỉnh hoặc cấp Bộ"),
                 ("toan_quoc", "Cấp toàn quốc")]
PERIOD_CHOICES = [("school_year", "Năm học"), ("multi_year", "Nhiều năm học"), ("calendar_year", "Năm dương lịch"),
                  ("event", "Theo sự kiện, đợt")]
CONFIRMED_CHOICES = [("true", "Đã xác nhận"), ("partial", "Xác nhận một phần (có nội dung chưa xác nhận)"),
                     ("false", "Chưa xác nhận")]
AUTHORITIES = {
    "HEAD_OF_UNIT": "Người đứng đầu cơ quan, đơn vị",
    "HIEU_TRUONG": "Hiệu trưởng",
    "CHU_TICH_UBND_XA": "Chủ tịch UBND cấp xã",
    "CHU_TICH_UBND_HUYEN": "Chủ tịch UBND cấp huyện (bỏ cấp huyện từ 01/07/2025)",
    "GIAM_DOC_SO_GDDT": "Giám đốc Sở Giáo dục và Đào tạo",
    "CHU_TICH_UBND_TINH": "Chủ tịch UBND tỉnh",
    "BO_TRUONG_GDDT": "Bộ trưởng Bộ Giáo dục và Đào tạo",
    "THU_TUONG": "Thủ tướng Chính phủ",
    "CHU_TICH_NUOC": "Chủ tịch nước",
}
GROUP_CHOICES = [("0", "Bắt buộc")] + [(str(i), f"Phương án {i}") for i in range(1, 7)]

MONTHS = re.compile(r"^recruited\s*<\s*(\d+)\s*months$")
DISCIPLINE_TEXT = "disciplined khiển trách or higher in the period"
# Keys the page edits as fields; the rest of criteria goes to the "advanced" JSON.
STRUCTURED = {"conferred_by", "min_rating", "prerequisites", "alternatives", "initiative_level", "quota",
              "evaluation_period", "disqualifiers", "article"}
# Copies of the title's own columns inside criteria (the columns win), and the regime a copied
# regime's built-in tables come from (set when the regime is created): kept, never shown.
HIDDEN = {"regime", "kind", "category", "source", "confirmed", "based_on"}
# What "Nâng cao" may hold: the other keys awards/rules/engine.py load_rules reads (name_vi, notes,
# code come from the title's columns). Anything else would be saved and silently ignored.
ADVANCED = {"member_rules", "disqualifiers"}
# The keys evaluate_collective reads inside member_rules.
MEMBER_RULES = {"collective_rating", "all_members_complete_tasks", "min_share_ldtt", "share_strictly_greater",
                "min_cstdcs_members", "max_member_discipline"}

# Django's Vietnamese catalogue says "Nhập một số tổng thể." for a whole number and puts a space
# before the period of the min/max messages ("… 100 ."): the catalogue's number fields say it right.
INT_ERRORS = {"invalid": "Nhập một số nguyên.",
              "min_value": "Giá trị phải lớn hơn hoặc bằng %(limit_value)s.",
              "max_value": "Giá trị phải nhỏ hơn hoặc bằng %(limit_value)s."}


def _confirmed_out(value: str):
    return {"true": True, "false": False}.get(value, value)


def _confirmed_in(value) -> str:
    if value is True:
        return "true"
    if value is False or value is None:
        return "false"
    return str(value)


def prerequisite_codes(regime_titles: list[Title], current: set[str]) -> list[tuple[str, str]]:
    """What a prerequisite may name: the regime's titles and forms, then the special codes."""
    seen, out = set(), []
    for t in regime_titles:
        if t.code not in seen:
            seen.add(t.code)
            out.append((t.code, f"{t.label} ({t.code})"))
    special = [*engine.PSEUDO_RATING, *engine.PSEUDO_INITIATIVE, *engine.PSEUDO_ANY_OF, engine.ANY_PRIOR]
    for code in special:
        if code not in seen:
            seen.add(code)
            out.append((code, f"{engine.SHORT_NAMES.get(code, code)} ({code})"))
    for code, text in engine.MANUAL_CODES.items():
        if code not in seen:
            seen.add(code)
            out.append((code, f"Hội đồng xét: {text} ({code})"))
    for code in sorted(current - seen):
        out.append((code, code))
    return out


class PrerequisiteForm(forms.Form):
    group = forms.ChoiceField(label="Nhóm", choices=GROUP_CHOICES, initial="0")
    code = forms.ChoiceField(label="Danh hiệu, điều kiện", choices=())
    consecutive_years = forms.IntegerField(label="Số năm liên tục", min_value=0, max_value=30, initial=0,
                                           required=False, error_messages=INT_ERRORS)
    count = forms.IntegerField(label="Số lần", min_value=1, max_value=30, required=False, error_messages=INT_ERRORS)
    window_years = forms.IntegerField(label="Trong số năm học gần nhất", min_value=1, max_value=30, required=False,
                                      error_messages=INT_ERRORS)
    note = forms.CharField(label="Ghi chú", max_length=300, required=False)

    def __init__(self, *args, codes=(), row=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.row = row
        self.fields["code"].choices = [("", "—")] + list(codes)

    def clean(self):
        data = super().clean()
        consecutive, count, window = data.get("consecutive_years"), data.get("count"), data.get("window_years")
        row = (lambda m: f"Dòng {self.row}: {m}") if self.row else (lambda m: m[0].upper() + m[1:])
        # The engine reads one way per row and consecutive years win, so a count on the same row is
        # dropped silently. Allowed only when the consecutive run already implies it (N consecutive
        # years ending now give min(N, window) times), as the shipped CSTĐCS rows "1 năm, 1 lần" do.
        implied = count is not None and count <= consecutive and (window is None or count <= window)
        if consecutive and (count or window) and not implied:
            self.add_error(None, row("không ghi cùng lúc “Số năm liên tục” và “Số lần”/“Trong số năm học gần "
                                     "nhất”; mỗi dòng chỉ một cách tính (tách thành hai dòng nếu cần cả hai)."))
        elif count and window and count > window:
            self.add_error(None, row(f"“Số lần” ({count}) không thể lớn hơn “Trong số năm học gần nhất” "
                                     f"({window}): mỗi năm học đạt nhiều nhất một lần."))
        if window and not count:
            self.add_error("count", "Khi ghi “trong số năm học gần nhất” thì phải ghi số lần.")
        if not data.get("code") and self.has_changed():
            self.add_error("code", "Chọn danh hiệu hoặc điều kiện.")
        return data

    def item(self) -> dict:
        d = self.cleaned_data
        out = {"code": d["code"], "consecutive_years": d.get("consecutive_years") or 0}
        if d.get("count") is not None:
            out["count"] = d["count"]
        if d.get("window_years") is not None:
            out["window_years"] = d["window_years"]
        if d.get("note"):
            out["note"] = d["note"]
        return out


class ConferrerForm(forms.Form):
    authority = forms.ChoiceField(label="Cấp quyết định", choices=())
    context = forms.CharField(label="Áp dụng cho", max_length=300, required=False)
    valid_from = forms.DateField(label="Từ ngày", required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                 widget=forms.DateInput(format="%d/%m/%Y"))
    valid_until = forms.DateField(label="Đến ngày", required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"],
                                  widget=forms.DateInput(format="%d/%m/%Y"))
    confirmed = forms.ChoiceField(label="Xác nhận", choices=CONFIRMED_CHOICES, initial="true")

    def __init__(self, *args, extra_authorities=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—")] + list(AUTHORITIES.items())
        choices += [(a, a) for a in extra_authorities if a not in AUTHORITIES]
        self.fields["authority"].choices = choices

    def clean(self):
        data = super().clean()
        if not data.get("authority") and self.has_changed():
            self.add_error("authority", "Chọn cấp quyết định.")
        if data.get("valid_from") and data.get("valid_until") and data["valid_until"] < data["valid_from"]:
            self.add_error("valid_until", "“Đến ngày” phải sau “Từ ngày”.")
        return data

    def item(self) -> dict:
        d = self.cleaned_data
        out = {"authority": d["authority"]}
        if d.get("context"):
            out["context"] = d["context"]
        if d.get("valid_from"):
            out["valid_from"] = d["valid_from"].isoformat()
        if d.get("valid_until"):
            out["valid_until"] = d["valid_until"].isoformat()
        out["confirmed"] = _confirmed_out(d["confirmed"])
        return out


class _RowsFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        # Row numbers as the page shows them, for messages that name the row.
        return {**super().get_form_kwargs(index), "row": index + 1 if index is not None else None}


PrerequisiteFormSet = forms.formset_factory(PrerequisiteForm, formset=_RowsFormSet, extra=3, can_delete=True,
                                            max_num=40)
ConferrerFormSet = forms.formset_factory(ConferrerForm, extra=1, can_delete=True, max_num=20)


def _date(value):
    if not value:
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


class TitleForm(forms.Form):
    revision = forms.IntegerField(widget=forms.HiddenInput, error_messages=INT_ERRORS)
    name = forms.CharField(label="Tên danh hiệu, hình thức", max_length=255)
    short_name = forms.CharField(label="Tên viết tắt", max_length=64, required=False)
    registrable = forms.BooleanField(label="Được đăng ký đầu năm học", required=False)
    ladder_rank = forms.IntegerField(label="Bậc (0 = không thuộc bậc thang)", min_value=0, max_value=20,
                                     error_messages=INT_ERRORS)
    confirmed = forms.ChoiceField(label="Mức xác nhận", choices=CONFIRMED_CHOICES)
    notes = forms.CharField(label="Ghi chú", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    source = forms.CharField(label="Nguồn tham chiếu (văn bản gốc)", max_length=500, required=False)
    article = forms.CharField(label="Căn cứ ghi trong kết luận (điều, khoản)", max_length=500, required=False,
                              help_text="Để trống: dùng căn cứ mặc định.")
    evaluation_period = forms.ChoiceField(label="Kỳ xét", choices=PERIOD_CHOICES)
    min_rating = forms.ChoiceField(label="Xếp loại tối thiểu năm học xét", choices=RATING_CHOICES, required=False)
    initiative_level = forms.ChoiceField(label="Sáng kiến được công nhận từ cấp", choices=LEVEL_CHOICES,
                                         required=False)
    min_months_worked = forms.IntegerField(label="Số tháng công tác tối thiểu trong năm học", min_value=1,
                                           max_value=12, required=False, error_messages=INT_ERRORS,
                                           help_text="Thời gian nghỉ thai sản được tính là thời gian công tác.")
    discipline_excludes = forms.BooleanField(label="Bị kỷ luật từ khiển trách trở lên trong năm thì không xét",
                                             required=False)
    quota_percent = forms.DecimalField(
        label="Tỷ lệ tối đa (%)", min_value=Decimal("0.01"), max_value=Decimal("100"), decimal_places=2,
        required=False, error_messages={
            "invalid": "Nhập một số.", "min_value": "Tỷ lệ phải lớn hơn 0.",
            "max_value": "Tỷ lệ không được lớn hơn 100.",
            "max_decimal_places": "Chỉ ghi tối đa %(max)s chữ số thập phân.",
            "max_digits": "Chỉ ghi tối đa %(max)s chữ số.",
            "max_whole_digits": "Chỉ ghi tối đa %(max)s chữ số phần nguyên."})
    quota_basis = forms.ChoiceField(label="Tính trên số đăng ký", choices=(), required=False)
    quota_note = forms.CharField(label="Ghi chú hạn mức", max_length=500, required=False)
    quota_confirmed = forms.BooleanField(label="Hạn mức đã xác nhận", required=False)
    advanced = forms.CharField(
        label="Tiêu chuẩn nâng cao (JSON)", required=False, widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text="Các khóa ít dùng (điều kiện tập thể member_rules, điều kiện loại trừ khác…), dạng đối tượng JSON.")

    def __init__(self, *args, basis_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quota_basis"].choices = [("", "—")] + list(basis_choices)
        self.fields["quota_percent"].localize = True

    def clean_advanced(self):
        text = (self.cleaned_data.get("advanced") or "").strip()
        if not text:
            return {}
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(f"Không đọc được JSON (dòng {exc.lineno}, cột {exc.colno}).") from exc
        if not isinstance(value, dict):
            raise forms.ValidationError("Phải là một đối tượng JSON, dạng {\"khóa\": giá trị}.")
        clash = sorted((set(value) - ADVANCED) & (STRUCTURED | HIDDEN))
        if clash:
            raise forms.ValidationError(f"Khóa {', '.join(clash)} được sửa ở các ô phía trên, không ghi ở đây.")
        unknown = sorted(set(value) - ADVANCED - STRUCTURED - HIDDEN)
        if unknown:
            raise forms.ValidationError(
                f"Bộ máy xét điều kiện không dùng khóa {', '.join(f'“{k}”' for k in unknown)}; "
                f"ở đây chỉ ghi được: {', '.join(sorted(ADVANCED))}.")
        if "disqualifiers" in value and not (
                isinstance(value["disqualifiers"], list) and all(isinstance(d, str) for d in value["disqualifiers"])):
            raise forms.ValidationError("“disqualifiers” phải là danh sách các chuỗi.")
        if "member_rules" in value and value["member_rules"] is not None and not isinstance(value["member_rules"], dict):
            raise forms.ValidationError("“member_rules” phải là một đối tượng JSON.")
        unknown = sorted(set(value.get("member_rules") or {}) - MEMBER_RULES)
        if unknown:
            raise forms.ValidationError(
                f"Bộ máy xét điều kiện không dùng khóa {', '.join(f'“{k}”' for k in unknown)} trong “member_rules”; "
                f"chỉ ghi được: {', '.join(sorted(MEMBER_RULES))}.")
        return value

    def clean(self):
        data = super().clean()
        if data.get("quota_percent") is not None and not data.get("quota_basis"):
            self.add_error("quota_basis", "Có tỷ lệ tối đa thì phải chọn danh hiệu làm cơ sở tính.")
        return data


def criteria_initial(title: Title, *, default_article: str, default_basis: str | None) -> dict:
    """Initial values of TitleForm and the two formsets from a title."""
    c = title.criteria or {}
    other_disq, months, discipline = [], None, False
    for d in c.get("disqualifiers") or []:
        m = MONTHS.match(str(d))
        if m and months is None:
            months = int(m.group(1))
        elif d == DISCIPLINE_TEXT and not discipline:
            discipline = True
        else:
            other_disq.append(d)
    advanced = {k: v for k, v in c.items() if k not in STRUCTURED | HIDDEN}
    if other_disq:
        advanced["disqualifiers"] = other_disq
    quota = c.get("quota") or {}
    fraction = quota.get("fraction")
    initial = {
        "revision": title.revision, "name": title.name, "short_name": title.short_name,
        "registrable": title.registrable, "ladder_rank": title.ladder_rank, "confirmed": title.confirmed,
        "notes": title.notes, "source": title.source,
        "article": c.get("article") or default_article,
        "evaluation_period": c.get("evaluation_period") or "school_year",
        "min_rating": c.get("min_rating") or "", "initiative_level": c.get("initiative_level") or "",
        "min_months_worked": months, "discipline_excludes": discipline,
        "quota_percent": (Decimal(str(fraction)) * 100).normalize() if fraction is not None else None,
        "quota_basis": quota.get("basis_code") or default_basis or "",
        "quota_note": quota.get("basis") or "", "quota_confirmed": quota.get("confirmed") is True,
        "advanced": json.dumps(advanced, ensure_ascii=False, indent=2) if advanced else "",
    }
    prerequisites = [{**_prereq_initial(p), "group": "0"} for p in c.get("prerequisites") or []]
    for i, alt in enumerate(c.get("alternatives") or [], start=1):
        prerequisites += [{**_prereq_initial(p), "group": str(i)} for p in alt]
    conferrers = [{
        "authority": a.get("authority", ""), "context": a.get("context", ""),
        "valid_from": _date(a.get("valid_from")), "valid_until": _date(a.get("valid_until")),
        "confirmed": _confirmed_in(a.get("confirmed")),
    } for a in c.get("conferred_by") or []]
    return {"form": initial, "prerequisites": prerequisites, "conferrers": conferrers}


def _prereq_initial(p: dict) -> dict:
    return {"code": p.get("code", ""), "consecutive_years": p.get("consecutive_years") or 0,
            "count": p.get("count"), "window_years": p.get("window_years"), "note": p.get("note", "")}


def _style(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select form-select-sm")
        elif not isinstance(widget, forms.HiddenInput):
            css = widget.attrs.get("class", "")
            widget.attrs["class"] = f"form-control form-control-sm {css}".strip()


class TitleEditor:
    """The title form and its two formsets, bound together; `values()` for title_update."""

    def __init__(self, title: Title, regime_titles: list[Title], *, default_article: str,
                 default_basis: str | None, data=None):
        self.title = title
        self.default_article = default_article
        self.default_basis = default_basis
        init = criteria_initial(title, default_article=default_article, default_basis=default_basis)
        current = {p["code"] for p in init["prerequisites"]}
        codes = prerequisite_codes(regime_titles, current)
        basis = [(t.code, f"{t.label} ({t.code})") for t in regime_titles if t.kind == title.kind]
        extra_auth = {c["authority"] for c in init["conferrers"]}
        self.form = TitleForm(data, initial=init["form"], basis_choices=basis)
        self.prerequisites = PrerequisiteFormSet(data, initial=init["prerequisites"], prefix="pre",
                                                 form_kwargs={"codes": codes})
        self.conferrers = ConferrerFormSet(data, initial=init["conferrers"], prefix="auth",
                                           form_kwargs={"extra_authorities": extra_auth})

        for form in [self.form, *self.prerequisites.forms, *self.conferrers.forms]:
            _style(form)

    def is_valid(self) -> bool:
        return all([self.form.is_valid(), self.prerequisites.is_valid(), self.conferrers.is_valid()])

    def error_summary(self) -> list[str]:
        """One Vietnamese line per refused field, naming it."""
        lines = []
        for name, errors in self.form.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else "Biểu mẫu"
            lines += [f"{label}: {e}" for e in errors]
        for title, formset in (("Điều kiện", self.prerequisites), ("Cấp quyết định", self.conferrers)):
            for i, errors in enumerate(formset.errors, start=1):
                for name, msgs in errors.items():
                    if name not in formset.forms[i - 1].fields:  # the row's own message names the row
                        lines += [f"{title}: {m}" for m in msgs]
                        continue
                    label = formset.forms[i - 1].fields[name].label
                    lines += [f"{title}, dòng {i}, {label}: {m}" for m in msgs]
            lines += [f"{title}: {m}" for m in formset.non_form_errors()]
        return lines

    def values(self) -> dict:
        d = self.form.cleaned_data
        original = self.title.criteria or {}
        criteria = {k: v for k, v in original.items() if k in HIDDEN}
        advanced = dict(d["advanced"])
        other_disq = advanced.pop("disqualifiers", [])
        criteria.update(advanced)
        criteria["conferred_by"] = [
            f.item() for f in self.conferrers.forms
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("authority")]
        criteria["min_rating"] = d["min_rating"] or None
        groups: dict[int, list] = {}
        for f in self.prerequisites.forms:
            if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("code"):
                groups.setdefault(int(f.cleaned_data["group"]), []).append(f.item())
        criteria["prerequisites"] = groups.pop(0, [])
        alternatives = [groups[k] for k in sorted(groups)]
        if alternatives or "alternatives" in original:
            criteria["alternatives"] = alternatives
        criteria["initiative_level"] = d["initiative_level"] or None
        if d["quota_percent"] is not None or d["quota_note"] or (
                d["quota_basis"] and d["quota_basis"] != (self.default_basis or "")):
            fraction = float(d["quota_percent"] / 100) if d["quota_percent"] is not None else None
            quota = {"fraction": fraction, "basis": d["quota_note"], "confirmed": d["quota_confirmed"]}
            if d["quota_basis"] and d["quota_basis"] != (self.default_basis or ""):
                quota["basis_code"] = d["quota_basis"]
            criteria["quota"] = quota
        else:
            criteria["quota"] = None
        criteria["evaluation_period"] = d["evaluation_period"]
        disqualifiers = []
        if d["min_months_worked"]:
            disqualifiers.append(f"recruited < {d['min_months_worked']} months")
        if d["discipline_excludes"]:
            disqualifiers.append(DISCIPLINE_TEXT)
        disqualifiers += other_disq
        if disqualifiers or "disqualifiers" in original:
            criteria["disqualifiers"] = disqualifiers
        article = (d["article"] or "").strip()
        if article and article != self.default_article:
            criteria["article"] = article
        return {
            "name": d["name"].strip(), "short_name": d["short_name"].strip(), "registrable": d["registrable"],
            "ladder_rank": d["ladder_rank"], "confirmed": d["confirmed"], "notes": d["notes"],
            "source": d["source"].strip(), "criteria": criteria,
        }


class RegimeNewForm(forms.Form):
    source = forms.ModelChoiceField(label="Sao chép danh mục từ chế độ", queryset=None, empty_label=None)
    code = forms.CharField(label="Mã chế độ mới", max_length=16, help_text="Ví dụ 2025.")
    name = forms.CharField(label="Tên (các văn bản chính)", max_length=255)
    texts = forms.CharField(label="Văn bản (mỗi dòng một văn bản)", required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    first_year = forms.IntegerField(label="Áp dụng từ năm học (năm bắt đầu)", min_value=2000, max_value=2100,
                                    error_messages=INT_ERRORS,
                                    help_text="Ví dụ 2025 cho năm học 2025-2026; chế độ đang áp dụng kết thúc ở năm học trước đó.")

    def __init__(self, *args, regimes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = regimes


class RegimeForm(forms.Form):
    name = forms.CharField(label="Tên (các văn bản chính)", max_length=255)
    texts = forms.CharField(label="Văn bản (mỗi dòng một văn bản)", required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
