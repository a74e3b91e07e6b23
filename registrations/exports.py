"""Writing text into Excel safely; shared by the registration template and the report exporters."""

from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@")


def set_value(cell, value) -> None:
    """Write a value; text that Excel would evaluate (=, +, -, @) is stored as a text cell."""
    cell.value = value
    if isinstance(value, str) and value.lstrip().startswith(FORMULA_START):
        cell.data_type = "s"
        # Excel's hidden apostrophe: the cell stays text even after the user edits it (F2, Enter).
        cell.quotePrefix = True
