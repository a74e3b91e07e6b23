"""Data classes of the eligibility engine. Pure Python: no Django, no database, no I/O.

Codes are the stable identifiers of awards/data/titles.yaml (LDTT, CSTDCS, CSTD_TINH, BK_TINH ...).
School years are identified by their start year (2020 = "2020-2021").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Staff quality ratings, best first (NĐ 90/2020): HTXSNV > HTTNV > HTNV > KHTNV.
RATINGS: tuple[str, ...] = ("HTXSNV", "HTTNV", "HTNV", "KHTNV")
RATING_RANK: Mapping[str, int] = MappingProxyType({r: len(RATINGS) - i for i, r in enumerate(RATINGS)})

# Disciplinary measures, lightest first (khiển trách < cảnh cáo < hạ bậc lương < giáng chức < cách chức < buộc thôi việc).
DISCIPLINES: tuple[str, ...] = ("khien_trach", "canh_cao", "ha_bac_luong", "giang_chuc", "cach_chuc", "buoc_thoi_viec")
DISCIPLINE_RANK: Mapping[str, int] = MappingProxyType({d: i + 1 for i, d in enumerate(DISCIPLINES)})

# Scope at which an initiative (sáng kiến) or research topic is recognised, lowest first.
LEVELS: tuple[str, ...] = ("co_so", "tinh_bo", "toan_quoc")
LEVEL_RANK: Mapping[str, int] = MappingProxyType({lv: i + 1 for i, lv in enumerate(LEVELS)})

# "sang_kien" = initiative; "de_tai" = accepted research topic (đề tài/đề án/công trình KH&CN nghiệm thu).
INITIATIVE_KINDS: tuple[str, ...] = ("sang_kien", "de_tai")

REASON_STATUSES: tuple[str, ...] = ("passed", "failed", "missing")
VERDICT_STATUSES: tuple[str, ...] = ("eligible", "ineligible", "unknown")


def _check_rating(value: str | None) -> None:
    if value is not None and value not in RATING_RANK:
        raise ValueError(f"unknown rating {value!r}; expected one of {RATINGS}")


def _check_discipline(value: str | None) -> None:
    if value is not None and value not in DISCIPLINE_RANK:
        raise ValueError(f"unknown discipline {value!r}; expected one of {DISCIPLINES}")


# ---------------------------------------------------------------- data in


@dataclass(frozen=True)
class Initiative:
    """A sáng kiến (kind "sang_kien") or an accepted research topic (kind "de_tai") of one school year."""

    start_year: int
    level: str  # "co_so" | "tinh_bo" | "toan_quoc"
    kind: str = "sang_kien"

    def __post_init__(self) -> None:
        if self.level not in LEVEL_RANK:
            raise ValueError(f"unknown initiative level {self.level!r}; expected one of {LEVELS}")
        if self.kind not in INITIATIVE_KINDS:
            raise ValueError(f"unknown initiative kind {self.kind!r}; expected one of {INITIATIVE_KINDS}")


@dataclass(frozen=True)
class YearRecord:
    """One person, one school year, whatever unit they were in (transfers don't break runs)."""

    start_year: int
    rating: str | None = None  # "HTXSNV" | "HTTNV" | "HTNV" | "KHTNV" | None (unknown)
    titles: frozenset[str] = frozenset()  # titles/forms recognised that year (codes)
    discipline: str | None = None  # None = not disciplined that year
    months_worked: float | None = None  # months worked; maternity leave counts as worked (caller adds it)

    def __post_init__(self) -> None:
        object.__setattr__(self, "titles", frozenset(self.titles))
        _check_rating(self.rating)
        _check_discipline(self.discipline)
        if self.months_worked is not None and self.months_worked < 0:
            raise ValueError(f"months_worked must not be negative, got {self.months_worked!r}")


@dataclass(frozen=True)
class PersonHistory:
    """A person's records by school year. A missing key means nothing was recorded for that year."""

    years: Mapping[int, YearRecord] = field(default_factory=dict)
    initiatives: tuple[Initiative, ...] = ()

    def __post_init__(self) -> None:
        for key, record in self.years.items():
            if key != record.start_year:
                raise ValueError(f"year key {key} does not match record start_year {record.start_year}")
        object.__setattr__(self, "years", MappingProxyType(dict(self.years)))
        object.__setattr__(self, "initiatives", tuple(self.initiatives))

    @classmethod
    def of(cls, *records: YearRecord, initiatives: Iterable[Initiative] = ()) -> PersonHistory:
        """Build from records (one per school year)."""
        years: dict[int, YearRecord] = {}
        for record in records:
            if record.start_year in years:
                raise ValueError(f"two records for school year {record.start_year}")
            years[record.start_year] = record
        return cls(years=years, initiatives=tuple(initiatives))


def merge_histories(*histories: PersonHistory) -> PersonHistory:
    """Combine one person's histories kept by several units (transfer, secondment).

    Per school year: titles are united, the heaviest discipline is kept, months worked are added
    (capped at 12) and the rating is the one recorded (two different ratings for one year is an
    error: only the evaluating unit rates). Initiatives are united.
    """
    merged: dict[int, YearRecord] = {}
    initiatives: list[Initiative] = []
    for history in histories:
        for year, record in history.years.items():
            old = merged.get(year)
            if old is None:
                merged[year] = record
                continue
            if old.rating and record.rating and old.rating != record.rating:
                raise ValueError(f"school year {year}: conflicting ratings {old.rating} and {record.rating}")
            disciplines = [d for d in (old.discipline, record.discipline) if d]
            months = [m for m in (old.months_worked, record.months_worked) if m is not None]
            merged[year] = YearRecord(
                start_year=year,
                rating=old.rating or record.rating,
                titles=old.titles | record.titles,
                discipline=max(disciplines, key=DISCIPLINE_RANK.__getitem__) if disciplines else None,
                months_worked=min(12.0, sum(months)) if months else None,
            )
        for initiative in history.initiatives:
            if initiative not in initiatives:
                initiatives.append(initiative)
    return PersonHistory(years=merged, initiatives=tuple(initiatives))


@dataclass(frozen=True)
class MemberFacts:
    """For collective titles: one member's facts for the evaluated school year."""

    rating: str | None = None  # None = not known yet
    titles: frozenset[str] = frozenset()
    discipline: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "titles", frozenset(self.titles))
        _check_rating(self.rating)
        _check_discipline(self.discipline)


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class Prerequisite:
    """One item of `prerequisites` or of an `alternatives` set in titles.yaml."""

    code: str
    consecutive_years: int = 0  # N consecutive school years; 0 = not consecutive-based
    count: int | None = None  # at least `count` times ...
    window_years: int | None = None  # ... within the last `window_years` school years (None = whole history)
    note: str = ""


