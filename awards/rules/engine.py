"""Eligibility engine for emulation titles and commendation forms (thi đua, khen thưởng).

Pure Python: rules come from the parsed titles.yaml (load_rules), facts from the caller.
Every verdict carries one Reason per criterion with a Vietnamese message and its article.

Interpretations where awards/data/titles.yaml and docs/rules-reference.md leave room
(each is a deliberate decision; change here, not in callers):

* Evaluated year. `start_year` is the last school year whose results are considered. Consecutive
  runs end with it, except for CSTD_TINH / CSTD_BO (run of 3 CSTĐCS may also end the year before:
  proposal in the adjacent year, UNCONFIRMED -> that route is flagged) and CSTDTQ (the 2nd CSTĐ
  tỉnh/Bộ may be in the evaluated year or the year before: NĐ 91/2017 Art. 48(1)(a)).
* "N lần liên tục" of a multi-year title (CSTD_TINH, CSTD_BO, CSTD_TINH_OR_BO) means N awards in
  consecutive 3-year cycles: successive awards exactly 3 school years apart (each rests on 3
  consecutive CSTĐCS), not N adjacent school years.
* Gaps. For titles, a year with no record or without the code breaks a run (failed). For
  ratings, a year with no record or no rating is unknown (missing), not a break.
* Runs follow the person (transfers) and cross the 2024 regime change: codes are the same in
  both regimes and the history is per person.
* An award held with `consecutive_years: 0` and no count ("ever held") must be from a year before
  the evaluated one; when the same set also has a run of N >= 2 years ("BK + 05 năm tiếp theo")
  it must be from a year before that run (year <= start_year - N).
* Counts: `count` within the last `window_years` school years ending with the evaluated one
  (whole history when no window). Initiative counts count initiatives, not years.
* An initiative "kind" de_tai (accepted research topic) satisfies INITIATIVE_CO_SO as well
  (sáng kiến *or* đề tài); RESEARCH_ACCEPTED needs de_tai.
* initiative_level is a criterion of its own only for rules without `alternatives` (where there
  are alternatives, the initiative is one route, e.g. CSTDCS 2023, BK_*). It must be recognised
  in the evaluated year for school-year titles, within the prerequisite period for multi-year
  titles. CSTDCS 2017's INITIATIVE_CO_SO prerequisite is folded into "initiative:co_so".
* min_rating is checked for the evaluated year, also for multi-year forms.
* Within the evaluated year only, a prerequisite title not yet recorded (e.g. LĐTT when CSTĐCS
  is evaluated at the same council meeting) is derived by evaluating its rule when `rules` is
  given: eligible -> held, unknown -> unknown, ineligible -> not held.
* Regime 2023, LĐTT: discipline is not an explicit disqualifier (it leads to KHTNV when the
  violation is task-related); a disciplined person with a rating >= HTTNV gets a "missing"
  discipline reason flagged unconfirmed for the council to judge. "Under disciplinary review"
  (defer) has no input field and is not evaluated.
* Manual criteria (OUTSTANDING_IN_MOVEMENT, WIDE_IMPACT_ACHIEVEMENTS, LONG_SERVICE_POSITION,
  YEARS_IN_SECTOR_20 ...) are "missing" unless the caller passes the council's judgement in
  `judgements` {code: bool}. A rule with no encoded criterion at all (Cờ thi đua, GK 2023,
  NGUT 2023) gets a "criteria:manual" reason (judgement key "MANUAL_CRITERIA").
* Collective: members "complete tasks" = rating >= HTNV; members with unknown rating may still
  become LĐTT/CSTĐCS, so shares are decided on lower/upper bounds; CSTĐCS members include
  holders of higher CSTĐ titles that year. `tasks_completed` applies unless the rule asks for a
  collective rating (TTLDXS 2023: collective_rating HTXSNV); a collective rating alone decides it
  (HTXSNV for TTLĐXS's "xuất sắc", HTTNV otherwise).
* Unconfirmed: a rule with confirmed "false" flags every reason; a prerequisite whose note says
  UNCONFIRMED, the entries of UNCONFIRMED_CRITERIA / UNCONFIRMED_ROUTES and the adjacent-year
  route are flagged; Verdict.unconfirmed is also set when the rule is "partial".
* Quotas: floor(fraction x basis); counts are cumulative along the ladder (CSTĐCS+ over LĐTT+).
  A provincial override can only tighten a national cap (the lower applies); where no national
  cap exists (regime 2023) the override is the cap and the result is no longer flagged.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from types import MappingProxyType

from .model import (
    DISCIPLINE_RANK,
    DISCIPLINES,
    LEVEL_RANK,
    RATING_RANK,
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

# The data classes are re-exported so callers may use `engine.YearRecord` etc.
__all__ = [
    "Initiative", "MemberFacts", "PersonHistory", "Prerequisite", "QuotaResult", "Reason", "TitleRule", "Verdict",
    "YearRecord", "merge_histories",
    "check_quotas", "criterion_key", "evaluate_collective", "evaluate_individual", "evaluate_person", "load_rules",
    "quota_limit", "regime_for_year", "year_label",
]

# ---------------------------------------------------------------- vocabulary

PSEUDO_RATING = {"RATING_HTXSNV": "HTXSNV", "RATING_HTTNV": "HTTNV"}
# code -> (minimum level, required kind or None for any kind)
PSEUDO_INITIATIVE = {"INITIATIVE_CO_SO": ("co_so", None), "RESEARCH_ACCEPTED": ("co_so", "de_tai")}
PSEUDO_ANY_OF = {"CSTD_TINH_OR_BO": ("CSTD_TINH", "CSTD_BO"), "BK_TINH_OR_BO": ("BK_TINH", "BK_BO")}
ANY_PRIOR = "ANY_PRIOR"

# Codes whose meaning is a council's judgement or a fact outside the history.
MANUAL_CODES = {
    "OUTSTANDING_IN_MOVEMENT": "thành tích xuất sắc được bình xét trong phong trào thi đua",
    "OUTSTANDING_IN_MOET_MOVEMENT": "thành tích xuất sắc trong phong trào thi đua do Bộ trưởng Bộ GD&ĐT phát động",
    "WIDE_IMPACT_ACHIEVEMENTS": "nhiều thành tích hoặc thành tích đột xuất có phạm vi ảnh hưởng",
    "LONG_SERVICE_POSITION": "quá trình cống hiến lâu dài ở chức vụ lãnh đạo, quản lý",
    "YEARS_IN_SECTOR_20": "đủ 20 năm công tác trong ngành giáo dục (15 năm ở vùng đặc biệt khó khăn)",
}
MANUAL_JUDGEMENT_KEY = "MANUAL_CRITERIA"

# Multi-year titles: one award per cycle of this many school years.
CYCLE_YEARS = {"CSTD_TINH": 3, "CSTD_BO": 3, "CSTD_TINH_OR_BO": 3}
# Rules whose run may end the year before the evaluated one; value: that route is UNCONFIRMED.
ADJACENT_YEAR_RULES = {"CSTD_TINH": True, "CSTD_BO": True, "CSTDTQ": False}
# Criteria (top-level keys) resting on facts the reference marks UNCONFIRMED.
UNCONFIRMED_CRITERIA: Mapping[tuple[str, str], frozenset[str]] = {
    ("2023", "LDTT"): frozenset({"discipline"}),
    ("2023", "TTLDTT"): frozenset({"members:ldtt_share"}),  # 70% vs the old >50%: change UNCONFIRMED
}
# Alternative routes (1-based) resting on UNCONFIRMED facts.
UNCONFIRMED_ROUTES: Mapping[tuple[str, str], frozenset[int]] = {
    ("2017", "BK_TINH"): frozenset({1}),  # 2 yrs HTXSNV + 2 initiatives: in the Law text UNCONFIRMED
}
# Title a quota is a share of (cumulative counts along the ladder).
QUOTA_BASIS = {"CSTDCS": "LDTT", "CSTD_TINH": "CSTDCS", "CSTD_BO": "CSTDCS", "TTLDXS": "TTLDTT"}
HIGHER_CSTD = ("CSTDCS", "CSTD_TINH", "CSTD_BO", "CSTDTQ")

DEFAULT_REGIME_YEARS: Mapping[str, Mapping[str, int | None]] = {
    "2017": {"first": None, "last": 2022},
    "2023": {"first": 2023, "last": None},
}

SHORT_NAMES = {
    "LDTT": "LĐTT",
    "CSTDCS": "CSTĐCS",
    "CSTD_TINH": "CSTĐ cấp tỉnh",
    "CSTD_BO": "CSTĐ cấp Bộ",
    "CSTDTQ": "CSTĐ toàn quốc",
    "CSTD_TINH_OR_BO": "CSTĐ cấp tỉnh hoặc cấp Bộ",
    "TTLDTT": "TTLĐTT",
    "TTLDXS": "TTLĐXS",
    "CTD_TINH": "Cờ thi đua cấp tỉnh",
    "CTD_BO": "Cờ thi đua Bộ GD&ĐT",
    "CTD_CP": "Cờ thi đua của Chính phủ",
    "GK": "Giấy khen",
    "BK_TINH": "Bằng khen của Chủ tịch UBND tỉnh",
    "BK_BO": "Bằng khen của Bộ trưởng Bộ GD&ĐT",
    "BK_TINH_OR_BO": "Bằng khen cấp tỉnh hoặc cấp Bộ",
    "BK_TTG": "Bằng khen của Thủ tướng Chính phủ",
    "HCLD3": "Huân chương Lao động hạng Ba",
    "HCLD2": "Huân chương Lao động hạng Nhì",
    "HCLD1": "Huân chương Lao động hạng Nhất",
    "KNC_GD": "Kỷ niệm chương Vì sự nghiệp giáo dục",
    "NGUT": "Nhà giáo Ưu tú",
    "NGND": "Nhà giáo Nhân dân",
    "RATING_HTXSNV": "xếp loại HTXSNV",
    "RATING_HTTNV": "xếp loại HTTNV trở lên",
    "INITIATIVE_CO_SO": "sáng kiến được công nhận cấp cơ sở",
    "RESEARCH_ACCEPTED": "đề tài khoa học được nghiệm thu",
    ANY_PRIOR: "một danh hiệu hoặc hình thức khen thưởng",
}
LEVEL_VI = {"co_so": "cấp cơ sở", "tinh_bo": "cấp tỉnh hoặc cấp Bộ", "toan_quoc": "cấp toàn quốc"}
DISCIPLINE_VI = {
    "khien_trach": "khiển trách",
    "canh_cao": "cảnh cáo",
    "ha_bac_luong": "hạ bậc lương",
    "giang_chuc": "giáng chức",
    "cach_chuc": "cách chức",
    "buoc_thoi_viec": "buộc thôi việc",
}

# ---------------------------------------------------------------- articles (Vietnamese citations)

_LAW17 = "Luật TĐKT 2003 (sửa đổi 2013)"
_LAW22 = "Luật TĐKT 2022"
_ND91 = "NĐ 91/2017/NĐ-CP"

ARTICLES: Mapping[tuple[str, str], str] = {
    ("2017", "LDTT"): f"{_LAW17} Điều 24; {_ND91} Điều 10",
    ("2017", "CSTDCS"): f"{_LAW17} Điều 23; {_ND91} Điều 9 khoản 3",
    ("2017", "CSTD_TINH"): f"{_LAW17} Điều 22; {_ND91} Điều 9 khoản 2",
    ("2017", "CSTD_BO"): f"{_LAW17} Điều 22; {_ND91} Điều 9 khoản 2",
    ("2017", "CSTDTQ"): f"{_LAW17} Điều 21; {_ND91} Điều 48 khoản 1 điểm a, Điều 49",
    ("2017", "TTLDTT"): f"{_LAW17} Điều 28",
    ("2017", "TTLDXS"): f"{_LAW17} Điều 27",
    ("2017", "CTD_TINH"): f"{_LAW17} Điều 26",
    ("2017", "CTD_BO"): f"{_LAW17} Điều 26; TT 21/2020/TT-BGDĐT",
    ("2017", "CTD_CP"): f"{_LAW17} Điều 25; {_ND91} Điều 11",
    ("2017", "GK"): f"{_LAW17} Điều 75",
    ("2017", "BK_TINH"): f"{_LAW17} Điều 72; TT 21/2020/TT-BGDĐT Điều 5",
    ("2017", "BK_BO"): "TT 21/2020/TT-BGDĐT Điều 5",
    ("2017", "BK_TTG"): f"{_ND91} Điều 38 khoản 1",
    ("2017", "HCLD3"): f"{_LAW17} Điều 46",
    ("2017", "HCLD2"): f"{_LAW17} Điều 46",
    ("2017", "HCLD1"): f"{_LAW17} Điều 46",
    ("2017", "KNC_GD"): "TT 21/2020/TT-BGDĐT Điều 6",
    ("2017", "NGUT"): "NĐ 27/2015/NĐ-CP",
    ("2017", "NGND"): "NĐ 27/2015/NĐ-CP",
    ("2023", "LDTT"): f"{_LAW22} Điều 24 khoản 1; TT 01/2024/TT-BNV",
    ("2023", "CSTDCS"): f"{_LAW22} Điều 23",
    ("2023", "CSTD_TINH"): f"{_LAW22} Điều 22",
    ("2023", "CSTD_BO"): f"{_LAW22} Điều 22",
    ("2023", "CSTDTQ"): f"{_LAW22} Điều 21",
    ("2023", "TTLDTT"): f"{_LAW22} Điều 28 khoản 1; TT 29/2023/TT-BGDĐT Điều 6",
    ("2023", "TTLDXS"): f"{_LAW22} Điều 27 khoản 1",
    ("2023", "CTD_TINH"): f"{_LAW22} Điều 26",
    ("2023", "CTD_BO"): f"{_LAW22} Điều 26; TT 29/2023/TT-BGDĐT",
    ("2023", "CTD_CP"): f"{_LAW22} Điều 25",
    ("2023", "GK"): f"{_LAW22} Điều 75 khoản 2",
    ("2023", "BK_TINH"): f"{_LAW22} Điều 74 khoản 1",
    ("2023", "BK_BO"): f"{_LAW22} Điều 74; TT 29/2023/TT-BGDĐT Điều 9",
    ("2023", "BK_TTG"): f"{_LAW22} Điều 73 khoản 1",
    ("2023", "HCLD3"): f"{_LAW22} Điều 44 khoản 1",
    ("2023", "HCLD2"): f"{_LAW22} Điều 44",
    ("2023", "HCLD1"): f"{_LAW22} Điều 44",
    ("2023", "KNC_GD"): "TT 29/2023/TT-BGDĐT",
    ("2023", "NGUT"): f"{_LAW22} Điều 64; NĐ 35/2024/NĐ-CP",
    ("2023", "NGND"): f"{_LAW22} Điều 64; NĐ 35/2024/NĐ-CP",
}
# (regime, code, criterion prefix) -> article, when narrower than the title's article.
CRITERION_ARTICLES: Mapping[tuple[str, str, str], str] = {
    ("2017", "LDTT", "min_rating"): f"{_LAW17} Điều 24 khoản 1",
    ("2017", "LDTT", "months_worked"): f"{_ND91} Điều 10",
    ("2017", "LDTT", "discipline"): f"{_ND91} Điều 10",
    ("2023", "LDTT", "min_rating"): f"{_LAW22} Điều 24 khoản 1",
    ("2023", "LDTT", "months_worked"): "TT 01/2024/TT-BNV",
    ("2023", "LDTT", "discipline"): "NĐ 90/2020/NĐ-CP Điều 15 (sửa đổi bởi NĐ 48/2023/NĐ-CP)",
    ("2017", "CSTDTQ", "prereq"): f"{_LAW17} Điều 21; {_ND91} Điều 48 khoản 1 điểm a",
    ("2023", "HCLD3", "alt2"): "NĐ 152/2025/NĐ-CP Điều 21",
    ("2017", "CSTDCS", "quota"): f"{_ND91} Điều 9 khoản 3",
    ("2023", "CSTDCS", "quota"): f"{_LAW22} Điều 23; NĐ 98/2023/NĐ-CP",
}
_LAW_BY_REGIME = {"2017": _LAW17, "2023": _LAW22}


def _article_from_source(source: str, regime: str) -> str:
    """Fallback citation for entries without a table row: the yaml `source`, in Vietnamese form."""
    text = re.sub(r"\s*--[^;]*", "", source)
    text = re.sub(r"\s*\([^()]*UNCONFIRMED[^()]*\)", "", text)
    text = re.sub(r"\bas amended (\d{4})", r"(sửa đổi \1)", text)
    text = re.sub(r"\bLaw 06/2022\b", _LAW22, text)
    text = re.sub(r"\bLaw 2003\b", "Luật TĐKT 2003", text)
    text = re.sub(r"\bLaw\b", _LAW_BY_REGIME.get(regime, "Luật TĐKT"), text)
    text = re.sub(r"\bArts?\.\s*", "Điều ", text)
    text = re.sub(r"\s+", " ", text).strip(" ;,")
    return text or _LAW_BY_REGIME.get(regime, "Luật TĐKT")


def _criterion_article(rule: TitleRule, criterion: str, alternative: int | None = None) -> str:
    if alternative is not None:
        found = CRITERION_ARTICLES.get((rule.base_regime or rule.regime, rule.code, f"alt{alternative}"))
        if found:
            return found
    prefix = criterion.split(":", 1)[0]
    return CRITERION_ARTICLES.get((rule.base_regime or rule.regime, rule.code, prefix)) or rule.article


# ---------------------------------------------------------------- formatting helpers


def year_label(start_year: int) -> str:
    return f"{start_year}-{start_year + 1}"


def _years_label(years: Iterable[int]) -> str:
    return ", ".join(year_label(y) for y in sorted(years))


def _number(value: float) -> str:
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")


def _percent(value: Fraction | float) -> str:
    return _number(round(float(value) * 100, 1)) + "%"


def _name(code: str) -> str:
    return SHORT_NAMES.get(code) or MANUAL_CODES.get(code) or code


# Forms of commendation are "được tặng"; honorary titles "được phong tặng"; emulation titles "đạt".
_GIVEN = {"GK", "BK_TINH", "BK_BO", "BK_TINH_OR_BO", "BK_TTG", "HCLD3", "HCLD2", "HCLD1", "KNC_GD"}
_CONFERRED = {"NGUT", "NGND"}


def _verb(code: str) -> str:
    if code in PSEUDO_INITIATIVE:
        return "có"
    if code in _GIVEN:
        return "được tặng"
    if code in _CONFERRED:
        return "được phong tặng"
    return "đạt"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- loading


def _confirmed(value) -> str:
    if value is True:
        return "true"
    if value is False or value is None:
        return "false"
    value = str(value).strip().lower()
    if value not in {"true", "partial", "false"}:
        raise ValueError(f"confirmed must be true, partial or false, got {value!r}")
    return value


def _prerequisite(item: Mapping) -> Prerequisite:
    if "code" not in item:
        raise ValueError(f"prerequisite without code: {item!r}")
    return Prerequisite(
        code=str(item["code"]),
        consecutive_years=int(item.get("consecutive_years") or 0),
        count=int(item["count"]) if item.get("count") is not None else None,
        window_years=int(item["window_years"]) if item.get("window_years") is not None else None,
        note=str(item.get("note") or ""),
    )


def _frozen_mapping(value) -> Mapping | None:
    return MappingProxyType(dict(value)) if value is not None else None


def load_rules(titles_yaml: Mapping) -> dict[tuple[str, str], TitleRule]:
    """Build the rules from the parsed titles.yaml (a dict); key (regime, code)."""
    rules: dict[tuple[str, str], TitleRule] = {}
    for entry in titles_yaml.get("entries", []):
        regime = str(entry["regime"])
        code = str(entry["code"])
        min_rating = entry.get("min_rating")
        if min_rating is not None and min_rating not in RATING_RANK:
            raise ValueError(f"{regime}/{code}: unknown min_rating {min_rating!r}")
        level = entry.get("initiative_level")
        if level is not None and level not in LEVEL_RANK:
            raise ValueError(f"{regime}/{code}: unknown initiative_level {level!r}")
        kind = entry.get("kind")
        if kind not in {"individual", "collective"}:
            raise ValueError(f"{regime}/{code}: unknown kind {kind!r}")
        source = str(entry.get("source") or "")
        base = str(entry.get("based_on") or regime)
        rule = TitleRule(
            code=code,
            name=str(entry.get("name_vi") or code),
            kind=kind,
            category=str(entry.get("category") or "title"),
            regime=regime,
            min_rating=min_rating,
            prerequisites=tuple(_prerequisite(p) for p in entry.get("prerequisites") or ()),
            alternatives=tuple(tuple(_prerequisite(p) for p in alt) for alt in entry.get("alternatives") or ()),
            member_rules=_frozen_mapping(entry.get("member_rules")),
            initiative_level=level,
            quota=_frozen_mapping(entry.get("quota")),
            disqualifiers=tuple(str(d) for d in entry.get("disqualifiers") or ()),
            source=source,
            confirmed=_confirmed(entry.get("confirmed")),
            evaluation_period=str(entry.get("evaluation_period") or "school_year"),
            notes=str(entry.get("notes") or ""),
            # An explicit `article` (set in the in-app catalogue) wins over the built-in table.
            article=str(entry.get("article") or "") or ARTICLES.get((base, code)) or _article_from_source(source, base),
            base_regime=base if base != regime else "",
        )
        if (regime, code) in rules:
            raise ValueError(f"duplicate entry {regime}/{code}")
        rules[(regime, code)] = rule
    return rules


def regime_for_year(start_year: int, regime_years: Mapping[str, Mapping] | None = None) -> str:
    """The regime governing a school year (catalogue.yaml `regime_years`; default: 2017 up to 2022-2023)."""
    for regime, span in (regime_years or DEFAULT_REGIME_YEARS).items():
        first, last = span.get("first"), span.get("last")
        if (first is None or start_year >= first) and (last is None or start_year <= last):
            return str(regime)
    raise ValueError(f"no regime covers school year {year_label(start_year)}")


# ---------------------------------------------------------------- status helpers


def _combine(statuses: Iterable[str]) -> str:
    statuses = list(statuses)
    if "failed" in statuses:
        return "failed"
    if "missing" in statuses:
        return "missing"
    return "passed"


def _verdict(rule: TitleRule, start_year: int, reasons: list[Reason]) -> Verdict:
    flagged = UNCONFIRMED_CRITERIA.get((rule.base_regime or rule.regime, rule.code), frozenset())
    routes = UNCONFIRMED_ROUTES.get((rule.base_regime or rule.regime, rule.code), frozenset())
    out = []
    for r in reasons:
        unconfirmed = (
            r.unconfirmed
            or rule.confirmed == "false"
            or (r.alternative is None and r.criterion in flagged)
            or (r.alternative is not None and r.alternative in routes)
        )
        out.append(replace(r, unconfirmed=unconfirmed) if unconfirmed != r.unconfirmed else r)
    combined = _combine(r.status for r in out if r.alternative is None)
    status = {"failed": "ineligible", "missing": "unknown", "passed": "eligible"}[combined]
    return Verdict(
        code=rule.code,
        start_year=start_year,
        status=status,
        reasons=tuple(out),
        unconfirmed=rule.confirmed != "true" or any(r.unconfirmed for r in out),
        regime=rule.regime,
    )


def _manual_reason(rule: TitleRule, criterion: str, key: str, description: str, judgements: Mapping[str, bool],
                   alternative: int | None = None) -> Reason:
    judged = judgements.get(key)
    if judged is None:
        status, message = "missing", f"Cần Hội đồng thi đua, khen thưởng xem xét: {description}."
    elif judged:
        status, message = "passed", f"Hội đồng thi đua, khen thưởng đã xác nhận đạt: {description}."
    else:
        status, message = "failed", f"Hội đồng thi đua, khen thưởng xác định chưa đạt: {description}."
    return Reason(criterion, status, message, _criterion_article(rule, criterion, alternative), alternative=alternative)


def criterion_key(p: Prerequisite) -> str:
    """Stable criterion key of a prerequisite item."""
    if p.code in MANUAL_CODES:
        return f"prereq:{p.code}"
    if p.consecutive_years >= 1:
        return f"prereq:{p.code}:{p.consecutive_years}"
    if p.count:
        return f"prereq:{p.code}:{p.count}/{p.window_years or 'all'}"
    return f"prereq:{p.code}"


def _run_length(items: Sequence[Prerequisite]) -> int:
    """Longest consecutive run (in school years) among data-based items of one set."""
    lengths = [
        p.consecutive_years * CYCLE_YEARS.get(p.code, 1)
        for p in items
        if p.code not in MANUAL_CODES and p.consecutive_years >= 2
    ]
    return max(lengths, default=0)


def _describe(p: Prerequisite, anchored: bool) -> str:
    name = _name(p.code)
    if p.code in MANUAL_CODES:
        return MANUAL_CODES[p.code]
    if p.consecutive_years >= 1:
        if p.code in CYCLE_YEARS:
            return f"{p.consecutive_years} lần liên tục đạt {name}"
        if p.consecutive_years == 1:
            return f"{name} trong năm học xét"
        return f"{name} {p.consecutive_years} năm học liên tục"
    if p.count:
        within = f" trong {p.window_years} năm học" if p.window_years else ""
        if p.code in PSEUDO_INITIATIVE:
            return f"{p.count} {name}{within}"
        return f"{p.count} lần {_verb(p.code)} {name}{within}"
    return f"đã {_verb(p.code)} {name}" + (" trước chuỗi năm học liên tục" if anchored else "")


# ---------------------------------------------------------------- individual evaluation


class _Individual:
    def __init__(self, rule: TitleRule, history: PersonHistory, start_year: int,
                 rules: Mapping[tuple[str, str], TitleRule] | None, judgements: Mapping[str, bool], depth: int):
        self.rule = rule
        self.history = history
        self.s = start_year
        self.rules = rules
        self.judgements = judgements
        self.depth = depth
        self.derived: set[tuple[str, int]] = set()
        self._derived_cache: dict[str, bool | None] = {}

    # -- facts

    def _record(self, year: int):
        return self.history.years.get(year)

    def _initiatives(self, years: Iterable[int], level: str, kind: str | None) -> list[Initiative]:
        years = set(years)
        return [
            i for i in self.history.initiatives
            if i.start_year in years and LEVEL_RANK[i.level] >= LEVEL_RANK[level] and (kind is None or i.kind == kind)
        ]

    def holds(self, code: str, year: int) -> bool | None:
        """Whether `code` holds for the person in `year`: True, False or None (unknown)."""
        record = self._record(year)
        if code in PSEUDO_RATING:
            if record is None or record.rating is None:
                return None
            return RATING_RANK[record.rating] >= RATING_RANK[PSEUDO_RATING[code]]
        if code in PSEUDO_INITIATIVE:
            level, kind = PSEUDO_INITIATIVE[code]
            return bool(self._initiatives([year], level, kind))
        if code in PSEUDO_ANY_OF:
            values = [self.holds(c, year) for c in PSEUDO_ANY_OF[code]]
            if True in values:
                return True
            return None if None in values else False
        if code == ANY_PRIOR:
            return bool(record and record.titles)
        if record is not None and code in record.titles:
            return True
        if year == self.s:
            return self._derive(code)
        return False

    def _derive(self, code: str) -> bool | None:
        """A title of the evaluated year not yet recorded: evaluate its rule (when rules are given)."""
        if code in self._derived_cache:
            return self._derived_cache[code]
        value: bool | None = False
        sub = (self.rules or {}).get((self.rule.regime, code))
        if sub is not None and sub.kind == "individual" and self.depth < 4 and code != self.rule.code:
            verdict = _Individual(sub, self.history, self.s, self.rules, self.judgements, self.depth + 1).run()
            value = {"eligible": True, "unknown": None, "ineligible": False}[verdict.status]
            if value:
                self.derived.add((code, self.s))
        self._derived_cache[code] = value
        return value

    # -- criteria

    def _reason(self, criterion: str, status: str, message: str, *, unconfirmed: bool = False,
                alternative: int | None = None) -> Reason:
        return Reason(criterion, status, message, _criterion_article(self.rule, criterion, alternative),
                      unconfirmed=unconfirmed, alternative=alternative)

    def min_rating(self) -> list[Reason]:
        wanted = self.rule.min_rating
        if not wanted:
            return []
        record = self._record(self.s)
        rating = record.rating if record else None
        label = year_label(self.s)
        if rating is None:
            return [self._reason("min_rating", "missing",
                                 f"Chưa có xếp loại chất lượng năm học {label} (yêu cầu từ {wanted} trở lên).")]
        if RATING_RANK[rating] >= RATING_RANK[wanted]:
            return [self._reason("min_rating", "passed",
                                 f"Xếp loại năm học {label} là {rating}, đạt mức tối thiểu {wanted}.")]
        return [self._reason("min_rating", "failed",
                             f"Xếp loại năm học {label} là {rating}, chưa đạt mức tối thiểu {wanted}.")]

    def disqualifiers(self) -> list[Reason]:
        reasons = []
        record = self._record(self.s)
        label = year_label(self.s)
        for text in self.rule.disqualifiers:
            months = re.search(r"recruited\s*<\s*(\d+)\s*months", text)
            if months:
                minimum = int(months.group(1))
                worked = record.months_worked if record else None
                if worked is None:
                    reasons.append(self._reason("months_worked", "missing",
                                                f"Chưa có số tháng công tác năm học {label} (cần tối thiểu {minimum} tháng)."))
                elif worked < minimum:
                    reasons.append(self._reason("months_worked", "failed",
                                                f"Thời gian công tác năm học {label} là {_number(worked)} tháng, "
                                                f"dưới {minimum} tháng."))
                else:
                    reasons.append(self._reason("months_worked", "passed",
                                                f"Thời gian công tác năm học {label} là {_number(worked)} tháng, "
                                                f"đủ tối thiểu {minimum} tháng."))
            elif "khiển trách or higher" in text:
                if record is None:
                    reasons.append(self._reason("discipline", "missing",
                                                f"Chưa có thông tin kỷ luật năm học {label}."))
                elif record.discipline:
                    reasons.append(self._reason("discipline", "failed",
                                                f"Bị kỷ luật mức {DISCIPLINE_VI[record.discipline]} trong năm học {label} "
                                                f"(từ khiển trách trở lên thì không được xét)."))
                else:
                    reasons.append(self._reason("discipline", "passed", f"Không bị kỷ luật trong năm học {label}."))
            elif "rated KHTNV" in text:
                if record is None:
                    continue  # the missing rating already says so
                if record.discipline:
                    reasons.append(self._reason(
                        "discipline", "missing",
                        f"Bị kỷ luật mức {DISCIPLINE_VI[record.discipline]} trong năm học {label}; Hội đồng cần xác định "
                        f"vi phạm có liên quan đến nhiệm vụ hay không (nếu có thì xếp loại KHTNV).",
                        unconfirmed=True))
                else:
                    reasons.append(self._reason("discipline", "passed", f"Không bị kỷ luật trong năm học {label}."))
            elif "disciplinary review" in text:
                continue  # no input field: deferred cases are the caller's to exclude
            else:
                reasons.append(self._reason("disqualifier:other", "missing",
                                            "Cần Hội đồng kiểm tra điều kiện loại trừ theo quy định.", unconfirmed=True))
        return reasons

    def _initiative_folded(self) -> bool:
        return self.rule.initiative_level is not None and not self.rule.alternatives

    def period_years(self) -> list[int]:
        """School years in which the initiative must be recognised."""
        if self.rule.evaluation_period != "multi_year":
            return [self.s]
        span = max((p.consecutive_years * CYCLE_YEARS.get(p.code, 1) for p in self.rule.prerequisites), default=1)
        span = max(span, 1) + (1 if self.rule.code in ADJACENT_YEAR_RULES else 0)
        return list(range(self.s - span + 1, self.s + 1))

    def initiative(self) -> list[Reason]:
        level = self.rule.initiative_level
        if not level or not self._initiative_folded():
            return []
        years = self.period_years()
        key = f"initiative:{level}"
        found = self._initiatives(years, level, None)
        wanted = f"từ {LEVEL_VI[level]} trở lên"
        if found:
            best = max(found, key=lambda i: (LEVEL_RANK[i.level], i.start_year))
            what = "đề tài khoa học" if best.kind == "de_tai" else "sáng kiến"
            return [self._reason(key, "passed",
                                 f"Có {what} được công nhận {LEVEL_VI[best.level]} năm học {year_label(best.start_year)} "
                                 f"(yêu cầu {wanted}).")]
        if len(years) == 1:
            message = f"Năm học {year_label(self.s)} chưa có sáng kiến hoặc đề tài được công nhận {wanted}."
        else:
            message = (f"Chưa có sáng kiến hoặc đề tài được công nhận {wanted} trong các năm học "
                       f"{year_label(years[0])} đến {year_label(years[-1])}.")
        if self.s in years and self._record(self.s) is None:
            # The evaluated year is not recorded yet (registration happens at its start): an
            # initiative may still be recognised in it, so this is missing data, not a failure.
            return [self._reason(key, "missing", message + " Năm học này chưa có dữ liệu đánh giá.")]
        return [self._reason(key, "failed", message)]

    def item(self, p: Prerequisite, siblings: Sequence[Prerequisite], alternative: int | None) -> Reason:
        key = criterion_key(p)
        if p.code in MANUAL_CODES:
            return _manual_reason(self.rule, key, p.code, MANUAL_CODES[p.code], self.judgements, alternative)
        unconfirmed = "UNCONFIRMED" in p.note
        if p.consecutive_years >= 1:
            status, message, flag = self._consecutive(p)
        elif p.count:
            status, message, flag = self._count(p)
        else:
            status, message, flag = self._ever(p, _run_length(siblings))
        derived = sorted(y for (c, y) in self.derived if c == p.code or c in PSEUDO_ANY_OF.get(p.code, ()))
        if derived and status == "passed":
            which = "" if p.consecutive_years == 1 else f"năm học {_years_label(derived)}: "
            message = message[:-1] + f" ({which}đủ tiêu chuẩn, chưa có quyết định công nhận)."
        return self._reason(key, status, message, unconfirmed=unconfirmed or flag, alternative=alternative)

    def _consecutive(self, p: Prerequisite) -> tuple[str, str, bool]:
        n, code = p.consecutive_years, p.code
        cycle = CYCLE_YEARS.get(code, 1)
        name, verb = _name(code), _verb(code)
        run = f"{n} lần liên tục" if cycle > 1 else f"{n} năm học liên tục"
        adjacent = self.rule.code in ADJACENT_YEAR_RULES and n >= 2
        attempts = []
        for offset in (0, 1) if adjacent else (0,):
            end = self.s - offset
            years = [end - k * cycle for k in range(n)][::-1]
            values = {y: self.holds(code, y) for y in years}
            status = _combine("passed" if v else "failed" if v is False else "missing" for v in values.values())
            attempts.append((offset, years, values, status))
            if status == "passed":
                break
        offset, years, values, status = attempts[-1]
        if status == "passed":
            if n == 1:
                message = f"Năm học {year_label(years[0])} {verb} {name}."
            elif cycle > 1:
                message = f"{_capital(verb)} {name} {run} (năm học {_years_label(years)})."
            else:
                message = f"{_capital(verb)} {name} {run} ({year_label(years[0])} đến {year_label(years[-1])})."
            if offset:
                message = message[:-1] + ", kết thúc năm học liền kề trước năm học xét."
            return "passed", message, bool(offset and ADJACENT_YEAR_RULES[self.rule.code])
        missing = [a for a in attempts if a[3] == "missing"]
        if missing:
            _, years, values, _ = missing[0]
            unknown = [y for y, v in values.items() if v is None]
            if n == 1:
                return "missing", f"Chưa đủ dữ liệu để xác định năm học {year_label(years[0])} {verb} {name}.", False
            return "missing", (f"Chưa đủ dữ liệu để xác định {name} {run} đến năm học {year_label(years[-1])}: "
                               f"thiếu dữ liệu năm học {_years_label(unknown)}."), False
        _, years, values, _ = attempts[0]
        absent = [y for y, v in values.items() if v is False]
        if n == 1:
            return "failed", f"Năm học {year_label(years[0])} chưa {verb} {name}.", False
        spacing = f" (mỗi lần cách nhau {cycle} năm học)" if cycle > 1 else ""
        tail = " hoặc năm học liền kề trước đó" if adjacent else ""
        return "failed", (f"Chưa {verb} {name} {run}{spacing} đến năm học {year_label(self.s)}{tail}: "
                          f"thiếu năm học {_years_label(absent)}."), False

    def _count(self, p: Prerequisite) -> tuple[str, str, bool]:
        code, need, window = p.code, p.count or 0, p.window_years
        name = _name(code)
        if window:
            years = list(range(self.s - window + 1, self.s + 1))
            span = f" trong {window} năm học từ {year_label(years[0])} đến {year_label(years[-1])}"
        else:
            years = sorted({y for y in self.history.years if y <= self.s} | {self.s})
            span = f" đến năm học {year_label(self.s)}"
        if code in PSEUDO_INITIATIVE:
            level, kind = PSEUDO_INITIATIVE[code]
            if not window:
                years = [i.start_year for i in self.history.initiatives if i.start_year <= self.s]
            found = len(self._initiatives(years, level, kind))
            unknown = 0
            have = f"có {found} {name}" if found else f"chưa có {name}"
        else:
            values = [self.holds(code, y) for y in years]
            found, unknown = values.count(True), values.count(None)
            verb = _verb(code)
            have = f"có {found} lần {verb} {name}" if found else f"chưa lần nào {verb} {name}"
        if found >= need:
            return "passed", f"{_capital(have)}{span} (yêu cầu ít nhất {need}).", False
        if found + unknown >= need:
            return "missing", (f"{_capital(have)}{span}, {unknown} năm học chưa có dữ liệu "
                               f"(yêu cầu ít nhất {need})."), False
        return "failed", f"{_capital(have)}{span}, chưa đủ (yêu cầu ít nhất {need}).", False

    def _ever(self, p: Prerequisite, run: int) -> tuple[str, str, bool]:
        code = p.code
        name, verb = _name(code), _verb(code)
        limit = self.s - run if run else self.s - 1
        if code in PSEUDO_INITIATIVE:
            level, kind = PSEUDO_INITIATIVE[code]
            years = {i.start_year for i in self.history.initiatives if i.start_year <= limit}
            values = {i.start_year: True for i in self._initiatives(years, level, kind)}
        else:
            values = {y: self.holds(code, y) for y in self.history.years if y <= limit}
        before = (f"trước chuỗi {run} năm học liên tục (trước năm học {year_label(limit + 1)})" if run
                  else f"trước năm học {year_label(self.s)}")
        held = [y for y, v in values.items() if v]
        if held:
            return "passed", f"Đã {verb} {name} năm học {year_label(max(held))}, {before}.", False
        if any(v is None for v in values.values()):
            return "missing", f"Chưa đủ dữ liệu để xác định đã {verb} {name} {before}.", False
        return "failed", f"Chưa {verb} {name} {before}.", False

    def alternatives(self) -> list[Reason]:
        routes = self.rule.alternatives
        if not routes:
            return []
        details: list[Reason] = []
        outcomes: list[tuple[str, bool]] = []
        flagged = UNCONFIRMED_ROUTES.get((self.rule.base_regime or self.rule.regime, self.rule.code), frozenset())
        for i, route in enumerate(routes, 1):
            reasons = [self.item(p, route, i) for p in route]
            details += reasons
            outcomes.append((_combine(r.status for r in reasons),
                             i in flagged or self.rule.confirmed == "false" or any(r.unconfirmed for r in reasons)))
        passed = [i for i, (status, _) in enumerate(outcomes, 1) if status == "passed"]
        if passed:
            best = next((i for i in passed if not outcomes[i - 1][1]), passed[0])
            anchored = _run_length(routes[best - 1]) > 0
            parts = [_describe(p, anchored) for p in routes[best - 1]]
            what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " và " + parts[-1]
            summary = self._reason("alternatives", "passed", f"Đáp ứng phương án {best}: {what}.",
                                   unconfirmed=outcomes[best - 1][1])
        else:
            unconfirmed = any(flag for _, flag in outcomes)
            open_routes = [str(i) for i, (status, _) in enumerate(outcomes, 1) if status == "missing"]
            if open_routes:
                summary = self._reason(
                    "alternatives", "missing",
                    f"Chưa xác định được: phương án {', '.join(open_routes)} còn thiếu dữ liệu hoặc cần Hội đồng xem xét.",
                    unconfirmed=unconfirmed)
            else:
                summary = self._reason("alternatives", "failed",
                                       f"Không đáp ứng phương án nào trong {len(routes)} phương án xét tặng.",
                                       unconfirmed=unconfirmed)
        return [summary, *details]

    def run(self) -> Verdict:
        rule = self.rule
        reasons = [*self.min_rating(), *self.disqualifiers()]
        for p in rule.prerequisites:
            if (self._initiative_folded() and p.code == "INITIATIVE_CO_SO"
                    and p.consecutive_years <= 1 and (p.count or 1) <= 1 and not p.window_years):
                continue  # folded into "initiative:<level>"
            reasons.append(self.item(p, rule.prerequisites, None))
        reasons += self.initiative()
        reasons += self.alternatives()
        if not reasons:
            reasons.append(_manual_reason(rule, "criteria:manual", MANUAL_JUDGEMENT_KEY,
                                          f"tiêu chuẩn xét tặng {rule.name} (tiêu chí chi tiết không có trong hệ thống)",
                                          self.judgements))
        return _verdict(rule, self.s, reasons)


def evaluate_individual(rule: TitleRule, history: PersonHistory, start_year: int, *,
                        rules: Mapping[tuple[str, str], TitleRule] | None = None,
                        judgements: Mapping[str, bool] | None = None) -> Verdict:
    """Evaluate an individual title/form for one person and school year.

    rules: all rules (load_rules); lets a prerequisite title of the evaluated year that is not yet
    recorded be derived from its own rule. judgements: council decisions on manual criteria
    {code: bool} (e.g. {"OUTSTANDING_IN_MOVEMENT": True}; "MANUAL_CRITERIA" for rules with no encoded criteria).
    """
    if rule.kind != "individual":
        raise ValueError(f"{rule.code} is a {rule.kind} title; use evaluate_collective")
    return _Individual(rule, history, start_year, rules, judgements or {}, 0).run()


def evaluate_person(rules: Mapping[tuple[str, str], TitleRule], history: PersonHistory, start_year: int, *,
                    regime: str | None = None, regime_years: Mapping[str, Mapping] | None = None,
                    judgements: Mapping[str, bool] | None = None) -> dict[str, Verdict]:
    """All individual titles/forms of the year's regime for one person, by code."""
    regime = regime or regime_for_year(start_year, regime_years)
    return {
        code: evaluate_individual(rule, history, start_year, rules=rules, judgements=judgements)
        for (reg, code), rule in rules.items()
        if reg == regime and rule.kind == "individual"
    }


