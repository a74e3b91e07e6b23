"""Reads of the catalogue."""

from __future__ import annotations

from django.db.models import QuerySet

from awards.models import Regime, Title


def regime_for_year(start_year: int) -> Regime | None:
    """The regime in force for the school year starting `start_year`."""
    for regime in Regime.objects.all():
        if regime.governs(start_year):
            return regime
    return None


def registrable_titles(start_year: int, kind: str | None = None) -> QuerySet[Title]:
    """Titles a unit may register for in that school year, lowest rank first."""
    regime = regime_for_year(start_year)
    qs = Title.objects.filter(regime=regime, registrable=True, category=Title.Category.TITLE)
    if kind:
        qs = qs.filter(kind=kind)
    # Individual titles first, as dossiers and reports list them.
    return qs.order_by("-kind", "ladder_rank", "code")
