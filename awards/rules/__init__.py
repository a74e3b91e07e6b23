"""Eligibility rules for emulation titles and commendation forms (pure Python, no Django).

    rules = load_rules(yaml.safe_load(titles_path.read_text(encoding="utf-8")))
    verdict = evaluate_individual(rules[("2023", "CSTDCS")], history, 2023, rules=rules)
"""

from .engine import (
    check_quotas,
    criterion_key,
    evaluate_collective,
    evaluate_individual,
    evaluate_person,
    load_rules,
    quota_limit,
    regime_for_year,
    year_label,
)
from .model import (
    DISCIPLINES,
    LEVELS,
    RATINGS,
    Initiative,
    MemberFacts,
    PersonHistory,
    Prerequisite,
    QuotaResult,
    Reason,
    TitleRule,
    Verdict,
    YearRecord,
    merge_histories,
)

__all__ = [
    "DISCIPLINES",
    "LEVELS",
    "RATINGS",
    "Initiative",
    "MemberFacts",
    "PersonHistory",
    "Prerequisite",
    "QuotaResult",
    "Reason",
    "TitleRule",
    "Verdict",
    "YearRecord",
    "check_quotas",
    "criterion_key",
    "evaluate_collective",
    "evaluate_individual",
    "evaluate_person",
    "load_rules",
    "merge_histories",
    "quota_limit",
    "regime_for_year",
    "year_label",
]