# ---------------------------------------------------------------- collective evaluation


def _share_passes(count: int, total: int, minimum: Fraction, strict: bool) -> bool:
    share = Fraction(count, total)
    return share > minimum if strict else share >= minimum


def evaluate_collective(rule: TitleRule, members: Sequence[MemberFacts], start_year: int, *,
                        tasks_completed: bool | None = None, collective_rating: str | None = None,
                        judgements: Mapping[str, bool] | None = None,
                        titles_from: str = "recognised", result_note: str = "") -> Verdict:
    """Evaluate a collective title for a unit/team and school year.

    members: facts of every member for the year. tasks_completed: the collective completed its
    tasks/plan at the level the title requires (None = not assessed yet). collective_rating: the
    collective's own rating (TTLDXS 2023 requires HTXSNV); given without tasks_completed, it
    decides that too (HTXSNV for TTLDXS "hoàn thành xuất sắc", HTTNV otherwise "hoàn thành tốt").
    result_note: where the collective's result comes from (record, source), added to its reason.
    titles_from: "recognised" (members' titles are awards) or "registered" (they are the year's
    registrations, while registering: the reasons say so, and a member not registered is not
    counted as a possible holder).
    """
    if titles_from not in ("recognised", "registered"):
        raise ValueError(f"titles_from must be 'recognised' or 'registered', got {titles_from!r}")
    registered = titles_from == "registered"
    if rule.kind != "collective":
        raise ValueError(f"{rule.code} is an {rule.kind} title; use evaluate_individual")
    if collective_rating is not None and collective_rating not in RATING_RANK:
        raise ValueError(f"unknown collective_rating {collective_rating!r}")
    judgements = judgements or {}
    label = year_label(start_year)
    article = rule.article
    rules = rule.member_rules
    if tasks_completed is None and collective_rating is not None:
        needed = "HTXSNV" if rule.code == "TTLDXS" else "HTTNV"
        tasks_completed = RATING_RANK[collective_rating] >= RATING_RANK[needed]
    noted = f" ({result_note})" if result_note else ""
    reasons: list[Reason] = []
    if rules is None:
        reasons.append(_manual_reason(rule, "criteria:manual", MANUAL_JUDGEMENT_KEY,
                                      f"tiêu chuẩn xét tặng {rule.name} (xét theo khối, cụm thi đua)", judgements))
        return _verdict(rule, start_year, reasons)

    # the collective itself
    wanted = rules.get("collective_rating")
    if wanted:
        if collective_rating is None:
            reasons.append(Reason("collective_rating", "missing",
                                  f"Chưa có xếp loại của tập thể năm học {label} (yêu cầu {wanted}"
                                  f"{'; ' + result_note if result_note else ''}).", article))
        elif RATING_RANK[collective_rating] >= RATING_RANK[wanted]:
            reasons.append(Reason("collective_rating", "passed",
                                  f"Tập thể được xếp loại {collective_rating} năm học {label}, đạt yêu cầu {wanted}"
                                  f"{noted}.", article))
        else:
            reasons.append(Reason("collective_rating", "failed",
                                  f"Tập thể được xếp loại {collective_rating} năm học {label}, chưa đạt yêu cầu {wanted}"
                                  f"{noted}.", article))
    else:
        level = "xuất sắc" if rule.code == "TTLDXS" else "tốt"
        if tasks_completed is None:
            reasons.append(Reason("tasks_completed", "missing",
                                  f"Chưa có kết quả đánh giá tập thể hoàn thành {level} nhiệm vụ năm học {label}"
                                  f"{noted}.", article))
        elif tasks_completed:
            reasons.append(Reason("tasks_completed", "passed",
                                  f"Tập thể hoàn thành {level} nhiệm vụ, kế hoạch năm học {label}{noted}.", article))
        else:
            reasons.append(Reason("tasks_completed", "failed",
                                  f"Tập thể chưa hoàn thành {level} nhiệm vụ, kế hoạch năm học {label}{noted}.",
                                  article))

    total = len(members)
    member_keys = [k for k in ("all_members_complete_tasks", "min_share_ldtt", "min_cstdcs_members",
                               "max_member_discipline") if rules.get(k)]
    if total == 0:
        for key in member_keys:
            criterion = _MEMBER_CRITERIA[key]
            reasons.append(Reason(criterion, "missing", "Chưa có danh sách thành viên của tập thể.", article))
        return _verdict(rule, start_year, reasons)

    if rules.get("all_members_complete_tasks"):
        failing = sum(1 for m in members if m.rating is not None and RATING_RANK[m.rating] < RATING_RANK["HTNV"])
        unknown = sum(1 for m in members if m.rating is None)
        if failing:
            reasons.append(Reason("members:complete_tasks", "failed",
                                  f"Có {failing}/{total} thành viên xếp loại KHTNV (yêu cầu 100% hoàn thành nhiệm vụ).",
                                  article))
        elif unknown:
            reasons.append(Reason("members:complete_tasks", "missing",
                                  f"Có {unknown}/{total} thành viên chưa có xếp loại năm học {label}.", article))
        else:
            reasons.append(Reason("members:complete_tasks", "passed",
                                  f"Tất cả {total} thành viên hoàn thành nhiệm vụ (xếp loại HTNV trở lên).", article))

    if rules.get("min_share_ldtt"):
        minimum = Fraction(str(rules["min_share_ldtt"]))
        strict = bool(rules.get("share_strictly_greater"))
        need = f"trên {_percent(minimum)}" if strict else f"từ {_percent(minimum)} trở lên"
        yes = sum(1 for m in members if "LDTT" in m.titles)
        unknown = 0 if registered else sum(1 for m in members if "LDTT" not in m.titles and m.rating is None)
        have = (f"Theo đăng ký thi đua năm học {label} (chưa phải kết quả công nhận): có {yes}/{total} thành viên "
                f"({_percent(Fraction(yes, total))}) đăng ký LĐTT trở lên" if registered else
                f"Có {yes}/{total} thành viên ({_percent(Fraction(yes, total))}) đạt LĐTT")
        if _share_passes(yes, total, minimum, strict):
            reasons.append(Reason("members:ldtt_share", "passed", f"{have}, đạt yêu cầu {need}.", article))
        elif _share_passes(yes + unknown, total, minimum, strict):
            reasons.append(Reason("members:ldtt_share", "missing",
                                  f"{have} và {unknown} thành viên chưa có dữ liệu (yêu cầu {need}).", article))
        else:
            reasons.append(Reason("members:ldtt_share", "failed", f"{have}, chưa đạt yêu cầu {need}.", article))

    if rules.get("min_cstdcs_members"):
        need = int(rules["min_cstdcs_members"])
        yes = sum(1 for m in members if m.titles & set(HIGHER_CSTD))
        unknown = 0 if registered else sum(1 for m in members if not m.titles & set(HIGHER_CSTD) and m.rating is None)
        if registered:
            status = "passed" if yes >= need else "failed"
            message = (f"Theo đăng ký thi đua năm học {label} (chưa phải kết quả công nhận): có {yes} thành viên "
                       f"đăng ký CSTĐCS trở lên (yêu cầu ít nhất {need}).")
        elif yes >= need:
            status, message = "passed", f"Có {yes} thành viên đạt CSTĐCS (yêu cầu ít nhất {need})."
        elif yes + unknown >= need:
            status, message = "missing", (f"Có {yes} thành viên đạt CSTĐCS và {unknown} thành viên chưa có dữ liệu "
                                          f"(yêu cầu ít nhất {need}).")
        else:
            status, message = "failed", f"Không đủ thành viên đạt CSTĐCS: có {yes}, yêu cầu ít nhất {need}."
        reasons.append(Reason("members:cstdcs", status, message, article))

    if rules.get("max_member_discipline"):
        text = str(rules["max_member_discipline"])
        below = re.search(r"below\s+([^(]+)", text)  # "below cảnh cáo (khiển trách allowed)"
        limit = next((d for d in DISCIPLINES if DISCIPLINE_VI[d] in (below.group(1) if below else text)), "canh_cao")
        heavy = sum(1 for m in members if m.discipline and DISCIPLINE_RANK[m.discipline] >= DISCIPLINE_RANK[limit])
        # A member with nothing recorded for the year (no rating) may still have been disciplined.
        unrecorded = sum(1 for m in members if m.rating is None and not m.discipline)
        if heavy:
            reasons.append(Reason("members:discipline", "failed",
                                  f"Có {heavy} thành viên bị kỷ luật từ mức {DISCIPLINE_VI[limit]} trở lên.", article))
        elif unrecorded:
            reasons.append(Reason("members:discipline", "missing",
                                  f"Có {unrecorded}/{total} thành viên chưa có kết quả đánh giá, kỷ luật năm học {label}.",
                                  article))
        else:
            reasons.append(Reason("members:discipline", "passed",
                                  f"Không có thành viên bị kỷ luật từ mức {DISCIPLINE_VI[limit]} trở lên.", article))
    return _verdict(rule, start_year, reasons)


