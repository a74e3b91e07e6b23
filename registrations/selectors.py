"""Reads about school years."""

from __future__ import annotations

import datetime

from django.utils import timezone

from registrations.models import SchoolYear


def school_year_for_date(day: datetime.date | None = None) -> SchoolYear | None:
    """The school year a date falls in; in the summer gap, the last one that has started."""
    day = day or timezone.localdate()
    containing = SchoolYear.objects.filter(start_date__lte=day, end_date__gte=day).first()
    if containing:
        return containing
    started = SchoolYear.objects.filter(start_date__lte=day).order_by("-start_date").first()
    return started or SchoolYear.objects.order_by("start_date").first()


def school_year_start_for_date(day: datetime.date) -> int:
    """Start year of the school year a date belongs to, without any SchoolYear rows.

    Vietnamese school years start in August-September; August is counted as the new year.
    """
    return day.year if day.month >= 8 else day.year - 1


def school_years() -> list[SchoolYear]:
    return list(SchoolYear.objects.order_by("-start_date"))
