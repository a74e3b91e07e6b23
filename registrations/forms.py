"""Parsing the entry page: one select and one note per row, named by subject."""

from __future__ import annotations

from django import forms

from registrations.models import Registration
from registrations.services import Entry

STAFF_PREFIX, COLLECTIVE_PREFIX, UNIT_FIELD = "t_", "c_", "u"


def entries_from_post(data) -> tuple[int | None, list[Entry]]:
    """(base version, entries) from the posted entry page; rows not on the page are untouched."""
    try:
        version = int(data.get("version", ""))
    except ValueError:
        version = None
    entries = []
    for raw_id in data.getlist("staff_rows"):
        if raw_id.isdigit():
            entries.append(Entry(
                Registration.Subject.STAFF, int(raw_id), data.get(f"{STAFF_PREFIX}{raw_id}", ""),
                data.get(f"n{STAFF_PREFIX}{raw_id}", ""), data.get(f"label_{raw_id}", ""),
            ))
    for raw_id in data.getlist("collective_rows"):
        if raw_id.isdigit():
            entries.append(Entry(
                Registration.Subject.COLLECTIVE, int(raw_id), data.get(f"{COLLECTIVE_PREFIX}{raw_id}", ""),
                data.get(f"n{COLLECTIVE_PREFIX}{raw_id}", ""), data.get(f"clabel_{raw_id}", ""),
            ))
    if UNIT_FIELD in data:
        entries.append(Entry(Registration.Subject.UNIT, None, data.get(UNIT_FIELD, ""), data.get(f"n{UNIT_FIELD}", ""),
                             "Dòng Đơn vị"))
    return version, entries


class TransitionForm(forms.Form):
    comment = forms.CharField(
        label="Ý kiến / lý do", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)