_MEMBER_CRITERIA = {
    "all_members_complete_tasks": "members:complete_tasks",
    "min_share_ldtt": "members:ldtt_share",
    "min_cstdcs_members": "members:cstdcs",
    "max_member_discipline": "members:discipline",
}


# ---------------------------------------------------------------- quotas


def quota_limit(fraction: float | str | Fraction, basis_count: int) -> int:
    """Most awards allowed under "không quá <fraction>" of basis_count, rounded down (15% of 90 -> 13)."""
    share = Fraction(str(fraction)) if not isinstance(fraction, Fraction) else fraction
    if not 0 <= share <= 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction!r}")
    if basis_count < 0:
        raise ValueError(f"basis_count must not be negative, got {basis_count!r}")
    return math.floor(share * basis_count)


def _override(value) -> tuple[Fraction, str | None, str]:
    """(fraction, basis code or None = the national basis, source) of a provincial cap."""
    if isinstance(value, Mapping):
        fraction, basis, source = value.get("fraction"), value.get("basis"), str(value.get("source") or "")
    else:
        fraction, basis, source = value, None, ""
    return Fraction(str(fraction)), (str(basis) if basis else None), source


def check_quotas(rules: Mapping[tuple[str, str], TitleRule], cumulative_counts: Mapping[str, int], regime: str, *,
                 overrides: Mapping[tuple[str, str], float | Mapping] | None = None) -> list[QuotaResult]:
    """Quota checks for one unit and year.

    cumulative_counts: per code, the number awarded that code or higher on its ladder
    (e.g. {"LDTT": 90, "CSTDCS": 14}). overrides: provincial caps {(regime, code): fraction} or
    {(regime, code): {"fraction": 0.1, "basis": "LDTT", "source": "QĐ ... Điều ..."}}; they only
    tighten a national cap: the one allowing fewer applies (on a tie, the national one).
    """
    overrides = overrides or {}
    results = []
    codes = sorted({code for (reg, code), rule in rules.items() if reg == regime and rule.quota is not None}
                   | {code for (reg, code) in overrides if reg == regime})
    for code in codes:
        rule = rules.get((regime, code))
        quota = (rule.quota if rule else None) or {}
        national = quota.get("fraction")
        national = Fraction(str(national)) if national is not None else None
        national_basis = quota.get("basis_code") or QUOTA_BASIS.get(code)  # the catalogue may name it
        national_unconfirmed = bool(quota) and quota.get("confirmed") is not True
        override, override_basis, override_source = (
            _override(overrides[(regime, code)]) if (regime, code) in overrides else (None, None, ""))
        override_basis = override_basis or national_basis
        used = cumulative_counts.get(code)

        def cap(fraction, basis_code):
            basis = cumulative_counts.get(basis_code) if basis_code else None
            return basis, (quota_limit(fraction, basis) if fraction is not None and basis is not None else None)

        national_count, national_allowed = cap(national, national_basis)
        override_count, override_allowed = cap(override, override_basis)
        overridden = override is not None and (
            national is None
            or (override_allowed is not None and (national_allowed is None or override_allowed < national_allowed))
            or (override_allowed is None and national_allowed is None and override_basis == national_basis
                and override < national))
        fraction, basis_code, basis, allowed = (
            (override, override_basis, override_count, override_allowed) if overridden
            else (national, national_basis, national_count, national_allowed))
        article = CRITERION_ARTICLES.get((regime, code, "quota")) or (rule.article if rule else _LAW_BY_REGIME[regime])
        if overridden:
            # The national text lets a province set a lower cap; the province's own text sets it.
            article += "; " + (override_source or "quy chế thi đua, khen thưởng của tỉnh")
        name, basis_name = _name(code), _name(basis_code) if basis_code else ""
        unconfirmed = national_unconfirmed and not overridden
        if fraction is None:
            status, allowed = "no_limit", None
            message = (f"Không có hạn mức toàn quốc cho {name} (chưa xác nhận); tỉnh có thể quy định hạn mức."
                       if national_unconfirmed else f"Không có hạn mức cho {name}.")
        elif used is None or basis is None:
            status, allowed = "missing", None
            message = f"Thiếu số liệu {name} hoặc {basis_name} để tính hạn mức."
        else:
            origin = "hạn mức của tỉnh " if overridden else ("hạn mức toàn quốc " if override is not None else "")
            # Counts are of registrations (cumulative along the ladder), not of people who achieved it.
            cap_text = f"{origin}{_percent(fraction)} của {basis} đăng ký {basis_name} trở lên, làm tròn xuống"
            if override is not None and not overridden:
                cap_text += (f"; hạn mức của tỉnh {_percent(override)} số {_name(override_basis)} "
                             f"không chặt hơn nên không áp dụng")
            elif overridden and national is not None:
                cap_text += f"; chặt hơn hạn mức toàn quốc {_percent(national)}"
            if used <= allowed:
                status, message = "within", f"Số {name} là {used}, trong hạn mức {allowed} ({cap_text})."
            else:
                status, message = "exceeded", f"Số {name} là {used}, vượt hạn mức {allowed} ({cap_text})."
        results.append(QuotaResult(
            code=code, regime=regime, basis_code=basis_code, used=used, basis_count=basis,
            fraction=float(fraction) if fraction is not None else None, allowed=allowed, status=status,
            overridden=overridden, unconfirmed=unconfirmed, message=message, article=article,
        ))
    return results
