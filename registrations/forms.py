"""Parsing the entry page: one select and one note per row, named by subject."""

from __future__ import annotations

from django import forms

from registrations.models import Registration
from registrations.services import Entry

STAFF_PREFIX, COLLECTIVE_PREFIX, UNIT_FIELD = "t_", "c_", "u"


def field_changed(data, field: str) -> bool:
    """Whether the user changed a field: the page carries each row's stored value as o<field>."""
    original = data.get(f"o{field}")
    return original is None or data.get(field, "") != original


def entries_from_post(data) -> tuple[int | None, list[Entry]]:
    """(base version, entries) from the posted entry page.

    Only the rows the user changed become entries, so that saving again after a conflict (or
    after a session expired) applies this user's changes and never re-posts rows as they were
    when the page was loaded over someone else's newer ones.
    """
    try:
        version = int(data.get("version", ""))
    except ValueError:
        version = None
    entries = []
    for raw_id in data.getlist("staff_rows"):
        title, note = f"{STAFF_PREFIX}{raw_id}", f"n{STAFF_PREFIX}{raw_id}"
        if raw_id.isdigit() and (field_changed(data, title) or field_changed(data, note)):
            entries.append(Entry(Registration.Subject.STAFF, int(raw_id), data.get(title, ""), data.get(note, ""),
                                 data.get(f"label_{raw_id}", "")))
    for raw_id in data.getlist("collective_rows"):
        title, note = f"{COLLECTIVE_PREFIX}{raw_id}", f"n{COLLECTIVE_PREFIX}{raw_id}"
        if raw_id.isdigit() and (field_changed(data, title) or field_changed(data, note)):
            entries.append(Entry(Registration.Subject.COLLECTIVE, int(raw_id), data.get(title, ""), data.get(note, ""),
                                 data.get(f"clabel_{raw_id}", "")))
    if UNIT_FIELD in data and (field_changed(data, UNIT_FIELD) or field_changed(data, f"n{UNIT_FIELD}")):
        entries.append(Entry(Registration.Subject.UNIT, None, data.get(UNIT_FIELD, ""), data.get(f"n{UNIT_FIELD}", ""),
                             "Dòng Đơn vị"))
    return version, entries


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label="Ý kiến / lý do", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        error_messages={"max_length": "Tối đa %(limit_value)d ký tự (đang có %(show_value)d)."},
    )
    # The version the confirmation page showed: a dossier changed since then is not decided blind.
    version = forms.IntegerField(widget=forms.HiddenInput)
    # Accepting despite the rules' verdicts (department reviewer only): the reason is kept.
    override_reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, needs_comment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_comment:
            self.fields["comment"].required = True
            self.fields["comment"].error_messages["required"] = "Vui lòng nhập lý do trả lại hồ sơ."
