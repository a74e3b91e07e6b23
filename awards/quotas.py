"""Quotas of a unit and year: the national cap of the year's regime and the province's own,
tighter cap (QuotaRule, set by the Sở for its province and a school year), checked by the
pure engine (engine.check_quotas) on the counts of the dossier summary.

One source of numbers: the dossier page, the Sở's acceptance and check_eligibility all call
dossier_quotas.
"""

from __future__ import annotations

from dataclasses import dataclass

from awards.models import QuotaRule, Title
from awards.rules import engine
from registrations.models import Registration, SchoolYear
from units.models import Unit


def _ancestor_ids(unit: Unit) -> list[int]:
    return [int(part) for part in unit.path.strip("/").split("/") if part]


def province_rules(unit: Unit, school_year: SchoolYear, as_of=None) -> dict[str, QuotaRule]:
    """The Sở's rules for the year that govern `unit` (the Sở above it, or itself), by title code.

    One query: the unit's ancestors are in its materialized path. `as_of` (an accepted dossier's
    acceptance time): the rules as they stood then, from their history — a cap set or changed
    after the Sở accepted a dossier does not judge that dossier again.
    """
    ancestors = _ancestor_ids(unit)
    if as_of is not None:
        departments = Unit.objects.filter(pk__in=ancestors, kind=Unit.Kind.DEPARTMENT).values_list("pk", flat=True)
        rules = QuotaRule.history.as_of(as_of).filter(school_year_id=school_year.pk, scope_id__in=list(departments))
        return {rule.title_code: rule for rule in rules}
    rules = QuotaRule.objects.filter(school_year=school_year, scope_id__in=ancestors,
                                     scope__kind=Unit.Kind.DEPARTMENT).order_by("scope__depth")
    # The nearest Sở wins should there ever be two on the way up (there is one per tree).
    return {rule.title_code: rule for rule in rules}


def engine_overrides(rules: dict[str, QuotaRule], regime_code: str) -> dict[tuple[str, str], dict]:
    return {
        (regime_code, code): {"fraction": rule.fraction, "basis": rule.basis_title_code,
                              "source": rule.source or "quy chế thi đua, khen thưởng của tỉnh"}
        for code, rule in rules.items()
    }


@dataclass(frozen=True)
class QuotaLine:
    """A quota as pages, the acceptance review and the CLI show it."""

    result: engine.QuotaResult
    rule: QuotaRule | None  # the province's rule for this title, applied or not

    def __getattr__(self, name):  # the QuotaResult's fields (code, used, allowed, message, exceeded…)
        if name.startswith("__") or name == "result":  # copy/pickle probe before __init__: no recursion
            raise AttributeError(name)
        return getattr(self.result, name)

    @property
    def name(self) -> str:
        return engine.SHORT_NAMES.get(self.result.code, self.result.code)

    @property
    def source(self) -> str:
        return self.result.article

    @property
    def applied(self) -> str:
        """Which cap applies: "province", "national" or "" (no cap)."""
        if self.result.allowed is None:
            return ""
        return "province" if self.result.overridden else "national"

    @property
    def label(self) -> str:
        """"used / allowed" as the summary shows it."""
        if self.result.allowed is None:
            return f"{self.result.used if self.result.used is not None else '—'} / không giới hạn"
        return f"{self.result.used} / {self.result.allowed}"


def quota_lines(cumulative_counts: dict[str, int], school_year: SchoolYear, unit: Unit | None,
                regime_code: str | None, table, as_of=None) -> list[QuotaLine]:
    """Quotas for one unit from its cumulative counts (engine.check_quotas with the province's rules)."""
    if regime_code is None:
        return []
    rules = province_rules(unit, school_year, as_of=as_of) if unit is not None else {}
    results = engine.check_quotas(table, cumulative_counts, regime_code,
                                  overrides=engine_overrides(rules, regime_code))
    return [QuotaLine(r, rules.get(r.code)) for r in results]


def dossier_quotas(unit: Unit, school_year: SchoolYear, registrations: list[Registration],
                   titles: list[Title], *, accepted_at=None) -> tuple[list[tuple[Title, int]], list[QuotaLine]]:
    """The dossier summary (cumulative counts) and the quota lines computed from it; for an
    accepted dossier (`accepted_at`), under the province's rules as they stood at acceptance."""
    from awards.verdicts import quota_results
    from registrations.selectors import dossier_summary

    summary = dossier_summary(registrations, titles)
    return summary, quota_results({t.code: n for t, n in summary}, school_year, unit=unit, as_of=accepted_at)
