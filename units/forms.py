from __future__ import annotations

import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils import timezone

from units import vntext
from units.models import Collective, Role, Staff, Unit
from units.selectors import ROLES_FOR_KIND

POSITIONS = [
    "Hiệu trưởng", "Phó Hiệu trưởng", "Tổ trưởng", "Tổ phó", "Giáo viên", "Nhân viên",
    "Kế toán", "Văn thư", "Y tế", "Giám đốc", "Phó Giám đốc", "Trưởng phòng",
    "Phó Trưởng phòng", "Chuyên viên", "Chánh Văn phòng", "Phó Chánh Văn phòng", "Chánh Thanh tra",
    "Phó Chánh Thanh tra",
]


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class VietnameseDateInput(forms.DateInput):
    """A text box that shows and accepts dd/mm/yyyy (type=date would follow the browser locale)."""

    def __init__(self, attrs=None):
        base = {"placeholder": "dd/mm/yyyy", "autocomplete": "off", "inputmode": "numeric"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%d/%m/%Y")


class StaffForm(forms.ModelForm):
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    date_of_birth = forms.DateField(label="Ngày sinh", widget=VietnameseDateInput())
    team = forms.ModelChoiceField(
        label="Tổ chuyên môn", queryset=Collective.objects.none(), required=False, empty_label="— Không —",
    )
    start_date = forms.DateField(
        label="Ngày bắt đầu công tác tại đơn vị", widget=VietnameseDateInput(), required=False,
        help_text="Để trống nếu là hôm nay.",
    )

    # The record's last change when the form was opened: a save over someone else's is refused.
    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)

    gender = forms.ChoiceField(label="Giới tính", choices=Staff.Gender.choices)

    class Meta:
        model = Staff
        fields = ["full_name", "date_of_birth", "gender", "position", "team"]
        widgets = {"position": forms.TextInput(attrs={"list": "positions"})}

    def __init__(self, *args, unit: Unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["team"].queryset = Collective.objects.filter(unit=unit, is_active=True).order_by("name")
        if self.instance.pk:
            del self.fields["start_date"]
            self.fields["loaded_at"].initial = self.instance.updated_at.isoformat()
        else:
            del self.fields["loaded_at"]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "full_name",
            Row(Column("date_of_birth"), Column("gender")),
            Row(Column("position"), Column("team")),
            *(["start_date"] if "start_date" in self.fields else []),
            *(["loaded_at"] if "loaded_at" in self.fields else []),
            Submit("save", "Lưu"),
        )

    def clean_full_name(self):
        name = vntext.normalize_text(self.cleaned_data["full_name"])
        error = vntext.person_name_error(name)
        if error:
            raise forms.ValidationError(error)
        return name

    def clean(self):
        data = super().clean()
        start, dob = data.get("start_date"), data.get("date_of_birth")
        today = timezone.localdate()
        if start and start > today + datetime.timedelta(days=366):
            self.add_error("start_date", "Ngày bắt đầu công tác không được quá một năm sau hôm nay.")
        if start and dob and start < add_years(dob, 16):
            self.add_error("start_date", "Ngày bắt đầu công tác phải sau khi người này đủ 16 tuổi.")
        return data

    def clean_date_of_birth(self):
        dob = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if not (datetime.date(1940, 1, 1) <= dob <= add_years(today, -16)):
            raise forms.ValidationError("Ngày sinh không hợp lệ (người lao động phải từ 16 tuổi).")
        return dob


class StaffFilterForm(forms.Form):
    SORTS = [
        ("name", "Tên (A → Z)"), ("-name", "Tên (Z → A)"), ("dob", "Ngày sinh tăng"),
        ("-dob", "Ngày sinh giảm"), ("position", "Chức vụ"), ("unit", "Đơn vị"),
    ]
    q = forms.CharField(
        label="Tìm", required=False,
        widget=forms.TextInput(attrs={"placeholder": "Họ tên, có dấu hoặc không dấu", "autofocus": True}),
    )
    team = forms.ModelChoiceField(label="Tổ", queryset=Collective.objects.none(), required=False, empty_label="Tất cả tổ")
    sort = forms.ChoiceField(label="Sắp xếp", choices=SORTS, required=False)

    def __init__(self, *args, unit: Unit | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if unit is not None:
            self.fields["team"].queryset = Collective.objects.filter(unit=unit, is_active=True).order_by("name")
        else:
            del self.fields["team"]


class AccountCreateForm(forms.Form):
    unit = forms.ModelChoiceField(label="Đơn vị", queryset=Unit.objects.none())
    username = forms.RegexField(
        label="Tên đăng nhập", max_length=150, regex=r"^[a-zA-Z0-9._-]+$", strip=True,
        error_messages={"invalid": "Chỉ dùng chữ không dấu, số và các dấu . _ -"},
    )
    full_name = forms.CharField(label="Họ và tên người dùng", max_length=150)
    email = forms.EmailField(label="Thư điện tử", required=False)
    role = forms.ChoiceField(label="Vai trò", choices=Role.choices)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda u: f"{u.short_name} ({u.code})"
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "unit", Row(Column("username"), Column("role")), Row(Column("full_name"), Column("email")),
            Submit("save", "Tạo tài khoản"),
        )

    def clean(self):
        data = super().clean()
        unit, role = data.get("unit"), data.get("role")
        if unit and role and role not in ROLES_FOR_KIND[unit.kind]:
            allowed = ", ".join(Role(r).label for r in ROLES_FOR_KIND[unit.kind])
            self.add_error("role", f"Vai trò này không dùng cho {unit.get_kind_display()}; chọn một trong: {allowed}.")
        return data


class StrictPasswordChangeForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", "Đổi mật khẩu"))

    def clean_new_password1(self):
        # A one-time password handed over by an administrator must really be replaced.
        new = self.cleaned_data.get("new_password1")
        if new and self.user.check_password(new):
            raise forms.ValidationError("Mật khẩu mới phải khác mật khẩu hiện tại.")
        return new


class LoginForm(AuthenticationForm):
    """Usernames are stored in lower case; "Thpt.TanAn" is the same account as "thpt.tanan"."""

    error_messages = {
        "invalid_login": "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường.",
        "inactive": "Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị hệ thống của Sở GD&ĐT.",
    }

    def clean_username(self):
        return (self.cleaned_data.get("username") or "").strip().lower()