@dataclass(frozen=True)
class TitleRule:
    """Built from one titles.yaml entry (see load_rules)."""

    code: str
    name: str
    kind: str  # "individual" | "collective"
    category: str  # "title" | "form"
    regime: str  # "2017" | "2023"
    min_rating: str | None
    prerequisites: tuple[Prerequisite, ...]
    alternatives: tuple[tuple[Prerequisite, ...], ...]
    member_rules: Mapping | None
    initiative_level: str | None
    quota: Mapping | None
    disqualifiers: tuple[str, ...]
    source: str
    confirmed: str  # "true" | "partial" | "false"
    evaluation_period: str = "school_year"  # school_year | calendar_year | event | multi_year
    notes: str = ""
    article: str = ""  # Vietnamese citation used by reasons (derived from the code table or `source`)
    # Regime whose built-in tables (citations, UNCONFIRMED flags) apply: a regime added in the app
    # as a copy of another keeps the copied regime's ("based_on" in the entry); "" = `regime`.
    base_regime: str = ""


# ---------------------------------------------------------------- verdicts out


@dataclass(frozen=True)
class Reason:
    criterion: str  # stable key: "min_rating", "prereq:CSTDCS:3", "initiative:co_so", "members:ldtt_share" ...
    status: str  # "passed" | "failed" | "missing"
    message: str  # one Vietnamese sentence
    article: str  # legal basis, e.g. "Luật TĐKT 2003 (sửa đổi 2013) Điều 24; NĐ 91/2017/NĐ-CP Điều 10"
    unconfirmed: bool = False  # the criterion or its source is marked UNCONFIRMED in the reference
    # None: the reason counts toward the verdict directly. i (1-based): detail of alternative route i;
    # routes are summarised by the single "alternatives" reason, which is what counts.
    alternative: int | None = None


@dataclass(frozen=True)
class Verdict:
    code: str
    start_year: int
    status: str  # "eligible" | "ineligible" | "unknown"
    reasons: tuple[Reason, ...]
    unconfirmed: bool  # the title itself or any reason rests on UNCONFIRMED facts
    regime: str = ""

    def reason(self, criterion: str) -> Reason | None:
        """The reason that counts toward the verdict for `criterion` (not an alternative's detail)."""
        return next((r for r in self.reasons if r.criterion == criterion and r.alternative is None), None)

    @property
    def deciding(self) -> tuple[Reason, ...]:
        """Reasons that count toward the status (alternative details left out)."""
        return tuple(r for r in self.reasons if r.alternative is None)


@dataclass(frozen=True)
class QuotaResult:
    code: str  # the capped title, e.g. "CSTDCS"
    regime: str
    basis_code: str | None  # the title the cap is a share of, e.g. "LDTT"
    used: int | None  # cumulative count of `code` (code and higher on the ladder)
    basis_count: int | None  # cumulative count of `basis_code`
    fraction: float | None  # effective cap (national, or a tighter provincial override)
    allowed: int | None  # floor(fraction * basis_count)
    status: str  # "within" | "exceeded" | "no_limit" | "missing"
    overridden: bool  # the provincial override is the effective cap
    unconfirmed: bool
    message: str
    article: str

    @property
    def exceeded(self) -> bool:
        return self.status == "exceeded"
