"""Load the catalogue (regimes, titles, forms) from the project's data files; idempotent."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from awards.models import Regime, Title

DATA = Path(__file__).resolve().parent / "data"


@dataclass
class CatalogueResult:
    regimes: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Rows that differ from the files but were left as they are (edited in the app since):
    # "regime/code" labels; --force overwrites them.
    kept: list[str] = field(default_factory=list)
    school_years_pointed: int = 0


def _confirmed(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value or "false")


@transaction.atomic
def load_catalogue(titles_path: Path = DATA / "titles.yaml", extra_path: Path = DATA / "catalogue.yaml", *,
                   force: bool = False) -> CatalogueResult:
    """Seed the catalogue from the data files: idempotent.

    The database is the truth once loaded (the Sở edits it in the app), so a regime or title
    that exists is never changed silently: only missing ones are created, and rows that
    differ from the files are reported as `kept`. `force` overwrites them from the files
    (bumping each title's revision; the history keeps the earlier version).
    """
    titles = yaml.safe_load(titles_path.read_text(encoding="utf-8"))
    extra = yaml.safe_load(extra_path.read_text(encoding="utf-8"))
    result = CatalogueResult()
    regimes = {}
    for code, info in titles["regimes"].items():
        years = extra["regime_years"][code]
        values = dict(name=years["name"], texts=info.get("texts", []), first_year=years["first"],
                      last_year=years["last"])
        regime = Regime.objects.filter(code=code).first()
        if regime is None:
            regime = Regime.objects.create(code=code, **values)
        elif any(getattr(regime, k) != v for k, v in values.items()):
            if force:
                for k, v in values.items():
                    setattr(regime, k, v)
                regime._change_reason = "load_catalogue --force"
                regime.save()
            else:
                result.kept.append(f"chế độ {code}")
        regimes[code] = regime
        result.regimes += 1
    ranks = {**extra["ladders"]["individual"], **extra["ladders"]["collective"]}
    for entry in titles["entries"]:
        code = entry["code"]
        values = dict(
            name=entry["name_vi"],
            short_name=extra["short_names"].get(code, ""),
            kind=entry["kind"],
            category=entry["category"],
            ladder_rank=ranks.get(code, 0),
            registrable=code in extra["registrable"],
            source=entry.get("source", ""),
            confirmed=_confirmed(entry.get("confirmed")),
            notes=entry.get("notes", "") or "",
            criteria={k: v for k, v in entry.items() if k not in {"code", "name_vi", "notes"}},
        )
        title = Title.objects.filter(regime=regimes[str(entry["regime"])], code=code).first()
        if title is None:
            Title.objects.create(regime=regimes[str(entry["regime"])], code=code, **values)
            result.created += 1
        elif any(getattr(title, k) != v for k, v in values.items()):
            if not force:
                result.kept.append(f"{entry['regime']}/{code}")
                continue
            for k, v in values.items():
                setattr(title, k, v)
            title.revision += 1
            title._change_reason = "load_catalogue --force"
            title.save()
            result.updated += 1
        else:
            result.unchanged += 1
    result.school_years_pointed = point_school_years()
    return result


def point_school_years() -> int:
    """School years created before their regime existed get it now (from the regimes' years)."""
    from awards.selectors import regime_governing
    from registrations.models import SchoolYear

    n = 0
    for year in SchoolYear.objects.filter(regime__isnull=True):
        regime = regime_governing(year.start_year)
        if regime is not None:
            year.regime = regime
            year.save(update_fields=["regime"])
            n += 1
    return n


# --- the rules engine's table, from the database ----------------------------------------------

def title_entry(title: Title, regime_code: str) -> dict:
    """The titles.yaml entry of a Title row (what awards.rules.engine.load_rules reads).

    The row's own columns win over their copies inside `criteria` (the page edits the columns).
    """
    return {
        **(title.criteria or {}),
        "code": title.code,
        "name_vi": title.name,
        "notes": title.notes,
        "regime": regime_code,
        "kind": title.kind,
        "category": title.category,
        "source": title.source,
        "confirmed": title.confirmed,
    }


def catalogue_structure() -> dict:
    """{"regimes": {...}, "entries": [...]} from the database, as titles.yaml has it (2 queries)."""
    regimes = {r.pk: r for r in Regime.objects.all()}
    entries = [title_entry(t, regimes[t.regime_id].code) for t in Title.objects.order_by("regime_id", "pk")]
    return {
        "regimes": {r.code: {"texts": r.texts, "name": r.name, "first": r.first_year, "last": r.last_year}
                    for r in regimes.values()},
        "entries": entries,
    }
