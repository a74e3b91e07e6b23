"""Verdicts for registrations: load each person's recorded history in a few queries, hand it
to the pure rules engine (awards/rules), and shape the answers for pages and services.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from awards.models import AnnualRecord, Initiative, RecognisedTitle, RegistrationOverride
from awards.rules import engine
from awards.selectors import regime_for_year
from config.sql import id_list
from registrations.models import Registration, SchoolYear

TITLES_YAML = Path(__file__).resolve().parent / "data" / "titles.yaml"
STATUS_LABELS = {"eligible": "Đủ điều kiện", "ineligible": "Chưa đủ điều kiện", "unknown": "Thiếu dữ liệu"}


@lru_cache(maxsize=1)
def rules() -> dict:
    return engine.load_rules(yaml.safe_load(TITLES_YAML.read_text(encoding="utf-8")))


def histories(staff_ids: list[int], up_to: int) -> dict[int, engine.PersonHistory]:
    """Everyone's recorded years (any unit: transfers do not break runs) up to `up_to`.

    Four queries whatever the number of people: plain tuples (a province is ~200,000 history
    rows; model instances cost ten times the query) and the ids as one parameter.
    """
    starts = {pk: int(code[:4]) for pk, code in SchoolYear.objects.values_list("pk", "code")}
    in_range = [pk for pk, start in starts.items() if start <= up_to]
    people = id_list(staff_ids)
    years: dict[int, dict[int, dict]] = defaultdict(dict)
    records = AnnualRecord.objects.filter(staff_id__in=people, school_year_id__in=in_range).values_list(
        "staff_id", "school_year_id", "rating", "discipline", "months_worked", "maternity_months")
    for staff_id, year_id, rating, discipline, worked, maternity in records:
        months = float(worked) + float(maternity) if worked is not None else None
        years[staff_id][starts[year_id]] = {"rating": rating or None, "discipline": discipline or None,
                                            "months_worked": months, "titles": set()}
    recognised = RecognisedTitle.objects.filter(staff_id__in=people, school_year_id__in=in_range).values_list(
        "staff_id", "school_year_id", "title_code")
    for staff_id, year_id, code in recognised:
        years[staff_id].setdefault(starts[year_id], {"rating": None, "discipline": None, "months_worked": None,
                                                     "titles": set()})["titles"].add(code)
    initiatives: dict[int, list] = defaultdict(list)
    # No year filter in SQL here: SQLite would then drive the join from the years and rescan the id list.
    authors = Initiative.authors.through.objects.filter(staff_id__in=people).values_list(
        "staff_id", "initiative__school_year_id", "initiative__level")
    for staff_id, year_id, level in authors:
        if starts[year_id] <= up_to:
            initiatives[staff_id].append(engine.Initiative(start_year=starts[year_id], level=level))
    out = {}
    for staff_id in staff_ids:
        recs = {
            start: engine.YearRecord(start_year=start, rating=v["rating"], titles=frozenset(v["titles"]),
                                     discipline=v["discipline"], months_worked=v["months_worked"])
            for start, v in years.get(staff_id, {}).items()
        }
        out[staff_id] = engine.PersonHistory(years=recs, initiatives=tuple(initiatives.get(staff_id, ())))
    return out


@dataclass
class RegistrationVerdict:
    registration: Registration
    verdict: engine.Verdict
    overrides: list[RegistrationOverride]

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.verdict.status]


def verdicts_for(registrations: list[Registration], school_year: SchoolYear) -> dict[int, RegistrationVerdict]:
    """A verdict for each individual registration (collective ones need member data: later)."""
    regime = regime_for_year(school_year.start_year)
    if regime is None:
        return {}
    people = [r for r in registrations if r.staff_id]
    history = histories([r.staff_id for r in people], school_year.start_year)
    overrides = defaultdict(list)
    for o in RegistrationOverride.objects.filter(registration__in=id_list(r.pk for r in people)).select_related("user"):
        overrides[o.registration_id].append(o)
    table = rules()
    out = {}
    for r in people:
        rule = table.get((regime.code, r.title.code))
        if rule is None:
            continue
        verdict = engine.evaluate_individual(rule, history[r.staff_id], school_year.start_year, rules=table)
        out[r.pk] = RegistrationVerdict(r, verdict, overrides.get(r.pk, []))
    return out


def quota_results(cumulative_counts: dict[str, int], school_year: SchoolYear) -> list:
    regime = regime_for_year(school_year.start_year)
    if regime is None:
        return []
    return engine.check_quotas(rules(), cumulative_counts, regime.code)
