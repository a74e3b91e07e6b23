"""Verdicts for registrations: load each person's recorded history in a few queries, hand it
to the pure rules engine (awards/rules), and shape the answers for pages and services.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from django.db.models import Count, Max, Sum

from awards.catalogue import catalogue_structure
from awards.models import AnnualRecord, Initiative, RecognisedTitle, RecordedVerdict, RegistrationOverride, Title
from awards.rules import engine
from awards.selectors import regime_of
from config.sql import id_list
from registrations.models import Registration, SchoolYear

TITLES_YAML = Path(__file__).resolve().parent / "data" / "titles.yaml"
STATUS_LABELS = {"eligible": "Đủ điều kiện", "ineligible": "Chưa đủ điều kiện", "unknown": "Thiếu dữ liệu"}


def catalogue_key() -> tuple:
    """Changes whenever a title or its regime is edited, added or removed (one small query)."""
    found = Title.objects.aggregate(n=Count("pk"), at=Max("updated_at"), revisions=Sum("revision"),
                                    regimes=Max("regime__updated_at"))
    return (found["n"], found["at"], found["revisions"], found["regimes"])


_rules_cache: dict = {}


def clear_rules_cache() -> None:
    """For tests: a rolled-back edit under a frozen clock could leave a matching key."""
    _rules_cache.clear()


def rules() -> dict:
    """The engine's table built from the Regime and Title rows (the Sở edits them in the app).

    Rebuilt only when catalogue_key changes, so a whole province costs one query here; every
    worker process sees an edit at its next call.
    """
    key = catalogue_key()
    table = _rules_cache.get(key)
    if table is None:
        table = engine.load_rules(catalogue_structure())
        _rules_cache.clear()
        _rules_cache[key] = table
    return table


@lru_cache(maxsize=1)
def rules_from_yaml() -> dict:
    """The shipped reference (awards/data/titles.yaml), for comparisons and tests."""
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
    # Set once the Sở accepted the dossier: the verdict as it was then (later catalogue edits
    # never change it); None while it is computed afresh.
    recorded: RecordedVerdict | None = None

    @property
    def status(self) -> str:
        return self.verdict.status

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.verdict.status]


def verdict_json(verdict: engine.Verdict) -> dict:
    """A verdict with its reasons as JSON (RecordedVerdict.verdict, the CLI's JSON output)."""
    return {
        "code": verdict.code, "start_year": verdict.start_year, "status": verdict.status,
        "unconfirmed": verdict.unconfirmed, "regime": verdict.regime,
        "reasons": [{"criterion": r.criterion, "status": r.status, "message": r.message, "article": r.article,
                     "unconfirmed": r.unconfirmed, "alternative": r.alternative} for r in verdict.reasons],
    }


def verdict_from_json(data: dict) -> engine.Verdict:
    return engine.Verdict(
        code=data["code"], start_year=data["start_year"], status=data["status"], unconfirmed=data["unconfirmed"],
        regime=data.get("regime", ""),
        reasons=tuple(engine.Reason(r["criterion"], r["status"], r["message"], r["article"],
                                    unconfirmed=r.get("unconfirmed", False), alternative=r.get("alternative"))
                      for r in data["reasons"]),
    )


def _recorded(people: list[Registration]) -> dict[int, RecordedVerdict]:
    """Recorded verdicts, from the registrations' own join when the caller selected it."""
    if not people:
        return {}
    if all("recorded_verdict" in r._state.fields_cache for r in people):
        return {r.pk: r._state.fields_cache["recorded_verdict"] for r in people
                if r._state.fields_cache["recorded_verdict"] is not None}
    return {v.registration_id: v for v in RecordedVerdict.objects.filter(registration__in=id_list(r.pk for r in people))}


def verdicts_for(registrations: list[Registration], school_year: SchoolYear,
                 unit=None) -> dict[int, RegistrationVerdict]:
    """A verdict for each individual registration, and with `unit` (the dossier's unit) for the
    unit's own and its teams' registrations too (from the members' data: awards.collective).

    A registration whose dossier the Sở accepted shows the verdict recorded then; the others
    are evaluated under the school year's regime with the catalogue as it is now.
    """
    people = [r for r in registrations if r.staff_id or unit is not None]
    ids = id_list(r.pk for r in people)
    overrides = defaultdict(list)
    for o in RegistrationOverride.objects.filter(registration__in=ids).select_related("user"):
        overrides[o.registration_id].append(o)
    recorded = _recorded(people)
    computed: dict[int, engine.Verdict] = {}
    pending = [r for r in people if r.pk not in recorded]
    regime = regime_of(school_year) if pending else None
    if regime is not None:
        history = histories([r.staff_id for r in pending if r.staff_id], school_year.start_year)
        table = rules()
        for r in pending:
            rule = table.get((regime.code, r.title.code))
            if rule is not None and r.staff_id:
                computed[r.pk] = engine.evaluate_individual(rule, history[r.staff_id], school_year.start_year,
                                                            rules=table)
        if unit is not None:
            from awards.collective import collective_verdicts

            computed.update(collective_verdicts(
                [r for r in registrations if r.staff_id or r.pk not in recorded], school_year,
                getattr(unit, "pk", unit), regime.code, table))
    out = {}
    for r in people:
        if r.pk in recorded:
            out[r.pk] = RegistrationVerdict(r, verdict_from_json(recorded[r.pk].verdict), overrides.get(r.pk, []),
                                            recorded=recorded[r.pk])
        elif r.pk in computed:
            out[r.pk] = RegistrationVerdict(r, computed[r.pk], overrides.get(r.pk, []))
    return out


def quota_results(cumulative_counts: dict[str, int], school_year: SchoolYear, unit=None, as_of=None) -> list:
    """Quota lines (awards.quotas.QuotaLine) for a unit's cumulative counts: the regime's national
    cap and, for `unit`, its Sở's tighter rule for the year (the stricter applies)."""
    from awards.quotas import quota_lines

    regime = regime_of(school_year)
    if regime is None:
        return []
    return quota_lines(cumulative_counts, school_year, unit, regime.code, rules(), as_of=as_of)
