"""Reads of the catalogue."""

from __future__ import annotations

import json

from django.db.models import Count, QuerySet

from awards.models import Regime, Title


def regime_governing(start_year: int) -> Regime | None:
    """The regime whose years contain the school year starting `start_year`.

    Only to fill `SchoolYear.regime` when a year is created: everywhere else the school
    year's own regime is the truth (regime_of).
    """
    for regime in Regime.objects.order_by("code"):
        if regime.governs(start_year):
            return regime
    return None


def regime_of(school_year) -> Regime | None:
    """The regime a school year is evaluated under: the one it points at (set by the Sở)."""
    if school_year.regime_id is not None:
        return school_year.regime  # cached on the instance after the first access
    # A year created before the catalogue was loaded: load_catalogue fills it; until then, by years.
    return regime_governing(school_year.start_year)


def regime_for_year(start_year: int) -> Regime | None:
    """Deprecated: call regime_of(school_year). Kept for callers holding only a start year; it
    still goes through the school year's row when there is one."""
    from registrations.models import SchoolYear

    year = SchoolYear.objects.filter(code=f"{start_year}-{start_year + 1}").select_related("regime").first()
    return regime_of(year) if year is not None else regime_governing(start_year)


def regime_id_of(school_year) -> int | None:
    if school_year.regime_id is not None:
        return school_year.regime_id
    regime = regime_governing(school_year.start_year)
    return regime.pk if regime else None


def _school_year(school_year):
    if isinstance(school_year, int):
        # Older callers pass the start year: still looked up through the school year row.
        from registrations.models import SchoolYear

        found = SchoolYear.objects.filter(code=f"{school_year}-{school_year + 1}").first()
        if found is None:
            raise ValueError(f"no school year {school_year}-{school_year + 1}")
        return found
    return school_year


def registrable_titles(school_year, kind: str | None = None) -> QuerySet[Title]:
    """Titles a unit may register for in that school year (under its regime), lowest rank first."""
    regime_id = regime_id_of(_school_year(school_year))
    qs = Title.objects.filter(regime_id=regime_id, registrable=True, category=Title.Category.TITLE)
    if kind:
        qs = qs.filter(kind=kind)
    # Individual titles first, as dossiers and reports list them.
    return qs.order_by("-kind", "ladder_rank", "code")


# --- the in-app catalogue pages ---------------------------------------------------------------

def regimes_overview() -> list[Regime]:
    """Every regime with its number of titles and the school years pointing at it (2 queries)."""
    regimes = list(Regime.objects.annotate(title_count=Count("titles")).order_by("first_year", "code"))
    from registrations.models import SchoolYear

    years: dict[int, list] = {}
    for y in SchoolYear.objects.order_by("start_date"):
        years.setdefault(y.regime_id, []).append(y)
    for r in regimes:
        r.year_list = years.get(r.pk, [])
    return regimes


def regime_titles(regime: Regime) -> list[Title]:
    return list(regime.titles.order_by("-kind", "category", "ladder_rank", "code"))


# Fields of a title an edit may change, with their Vietnamese labels (history and messages).
TITLE_FIELDS = {
    "name": "Tên", "short_name": "Tên viết tắt", "registrable": "Được đăng ký đầu năm", "ladder_rank": "Bậc",
    "confirmed": "Xác nhận", "notes": "Ghi chú", "source": "Nguồn tham chiếu", "criteria": "Tiêu chuẩn",
}


def _short(value) -> str:
    if value is None or value == "":
        return "(trống)"
    if value is True:
        return "có"
    if value is False:
        return "không"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "…"


def title_history(title: Title) -> list[dict]:
    """Every saved version, newest first: who, when, and what changed from the version before."""
    versions = list(title.history.select_related("history_user").order_by("history_date", "history_id"))
    out = []
    previous = None
    for v in versions:
        changes = []
        if previous is not None:
            for field, label in TITLE_FIELDS.items():
                old, new = getattr(previous, field), getattr(v, field)
                if field == "criteria":
                    old, new = old or {}, new or {}
                    for key in sorted(set(old) | set(new)):
                        if old.get(key) != new.get(key):
                            changes.append((f"{label} › {key}", _short(old.get(key)), _short(new.get(key))))
                elif old != new:
                    changes.append((label, _short(old), _short(new)))
        out.append({"version": v, "user": v.history_user, "at": v.history_date, "revision": v.revision,
                    "type": v.history_type, "reason": v.history_change_reason or "", "changes": changes})
        previous = v
    return list(reversed(out))
