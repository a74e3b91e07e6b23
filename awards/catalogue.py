"""Load the catalogue (regimes, titles, forms) from the project's data files; idempotent."""

from __future__ import annotations

from dataclasses import dataclass
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


def _confirmed(value) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value or "false")


@transaction.atomic
def load_catalogue(titles_path: Path = DATA / "titles.yaml", extra_path: Path = DATA / "catalogue.yaml") -> CatalogueResult:
    titles = yaml.safe_load(titles_path.read_text(encoding="utf-8"))
    extra = yaml.safe_load(extra_path.read_text(encoding="utf-8"))
    result = CatalogueResult()
    regimes = {}
    for code, info in titles["regimes"].items():
        years = extra["regime_years"][code]
        regime, _ = Regime.objects.update_or_create(
            code=code,
            defaults=dict(name=years["name"], texts=info.get("texts", []),
                          first_year=years["first"], last_year=years["last"]),
        )
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
            for k, v in values.items():
                setattr(title, k, v)
            title.save()
            result.updated += 1
        else:
            result.unchanged += 1
    return result
