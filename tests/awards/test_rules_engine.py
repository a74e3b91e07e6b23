"""Eligibility engine (awards.rules): pure Python, no database.

The big table has, for every individual title/form of both regimes, an eligible history, one
case per criterion that fails (or, where the law leaves it to the council, is missing) with
every other criterion met, and a missing-data case; a meta test checks the table is complete.
"""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from awards.rules import (
    Initiative,
    MemberFacts,
    PersonHistory,
    Verdict,
    YearRecord,
    check_quotas,
    evaluate_collective,
    evaluate_individual,
    evaluate_person,
    load_rules,
    merge_histories,
    quota_limit,
    regime_for_year,
)

DATA = Path(__file__).resolve().parents[2] / "awards" / "data"
TITLES = yaml.safe_load((DATA / "titles.yaml").read_text(encoding="utf-8"))
CATALOGUE = yaml.safe_load((DATA / "catalogue.yaml").read_text(encoding="utf-8"))
RULES = load_rules(TITLES)

VIETNAMESE = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)
CITATION = re.compile(r"(Luật TĐKT|NĐ \d+/\d{4}|TT \d+/\d{4})")


# ---------------------------------------------------------------- builders


def rec(year, rating="HTTNV", titles="", discipline=None, months=12.0):
    return YearRecord(year, rating, frozenset(titles.split()), discipline, months)


def recs(years, rating="HTTNV", titles=""):
    return [rec(y, rating, titles) for y in years]


def hist(*records, inits=()):
    flat = []
    for r in records:
        flat.extend(r if isinstance(r, list) else [r])
    return PersonHistory.of(*flat, initiatives=[Initiative(*i) for i in inits])


def run(regime, code, history, year, **kwargs) -> Verdict:
    return evaluate_individual(RULES[(regime, code)], history, year, **kwargs)


NO_MANUAL = {"OUTSTANDING_IN_MOVEMENT": False, "WIDE_IMPACT_ACHIEVEMENTS": False}


@dataclass
class Case:
    regime: str
    code: str
    kind: str  # "eligible" | "fail:<criterion>" | "missing" | "missing:<criterion>" | "nodata"
    history: PersonHistory
    year: int
    label: str = ""
    judgements: dict = field(default_factory=dict)
    rules: bool = False  # derive titles of the evaluated year from their rules
    status: str | None = None  # expected status for "nodata"

    @property
    def id(self):
        return "-".join(x for x in (self.regime, self.code, self.kind, self.label) if x)

    def verdict(self) -> Verdict:
        return run(self.regime, self.code, self.history, self.year,
                   rules=RULES if self.rules else None, judgements=self.judgements)


def C(regime, code, kind, history, year, label="", **kw):
    return Case(regime, code, kind, history, year, label, **kw)


CSTDCS3 = "LDTT CSTDCS"

CASES = [
    # ------------------------------------------------ regime 2017
    C("2017", "LDTT", "eligible", hist(rec(2020)), 2020),
    C("2017", "LDTT", "eligible", hist(rec(2020, months=10)), 2020, "exactly 10 months incl maternity"),
    C("2017", "LDTT", "fail:min_rating", hist(rec(2020, "HTNV")), 2020),
    C("2017", "LDTT", "fail:months_worked", hist(rec(2020, months=9.5)), 2020),
    C("2017", "LDTT", "fail:discipline", hist(rec(2020, discipline="khien_trach")), 2020),
    C("2017", "LDTT", "missing:min_rating", hist(rec(2020, None)), 2020),
    C("2017", "LDTT", "missing:months_worked", hist(rec(2020, months=None)), 2020),
    C("2017", "LDTT", "missing", hist(), 2020, "no record"),

    C("2017", "CSTDCS", "eligible", hist(rec(2020, "HTTNV", "LDTT"), inits=[(2020, "co_so")]), 2020),
    C("2017", "CSTDCS", "eligible", hist(rec(2020, "HTTNV", "LDTT"), inits=[(2020, "tinh_bo")]), 2020,
      "higher initiative level"),
    C("2017", "CSTDCS", "eligible", hist(rec(2020, "HTTNV", "LDTT"), inits=[(2020, "co_so", "de_tai")]), 2020,
      "research topic"),
    C("2017", "CSTDCS", "eligible", hist(rec(2020, "HTTNV"), inits=[(2020, "co_so")]), 2020, "LDTT derived",
      rules=True),
    C("2017", "CSTDCS", "fail:min_rating", hist(rec(2020, "HTNV", "LDTT"), inits=[(2020, "co_so")]), 2020),
    C("2017", "CSTDCS", "fail:prereq:LDTT:1", hist(rec(2020, "HTXSNV"), inits=[(2020, "co_so")]), 2020),
    C("2017", "CSTDCS", "fail:prereq:LDTT:1", hist(rec(2020, "HTTNV", months=9), inits=[(2020, "co_so")]), 2020,
      "derived LDTT fails", rules=True),
    C("2017", "CSTDCS", "fail:initiative:co_so", hist(rec(2020, "HTTNV", "LDTT"), inits=[(2019, "co_so")]), 2020),
    C("2017", "CSTDCS", "missing:min_rating", hist(rec(2020, None, "LDTT"), inits=[(2020, "co_so")]), 2020),
    C("2017", "CSTDCS", "missing:prereq:LDTT:1", hist(rec(2020, "HTTNV", months=None), inits=[(2020, "co_so")]),
      2020, "derived LDTT unknown", rules=True),

    C("2017", "CSTD_TINH", "eligible", hist(recs(range(2018, 2021), titles=CSTDCS3), inits=[(2020, "tinh_bo")]), 2020),
    C("2017", "CSTD_TINH", "eligible", hist(recs(range(2018, 2021), titles=CSTDCS3), inits=[(2019, "toan_quoc")]),
      2020, "national initiative"),
    C("2017", "CSTD_TINH", "eligible", hist(recs(range(2017, 2020), titles=CSTDCS3), inits=[(2019, "tinh_bo")]),
      2020, "run ends the adjacent year"),
    C("2017", "CSTD_TINH", "fail:prereq:CSTDCS:3",
      hist(rec(2018, titles=CSTDCS3), rec(2019, titles="LDTT"), rec(2020, titles=CSTDCS3), inits=[(2020, "tinh_bo")]),
      2020, "gap year"),
    C("2017", "CSTD_TINH", "fail:prereq:CSTDCS:3", hist(recs(range(2019, 2021), titles=CSTDCS3),
                                                        inits=[(2020, "tinh_bo")]), 2020, "two years"),
    C("2017", "CSTD_TINH", "fail:initiative:tinh_bo", hist(recs(range(2018, 2021), titles=CSTDCS3),
                                                           inits=[(2020, "co_so")]), 2020),
    C("2017", "CSTD_TINH", "missing:prereq:CSTDCS:3",
      hist(recs(range(2018, 2020), titles=CSTDCS3), rec(2020, None), inits=[(2020, "tinh_bo")]), 2020, rules=True),

    C("2017", "CSTD_BO", "eligible", hist(recs(range(2018, 2021), titles=CSTDCS3), inits=[(2020, "tinh_bo")]), 2020),
    C("2017", "CSTD_BO", "fail:prereq:CSTDCS:3",
      hist(rec(2018, titles=CSTDCS3), rec(2020, titles=CSTDCS3), inits=[(2020, "tinh_bo")]), 2020, "no record 2019"),
    C("2017", "CSTD_BO", "fail:initiative:tinh_bo", hist(recs(range(2018, 2021), titles=CSTDCS3)), 2020),
    C("2017", "CSTD_BO", "missing:prereq:CSTDCS:3",
      hist(recs(range(2018, 2020), titles=CSTDCS3), rec(2020, None), inits=[(2020, "tinh_bo")]), 2020, rules=True),

    C("2017", "CSTDTQ", "eligible", hist(rec(2016, titles="CSTD_TINH"), rec(2019, titles="CSTD_BO"),
                                         inits=[(2019, "toan_quoc")]), 2019),
    C("2017", "CSTDTQ", "eligible", hist(rec(2016, titles="CSTD_TINH"), rec(2019, titles="CSTD_BO"),
                                         inits=[(2019, "toan_quoc")]), 2020, "proposed the adjacent year"),
    C("2017", "CSTDTQ", "fail:prereq:CSTD_TINH_OR_BO:2",
      hist(rec(2017, titles="CSTD_TINH"), rec(2019, titles="CSTD_TINH"), inits=[(2019, "toan_quoc")]), 2019,
      "cycles not consecutive"),
    C("2017", "CSTDTQ", "fail:prereq:CSTD_TINH_OR_BO:2", hist(rec(2019, titles="CSTD_TINH"),
                                                              inits=[(2019, "toan_quoc")]), 2019, "once"),
    C("2017", "CSTDTQ", "fail:initiative:toan_quoc", hist(rec(2016, titles="CSTD_TINH"), rec(2019, titles="CSTD_TINH"),
                                                          inits=[(2019, "tinh_bo")]), 2019),
    C("2017", "CSTDTQ", "missing:prereq:CSTD_TINH_OR_BO:2",
      hist(rec(2016, titles="CSTD_TINH"), recs([2017, 2018], titles=CSTDCS3), rec(2019, None),
           inits=[(2019, "toan_quoc")]), 2019, rules=True),

    C("2017", "GK", "eligible", hist(rec(2020)), 2020),
    C("2017", "GK", "fail:min_rating", hist(rec(2020, "HTNV")), 2020),
    C("2017", "GK", "missing:min_rating", hist(rec(2020, None)), 2020),

    C("2017", "BK_TINH", "eligible", hist(recs([2019, 2020], "HTXSNV"), inits=[(2019, "co_so"), (2020, "co_so")]),
      2020),
    C("2017", "BK_TINH", "eligible", hist(rec(2020, "HTXSNV")), 2020, "council judged outstanding",
      judgements={"OUTSTANDING_IN_MOVEMENT": True}),
    C("2017", "BK_TINH", "fail:min_rating", hist(rec(2019, "HTXSNV"), rec(2020, "HTTNV"),
                                                 inits=[(2019, "co_so"), (2020, "co_so")]), 2020),
    C("2017", "BK_TINH", "fail:alternatives", hist(recs([2019, 2020], "HTXSNV"), inits=[(2020, "co_so")]), 2020,
      "one initiative", judgements=NO_MANUAL),
    C("2017", "BK_TINH", "fail:alternatives",
      hist(rec(2018, "HTXSNV"), rec(2019, "HTTNV"), rec(2020, "HTXSNV"), inits=[(2019, "co_so"), (2020, "co_so")]),
      2020, "rating gap", judgements=NO_MANUAL),
    C("2017", "BK_TINH", "missing:alternatives", hist(rec(2020, "HTXSNV")), 2020),

    C("2017", "BK_BO", "eligible", hist(recs([2019, 2020], "HTXSNV"), inits=[(2019, "co_so"), (2020, "co_so")]), 2020),
    C("2017", "BK_BO", "eligible", hist(recs(range(2016, 2020), "HTTNV"), rec(2020, "HTXSNV")), 2020,
      "five years before retirement"),
    C("2017", "BK_BO", "fail:min_rating", hist(recs([2019, 2020], "HTTNV"), inits=[(2019, "co_so"), (2020, "co_so")]),
      2020),
    C("2017", "BK_BO", "fail:alternatives", hist(recs(range(2016, 2019), "HTTNV"), rec(2019, "HTNV"),
                                                 rec(2020, "HTXSNV")), 2020,
      judgements={"OUTSTANDING_IN_MOET_MOVEMENT": False}),
    C("2017", "BK_BO", "missing:alternatives", hist(rec(2020, "HTXSNV")), 2020),

    C("2017", "BK_TTG", "eligible", hist(rec(2015, "HTXSNV", "BK_TINH"), recs(range(2016, 2021), "HTXSNV"),
                                         inits=[(y, "co_so") for y in range(2016, 2021)]), 2020),
    C("2017", "BK_TTG", "fail:alternatives",
      hist(recs([2015, 2016], "HTXSNV"), rec(2017, "HTXSNV", "BK_TINH"), recs(range(2018, 2021), "HTXSNV"),
           inits=[(y, "co_so") for y in range(2016, 2021)]), 2020, "BK inside the run", judgements=NO_MANUAL),
    C("2017", "BK_TTG", "fail:alternatives", hist(rec(2015, "HTXSNV", "BK_BO"), recs(range(2016, 2021), "HTXSNV"),
                                                  inits=[(y, "co_so") for y in range(2017, 2021)]), 2020,
      "four initiatives", judgements=NO_MANUAL),
    C("2017", "BK_TTG", "fail:min_rating", hist(rec(2015, "HTXSNV", "BK_TINH"), recs(range(2016, 2020), "HTXSNV"),
                                                rec(2020, "HTTNV"), inits=[(y, "co_so") for y in range(2016, 2021)]),
      2020),
    C("2017", "BK_TTG", "missing:alternatives", hist(recs(range(2016, 2021), "HTXSNV")), 2020),

    C("2017", "HCLD3", "eligible", hist(rec(2015, "HTXSNV", "BK_TTG"), rec(2020, "HTXSNV")), 2020),
    C("2017", "HCLD3", "fail:prereq:BK_TTG", hist(rec(2020, "HTXSNV")), 2020),
    C("2017", "HCLD3", "fail:prereq:BK_TTG", hist(rec(2020, "HTXSNV", "BK_TTG")), 2020, "same year"),
    C("2017", "HCLD3", "fail:min_rating", hist(rec(2015, "HTXSNV", "BK_TTG"), rec(2020, "HTTNV")), 2020),
    C("2017", "HCLD3", "missing:min_rating", hist(rec(2015, "HTXSNV", "BK_TTG"), rec(2020, None)), 2020),

    C("2017", "HCLD2", "eligible", hist(rec(2015, titles="HCLD3")), 2020),
    C("2017", "HCLD2", "fail:prereq:HCLD3", hist(rec(2015, titles="BK_TTG")), 2020),
    C("2017", "HCLD2", "nodata", hist(), 2020, status="ineligible"),
    C("2017", "HCLD1", "eligible", hist(rec(2016, titles="HCLD2")), 2020),
    C("2017", "HCLD1", "fail:prereq:HCLD2", hist(rec(2016, titles="HCLD3")), 2020),
    C("2017", "HCLD1", "nodata", hist(), 2020, status="ineligible"),

    C("2017", "KNC_GD", "eligible", hist(), 2020, judgements={"YEARS_IN_SECTOR_20": True}),
    C("2017", "KNC_GD", "fail:prereq:YEARS_IN_SECTOR_20", hist(), 2020, judgements={"YEARS_IN_SECTOR_20": False}),
    C("2017", "KNC_GD", "missing:prereq:YEARS_IN_SECTOR_20", hist(), 2020),

    C("2017", "NGUT", "eligible", hist(recs([2010, 2012, 2014, 2015, 2016, 2018, 2020], titles=CSTDCS3)), 2020),
    C("2017", "NGUT", "fail:prereq:CSTDCS:7/all", hist(recs([2010, 2012, 2014, 2015, 2016, 2018], titles=CSTDCS3)),
      2020, "six times"),
    C("2017", "NGUT", "missing:prereq:CSTDCS:7/all",
      hist(recs([2010, 2012, 2014, 2015, 2016, 2018], titles=CSTDCS3), rec(2020, None), inits=[(2020, "co_so")]),
      2020, "2020 CSTDCS undecided", rules=True),
    C("2017", "NGND", "eligible", hist(rec(2017, titles="NGUT")), 2020),
    C("2017", "NGND", "fail:prereq:NGUT", hist(rec(2020, titles="NGUT")), 2020, "same year"),
    C("2017", "NGND", "nodata", hist(), 2020, status="ineligible"),

    # ------------------------------------------------ regime 2023
    C("2023", "LDTT", "eligible", hist(rec(2023, months=6)), 2023, "six months"),
    C("2023", "LDTT", "eligible", hist(rec(2024, months=9)), 2024, "nine months suffices from 2024"),
    C("2023", "LDTT", "fail:min_rating", hist(rec(2023, "KHTNV")), 2023),
    C("2023", "LDTT", "fail:months_worked", hist(rec(2023, months=5.5)), 2023),
    C("2023", "LDTT", "missing:discipline", hist(rec(2023, discipline="khien_trach")), 2023),
    C("2023", "LDTT", "missing:min_rating", hist(rec(2023, None)), 2023),
    C("2023", "LDTT", "missing", hist(), 2023, "no record"),

    C("2023", "CSTDCS", "eligible", hist(rec(2023, "HTXSNV", "LDTT")), 2023, "HTXSNV, no initiative"),
    C("2023", "CSTDCS", "eligible", hist(rec(2023, "HTTNV", "LDTT"), inits=[(2023, "co_so")]), 2023, "initiative"),
    C("2023", "CSTDCS", "eligible", hist(rec(2023, "HTTNV", "LDTT"), inits=[(2023, "co_so", "de_tai")]), 2023,
      "research topic"),
    C("2023", "CSTDCS", "eligible", hist(rec(2023, "HTXSNV")), 2023, "LDTT derived", rules=True),
    C("2023", "CSTDCS", "fail:alternatives", hist(rec(2023, "HTTNV", "LDTT"), inits=[(2022, "co_so")]), 2023),
    C("2023", "CSTDCS", "fail:prereq:LDTT:1", hist(rec(2023, "HTXSNV")), 2023),
    C("2023", "CSTDCS", "fail:min_rating", hist(rec(2023, "HTNV", "LDTT"), inits=[(2023, "co_so")]), 2023),
    C("2023", "CSTDCS", "missing:min_rating", hist(rec(2023, None, "LDTT")), 2023),

    C("2023", "CSTD_TINH", "eligible", hist(recs(range(2021, 2024), titles=CSTDCS3), inits=[(2023, "tinh_bo")]), 2023,
      "run across the 2024 regime change"),
    C("2023", "CSTD_TINH", "fail:prereq:CSTDCS:3",
      hist(rec(2021, titles=CSTDCS3), rec(2022, "HTNV"), rec(2023, titles=CSTDCS3), inits=[(2023, "tinh_bo")]), 2023,
      "gap year"),
    C("2023", "CSTD_TINH", "fail:prereq:CSTDCS:3", hist(recs([2022, 2023], titles=CSTDCS3),
                                                        inits=[(2023, "tinh_bo")]), 2023, "two years"),
    C("2023", "CSTD_TINH", "fail:initiative:tinh_bo", hist(recs(range(2021, 2024), titles=CSTDCS3),
                                                           inits=[(2023, "co_so")]), 2023),
    C("2023", "CSTD_TINH", "missing:prereq:CSTDCS:3",
      hist(recs([2021, 2022], titles=CSTDCS3), rec(2023, None), inits=[(2023, "tinh_bo")]), 2023, rules=True),

    C("2023", "CSTD_BO", "eligible", hist(recs(range(2022, 2025), titles=CSTDCS3), inits=[(2024, "tinh_bo")]), 2024),
    C("2023", "CSTD_BO", "fail:prereq:CSTDCS:3", hist(recs([2022, 2024], titles=CSTDCS3),
                                                      inits=[(2024, "tinh_bo")]), 2024, "gap year"),
    C("2023", "CSTD_BO", "fail:initiative:tinh_bo", hist(recs(range(2022, 2025), titles=CSTDCS3)), 2024),
    C("2023", "CSTD_BO", "missing:prereq:CSTDCS:3",
      hist(recs([2022, 2023], titles=CSTDCS3), rec(2024, None), inits=[(2024, "tinh_bo")]), 2024, rules=True),

    C("2023", "CSTDTQ", "eligible", hist(rec(2020, titles="CSTD_TINH"), rec(2023, titles="CSTD_TINH"),
                                         inits=[(2022, "toan_quoc")]), 2023),
    C("2023", "CSTDTQ", "fail:prereq:CSTD_TINH_OR_BO:2",
      hist(rec(2021, titles="CSTD_TINH"), rec(2023, titles="CSTD_TINH"), inits=[(2022, "toan_quoc")]), 2023),
    C("2023", "CSTDTQ", "fail:initiative:toan_quoc", hist(rec(2020, titles="CSTD_BO"), rec(2023, titles="CSTD_TINH"),
                                                          inits=[(2023, "tinh_bo")]), 2023),
    C("2023", "CSTDTQ", "missing:prereq:CSTD_TINH_OR_BO:2",
      hist(rec(2020, titles="CSTD_TINH"), recs([2021, 2022], titles=CSTDCS3), rec(2023, None),
           inits=[(2023, "toan_quoc")]), 2023, rules=True),

    C("2023", "GK", "eligible", hist(rec(2023)), 2023, judgements={"MANUAL_CRITERIA": True}),
    C("2023", "GK", "fail:criteria:manual", hist(rec(2023)), 2023, judgements={"MANUAL_CRITERIA": False}),
    C("2023", "GK", "missing:criteria:manual", hist(rec(2023)), 2023),

    C("2023", "BK_TINH", "eligible", hist(recs([2022, 2023], titles=CSTDCS3)), 2023, "CSTDCS 2022 and 2023"),
    C("2023", "BK_TINH", "eligible", hist(recs([2022, 2023], "HTXSNV", "LDTT"),
                                          inits=[(2022, "co_so"), (2023, "co_so", "de_tai")]), 2023, "route d2"),
    C("2023", "BK_TINH", "fail:alternatives", hist(rec(2021, titles=CSTDCS3), rec(2022), rec(2023, titles=CSTDCS3)),
      2023, judgements=NO_MANUAL),
    C("2023", "BK_TINH", "missing:alternatives", hist(rec(2023, titles=CSTDCS3)), 2023),

    C("2023", "BK_BO", "eligible", hist(recs([2022, 2023], titles=CSTDCS3)), 2023),
    C("2023", "BK_BO", "fail:alternatives", hist(rec(2022), rec(2023, titles=CSTDCS3)), 2023,
      judgements={"OUTSTANDING_IN_MOET_MOVEMENT": False}),
    C("2023", "BK_BO", "missing:alternatives", hist(rec(2022), rec(2023, titles=CSTDCS3)), 2023),

    C("2023", "BK_TTG", "eligible",
      hist(rec(2018, titles="BK_BO"), rec(2019, titles=CSTDCS3), rec(2020), rec(2021, titles=CSTDCS3), rec(2022),
           rec(2023, titles=CSTDCS3)), 2023),
    C("2023", "BK_TTG", "fail:alternatives",
      hist(rec(2018, titles="BK_BO"), rec(2019, titles=CSTDCS3), recs(range(2020, 2023)), rec(2023, titles=CSTDCS3)),
      2023, "two CSTDCS", judgements=NO_MANUAL),
    C("2023", "BK_TTG", "fail:alternatives",
      hist(rec(2019, titles=CSTDCS3), rec(2020, titles="BK_BO"), rec(2021, titles=CSTDCS3), rec(2022),
           rec(2023, titles=CSTDCS3)), 2023, "BK inside the run", judgements=NO_MANUAL),
    C("2023", "BK_TTG", "fail:min_rating",
      hist(rec(2018, titles="BK_BO"), rec(2019, titles=CSTDCS3), rec(2020), rec(2021, titles=CSTDCS3),
           rec(2022, titles=CSTDCS3), rec(2023, "HTNV")), 2023),
    C("2023", "BK_TTG", "missing:alternatives",
      hist(rec(2018, titles="BK_BO"), rec(2019, titles=CSTDCS3), rec(2020), rec(2021, None), rec(2022, titles=CSTDCS3),
           rec(2023, titles=CSTDCS3)), 2023, "rating of 2021 unknown", judgements=NO_MANUAL),

    C("2023", "HCLD3", "eligible",
      hist(rec(2018, titles="BK_TTG"), rec(2019, titles=CSTDCS3), rec(2020), rec(2021, titles=CSTDCS3),
           rec(2022, "HTXSNV", CSTDCS3), rec(2023)), 2023),
    C("2023", "HCLD3", "eligible", hist(rec(2023)), 2023, "long service", judgements={"LONG_SERVICE_POSITION": True}),
    C("2023", "HCLD3", "fail:alternatives",
      hist(rec(2018, titles="BK_TTG"), rec(2019, titles=CSTDCS3), rec(2020), rec(2021, titles=CSTDCS3),
           rec(2022, titles=CSTDCS3), rec(2023)), 2023, "no HTXSNV year", judgements={"LONG_SERVICE_POSITION": False}),
    C("2023", "HCLD3", "fail:min_rating",
      hist(rec(2018, titles="BK_TTG"), rec(2019, titles=CSTDCS3), rec(2020), rec(2021, titles=CSTDCS3),
           rec(2022, "HTXSNV", CSTDCS3), rec(2023, "HTNV")), 2023),
    C("2023", "HCLD3", "missing:alternatives",
      hist(rec(2018, titles="BK_TTG"), rec(2019, titles=CSTDCS3), rec(2020, None), rec(2021, titles=CSTDCS3),
           rec(2022, titles=CSTDCS3), rec(2023)), 2023, "rating of 2020 unknown",
      judgements={"LONG_SERVICE_POSITION": False}),

    C("2023", "HCLD2", "eligible", hist(rec(2019, titles="HCLD3")), 2024),
    C("2023", "HCLD2", "fail:prereq:HCLD3", hist(rec(2019, titles="BK_TTG")), 2024),
    C("2023", "HCLD2", "nodata", hist(), 2024, status="ineligible"),
    C("2023", "HCLD1", "eligible", hist(rec(2019, titles="HCLD2")), 2024),
    C("2023", "HCLD1", "fail:prereq:HCLD2", hist(rec(2019, titles="HCLD3")), 2024),
    C("2023", "HCLD1", "nodata", hist(), 2024, status="ineligible"),

    C("2023", "KNC_GD", "eligible", hist(), 2024, judgements={"YEARS_IN_SECTOR_20": True}),
    C("2023", "KNC_GD", "fail:prereq:YEARS_IN_SECTOR_20", hist(), 2024, judgements={"YEARS_IN_SECTOR_20": False}),
    C("2023", "KNC_GD", "missing:prereq:YEARS_IN_SECTOR_20", hist(), 2024),
    C("2023", "NGUT", "eligible", hist(), 2024, judgements={"MANUAL_CRITERIA": True}),
    C("2023", "NGUT", "fail:criteria:manual", hist(), 2024, judgements={"MANUAL_CRITERIA": False}),
    C("2023", "NGUT", "missing:criteria:manual", hist(), 2024),
    C("2023", "NGND", "eligible", hist(rec(2020, titles="NGUT")), 2024),
    C("2023", "NGND", "fail:prereq:NGUT", hist(rec(2024, titles="NGUT")), 2024, "same year"),
    C("2023", "NGND", "nodata", hist(), 2024, status="ineligible"),
]


def _deciding(verdict, status):
    return {r.criterion for r in verdict.deciding if r.status == status}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_individual_table(case):
    verdict = case.verdict()
    assert verdict.code == case.code and verdict.start_year == case.year and verdict.regime == case.regime
    kind, _, criterion = case.kind.partition(":")
    if kind == "eligible":
        assert verdict.status == "eligible", verdict.reasons
        assert _deciding(verdict, "failed") == set() and _deciding(verdict, "missing") == set()
    elif kind == "fail":
        assert verdict.status == "ineligible", verdict.reasons
        assert _deciding(verdict, "failed") == {criterion}, verdict.reasons  # the single failing criterion
    elif kind == "missing":
        assert verdict.status == "unknown", verdict.reasons
        assert _deciding(verdict, "failed") == set()
        if criterion:
            assert criterion in _deciding(verdict, "missing"), verdict.reasons
    else:
        assert kind == "nodata"
        assert verdict.status == case.status


def test_table_covers_every_individual_title_and_criterion():
    by_rule: dict[tuple[str, str], list[Case]] = {}
    for case in CASES:
        by_rule.setdefault((case.regime, case.code), []).append(case)
    individual = {key for key, rule in RULES.items() if rule.kind == "individual"}
    assert individual == set(by_rule), individual ^ set(by_rule)
    for key, cases in by_rule.items():
        kinds = {c.kind for c in cases}
        assert "eligible" in kinds, key
        assert any(k.startswith(("missing", "nodata")) for k in kinds), key
        eligible = next(c for c in cases if c.kind == "eligible").verdict()
        for reason in eligible.deciding:
            assert {f"fail:{reason.criterion}", f"missing:{reason.criterion}"} & kinds, (key, reason.criterion)
    assert len({c.id for c in CASES}) == len(CASES)


def test_status_precedence_failed_over_missing():
    # rating unknown (missing) and no initiative (failed) -> ineligible
    verdict = run("2017", "CSTDCS", hist(rec(2020, None, "LDTT")), 2020)
    assert verdict.reason("min_rating").status == "missing"
    assert verdict.reason("initiative:co_so").status == "failed"
    assert verdict.status == "ineligible"


# ---------------------------------------------------------------- consecutive runs


@pytest.mark.parametrize(
    "label, history, year, expected",
    [
        ("three consecutive", hist(recs(range(2020, 2023), titles=CSTDCS3)), 2022, "passed"),
        ("only two", hist(recs(range(2021, 2023), titles=CSTDCS3)), 2022, "failed"),
        ("four, last three count", hist(recs(range(2019, 2023), titles=CSTDCS3)), 2022, "passed"),
        ("gap: record without the code", hist(rec(2020, titles=CSTDCS3), rec(2021, titles="LDTT"),
                                              rec(2022, titles=CSTDCS3)), 2022, "failed"),
        ("gap: no record", hist(rec(2020, titles=CSTDCS3), rec(2022, titles=CSTDCS3)), 2022, "failed"),
        ("across the regime change", hist(recs(range(2021, 2024), titles=CSTDCS3)), 2023, "passed"),
        ("transfer between units", merge_histories(hist(recs([2021, 2022], titles=CSTDCS3)),
                                                   hist(rec(2023, titles=CSTDCS3))), 2023, "passed"),
        ("older run does not count", hist(recs(range(2016, 2019), titles=CSTDCS3)), 2022, "failed"),
    ],
)
def test_consecutive_cstdcs_runs(label, history, year, expected):
    regime = regime_for_year(year)
    reason = run(regime, "CSTD_TINH", history, year).reason("prereq:CSTDCS:3")
    assert reason.status == expected, reason.message


def test_regime_change_run_for_bang_khen():
    # a CSTĐCS of 2022-2023 (regime 2017) and of 2023-2024 (regime 2023) are two consecutive years
    verdict = run("2023", "BK_TINH", hist(rec(2022, titles=CSTDCS3), rec(2023, titles=CSTDCS3)), 2023)
    assert verdict.status == "eligible"
    route = [r for r in verdict.reasons if r.alternative == 1]
    assert [r.status for r in route] == ["passed"] and "2022-2023 đến 2023-2024" in route[0].message


def test_count_window_leaves_older_initiatives_out():
    ratings = recs([2022, 2023], "HTXSNV")
    inside = run("2023", "BK_TINH", hist(ratings, inits=[(2022, "co_so"), (2023, "co_so")]), 2023)
    outside = run("2023", "BK_TINH", hist(ratings, inits=[(2020, "co_so"), (2023, "co_so")]), 2023)
    key = "prereq:INITIATIVE_CO_SO:2/2"
    assert [r.status for r in inside.reasons if r.criterion == key] == ["passed"]
    assert [r.status for r in outside.reasons if r.criterion == key] == ["failed"]


def test_rating_gap_is_missing_not_failed():
    # a year without a record breaks a run of titles, but for ratings it is unknown data
    reason = next(r for r in run("2023", "BK_TTG", hist(rec(2018, titles="BK_BO"), recs([2019, 2020, 2022, 2023])),
                                 2023).reasons if r.criterion == "prereq:RATING_HTTNV:5")
    assert reason.status == "missing" and "2021-2022" in reason.message


def test_transfer_merges_months_and_titles():
    old_unit = hist(rec(2020, None, months=4), rec(2019, titles=CSTDCS3))
    new_unit = hist(rec(2020, "HTTNV", months=7))
    merged = merge_histories(old_unit, new_unit)
    assert merged.years[2020].months_worked == 11 and merged.years[2020].rating == "HTTNV"
    assert run("2017", "LDTT", merged, 2020).status == "eligible"
    assert run("2017", "LDTT", new_unit, 2020).reason("months_worked").status == "failed"
    with pytest.raises(ValueError, match="conflicting ratings"):
        merge_histories(hist(rec(2020, "HTTNV")), hist(rec(2020, "HTNV")))


def test_adjacent_year_route_is_flagged_unconfirmed():
    history = hist(recs(range(2017, 2020), titles=CSTDCS3), inits=[(2019, "tinh_bo")])
    on_time = run("2017", "CSTD_TINH", history, 2019)
    adjacent = run("2017", "CSTD_TINH", history, 2020)
    too_late = run("2017", "CSTD_TINH", history, 2021)
    assert on_time.status == adjacent.status == "eligible"
    assert not on_time.reason("prereq:CSTDCS:3").unconfirmed
    assert adjacent.reason("prereq:CSTDCS:3").unconfirmed and adjacent.unconfirmed
    assert too_late.reason("prereq:CSTDCS:3").status == "failed"
    # CSTĐTQ's adjacent year is confirmed (NĐ 91/2017 Art. 48(1)(a))
    tq = run("2017", "CSTDTQ", hist(rec(2016, titles="CSTD_TINH"), rec(2019, titles="CSTD_TINH"),
                                    inits=[(2019, "toan_quoc")]), 2020)
    assert tq.status == "eligible" and not tq.unconfirmed


def test_award_before_the_run_for_bk_ttg_2017():
    base = [recs(range(2016, 2021), "HTXSNV")]
    inits = [(y, "co_so") for y in range(2016, 2021)]
    before = run("2017", "BK_TTG", hist(rec(2015, "HTXSNV", "BK_BO"), *base, inits=inits), 2020)
    assert before.reason("alternatives").status == "passed"
    assert before.reason("alternatives").message.startswith("Đáp ứng phương án 1")


# ---------------------------------------------------------------- derivation, manual, unconfirmed


def test_title_of_the_evaluated_year_is_derived_only_with_rules():
    history = hist(rec(2023, "HTXSNV"))
    assert run("2023", "CSTDCS", history, 2023).status == "ineligible"
    derived = run("2023", "CSTDCS", history, 2023, rules=RULES)
    assert derived.status == "eligible"
    assert "chưa có quyết định" in derived.reason("prereq:LDTT:1").message
    # only the evaluated year is derived: an earlier year without LĐTT stays a gap
    assert run("2023", "CSTD_TINH", hist(recs(range(2021, 2024), "HTXSNV")), 2023,
               rules=RULES).reason("prereq:CSTDCS:3").status == "failed"


def test_manual_codes_are_missing_until_judged():
    verdict = run("2023", "BK_TINH", hist(), 2023)
    manual = [r for r in verdict.reasons if r.criterion == "prereq:OUTSTANDING_IN_MOVEMENT"]
    assert manual[0].status == "missing" and "Hội đồng" in manual[0].message
    judged = run("2023", "BK_TINH", hist(), 2023, judgements={"OUTSTANDING_IN_MOVEMENT": True})
    assert judged.status == "eligible"


def test_unconfirmed_flags():
    # confirmed: true -> not flagged
    assert not run("2017", "LDTT", hist(rec(2020)), 2020).unconfirmed
    # confirmed: false -> the verdict and every reason flagged, but it still evaluates
    gk = run("2017", "GK", hist(rec(2020)), 2020)
    assert gk.status == "eligible" and gk.unconfirmed and all(r.unconfirmed for r in gk.reasons)
    hcld3 = run("2017", "HCLD3", hist(rec(2020, "HTXSNV")), 2020)
    assert hcld3.status == "ineligible" and all(r.unconfirmed for r in hcld3.reasons)
    # partial -> verdict flagged; individual reasons only where the reference says so
    cstdcs = run("2023", "CSTDCS", hist(rec(2023, "HTXSNV", "LDTT")), 2023)
    assert cstdcs.unconfirmed and not any(r.unconfirmed for r in cstdcs.reasons)
    # a route whose note says UNCONFIRMED (BK Bộ 2017, five years before retirement)
    bk_bo = run("2017", "BK_BO", hist(recs(range(2016, 2020)), rec(2020, "HTXSNV")), 2020)
    assert bk_bo.status == "eligible"
    assert all(r.unconfirmed for r in bk_bo.reasons if r.alternative == 3)
    assert bk_bo.reason("alternatives").unconfirmed
    # BK tỉnh 2017 route (a): 2 years HTXSNV + 2 initiatives is not in the Law text itself
    bk_tinh = run("2017", "BK_TINH", hist(recs([2019, 2020], "HTXSNV"), inits=[(2019, "co_so"), (2020, "co_so")]),
                  2020)
    assert all(r.unconfirmed for r in bk_tinh.reasons if r.alternative == 1)
    # 2023 LĐTT: discipline without KHTNV rating is for the council, flagged
    ldtt = run("2023", "LDTT", hist(rec(2023, discipline="canh_cao")), 2023)
    assert ldtt.status == "unknown" and ldtt.reason("discipline").unconfirmed


def test_discipline_rules_differ_by_regime():
    history = hist(rec(2023, discipline="khien_trach"))
    assert run("2017", "LDTT", history, 2023).reason("discipline").status == "failed"
    assert run("2023", "LDTT", history, 2023).reason("discipline").status == "missing"
    assert run("2023", "LDTT", hist(rec(2023, "KHTNV", discipline="khien_trach")), 2023).status == "ineligible"


def test_months_threshold_differs_by_regime():
    history = hist(rec(2020, months=8))
    assert run("2017", "LDTT", history, 2020).reason("months_worked").status == "failed"
    assert run("2023", "LDTT", history, 2020).reason("months_worked").status == "passed"
    assert "8 tháng" in run("2017", "LDTT", history, 2020).reason("months_worked").message


def test_wrong_kind_is_rejected():
    with pytest.raises(ValueError):
        evaluate_individual(RULES[("2017", "TTLDTT")], hist(), 2020)
    with pytest.raises(ValueError):
        evaluate_collective(RULES[("2017", "LDTT")], [], 2020)


def test_evaluate_person_uses_the_years_regime():
    verdicts = evaluate_person(RULES, hist(rec(2023, "HTXSNV")), 2023)
    assert set(verdicts) == {code for (reg, code), r in RULES.items() if reg == "2023" and r.kind == "individual"}
    assert all(v.regime == "2023" for v in verdicts.values())
    assert verdicts["LDTT"].status == "eligible" and verdicts["CSTDCS"].status == "eligible"


# ---------------------------------------------------------------- collective titles


def members(ldtt, total, *, cstdcs=1, others="HTNV", discipline=None):
    out = [MemberFacts("HTTNV", frozenset({"LDTT", "CSTDCS"} if i < cstdcs else {"LDTT"})) for i in range(ldtt)]
    out += [MemberFacts(others) for _ in range(total - ldtt)]
    if discipline:
        out[-1] = MemberFacts(out[-1].rating, out[-1].titles, discipline)
    return out


@pytest.mark.parametrize(
    "regime, code, ldtt, total, expected",
    [
        ("2017", "TTLDTT", 50, 100, "failed"),  # "trên 50%": exactly half is not enough
        ("2017", "TTLDTT", 51, 100, "passed"),
        ("2017", "TTLDTT", 1, 2, "failed"),
        ("2017", "TTLDTT", 2, 3, "passed"),
        ("2023", "TTLDTT", 69, 100, "failed"),
        ("2023", "TTLDTT", 70, 100, "passed"),  # "từ 70% trở lên"
        ("2023", "TTLDTT", 7, 10, "passed"),  # 0.7 * 10 is 7.000000000000001 in floats
        ("2017", "TTLDXS", 69, 100, "failed"),
        ("2017", "TTLDXS", 70, 100, "passed"),
        ("2023", "TTLDXS", 69, 100, "failed"),
        ("2023", "TTLDXS", 70, 100, "passed"),
    ],
)
def test_collective_ldtt_share(regime, code, ldtt, total, expected):
    verdict = evaluate_collective(RULES[(regime, code)], members(ldtt, total), 2020 if regime == "2017" else 2023,
                                  tasks_completed=True, collective_rating="HTXSNV")
    reason = verdict.reason("members:ldtt_share")
    assert reason.status == expected, reason.message
    assert verdict.status == ("eligible" if expected == "passed" else "ineligible")


@pytest.mark.parametrize(
    "label, regime, code, group, kwargs, expected, criterion",
    [
        ("eligible", "2017", "TTLDTT", members(6, 10), {"tasks_completed": True}, "eligible", None),
        ("tasks not completed", "2017", "TTLDTT", members(6, 10), {"tasks_completed": False}, "ineligible",
         "tasks_completed"),
        ("tasks not assessed", "2017", "TTLDTT", members(6, 10), {}, "unknown", "tasks_completed"),
        ("khiển trách allowed", "2017", "TTLDTT", members(6, 10, discipline="khien_trach"),
         {"tasks_completed": True}, "eligible", None),
        ("cảnh cáo not allowed", "2017", "TTLDTT", members(6, 10, discipline="canh_cao"),
         {"tasks_completed": True}, "ineligible", "members:discipline"),
        ("unknown members could reach the share", "2017", "TTLDTT", members(4, 10, others=None),
         {"tasks_completed": True}, "unknown", "members:ldtt_share"),
        ("unknown members cannot reach the share", "2017", "TTLDTT", members(2, 10, others=None)[:6],
         {"tasks_completed": True}, "unknown", "members:ldtt_share"),
        ("no members", "2017", "TTLDTT", [], {"tasks_completed": True}, "unknown", "members:ldtt_share"),
        ("TTLDXS eligible", "2017", "TTLDXS", members(7, 10), {"tasks_completed": True}, "eligible", None),
        ("TTLDXS a member KHTNV", "2017", "TTLDXS", members(7, 10, others="KHTNV"), {"tasks_completed": True},
         "ineligible", "members:complete_tasks"),
        ("TTLDXS member rating unknown", "2017", "TTLDXS", members(8, 10, others=None), {"tasks_completed": True},
         "unknown", "members:complete_tasks"),
        ("TTLDXS no CSTDCS", "2017", "TTLDXS", members(7, 10, cstdcs=0), {"tasks_completed": True},
         "ineligible", "members:cstdcs"),
        ("TTLDXS 2023 eligible", "2023", "TTLDXS", members(7, 10), {"collective_rating": "HTXSNV"}, "eligible", None),
        ("TTLDXS 2023 collective HTTNV", "2023", "TTLDXS", members(7, 10), {"collective_rating": "HTTNV"},
         "ineligible", "collective_rating"),
        ("TTLDXS 2023 collective rating unknown", "2023", "TTLDXS", members(7, 10), {"tasks_completed": True},
         "unknown", "collective_rating"),
        ("Cờ thi đua: council", "2023", "CTD_TINH", members(7, 10), {}, "unknown", "criteria:manual"),
    ],
)
def test_collective_criteria(label, regime, code, group, kwargs, expected, criterion):
    verdict = evaluate_collective(RULES[(regime, code)], group, 2023, **kwargs)
    assert verdict.status == expected, verdict.reasons
    if criterion:
        wanted = {"eligible": "passed", "ineligible": "failed", "unknown": "missing"}[expected]
        assert verdict.reason(criterion).status == wanted, verdict.reasons
        if expected == "ineligible":
            assert _deciding(verdict, "failed") == {criterion}


def test_unknown_members_share_bounds():
    # 60 LĐTT + 15 unknown of 100: 60% < 70% <= 75% -> missing; 60 + 5 unknown -> 65% max -> failed
    rule = RULES[("2023", "TTLDTT")]
    group = members(60, 85) + [MemberFacts(None)] * 15
    assert evaluate_collective(rule, group, 2023, tasks_completed=True).reason("members:ldtt_share").status == "missing"
    group = members(60, 95) + [MemberFacts(None)] * 5
    assert evaluate_collective(rule, group, 2023, tasks_completed=True).reason("members:ldtt_share").status == "failed"


def test_ttldtt_2023_share_is_flagged_unconfirmed():
    verdict = evaluate_collective(RULES[("2023", "TTLDTT")], members(7, 10), 2023, tasks_completed=True)
    assert verdict.reason("members:ldtt_share").unconfirmed and verdict.unconfirmed
    verdict = evaluate_collective(RULES[("2017", "TTLDTT")], members(7, 10), 2020, tasks_completed=True)
    assert not verdict.unconfirmed


# ---------------------------------------------------------------- quotas


@pytest.mark.parametrize(
    "fraction, basis, allowed",
    [(0.15, 90, 13), (0.15, 20, 3), (0.15, 6, 0), (0.15, 7, 1), (0.10, 90, 9), (0.15, 0, 0), (0.7, 10, 7),
     ("0.15", 100, 15)],
)
def test_quota_limit_rounds_down(fraction, basis, allowed):
    assert quota_limit(fraction, basis) == allowed


def test_quota_limit_rejects_nonsense():
    with pytest.raises(ValueError):
        quota_limit(1.5, 10)
    with pytest.raises(ValueError):
        quota_limit(0.15, -1)


def _quota(results, code):
    return next(r for r in results if r.code == code)


@pytest.mark.parametrize(
    "used, basis, overrides, allowed, status, overridden",
    [
        (13, 90, None, 13, "within", False),
        (14, 90, None, 13, "exceeded", False),
        (3, 20, None, 3, "within", False),
        (1, 6, None, 0, "exceeded", False),
        (9, 90, {("2017", "CSTDCS"): 0.10}, 9, "within", True),  # a province tightens to 10%
        (10, 90, {("2017", "CSTDCS"): 0.10}, 9, "exceeded", True),
        (13, 90, {("2017", "CSTDCS"): 0.20}, 13, "within", False),  # a looser override cannot widen the cap
    ],
)
def test_cstdcs_quota_2017(used, basis, overrides, allowed, status, overridden):
    result = _quota(check_quotas(RULES, {"LDTT": basis, "CSTDCS": used}, "2017", overrides=overrides), "CSTDCS")
    assert (result.allowed, result.status, result.overridden) == (allowed, status, overridden)
    assert result.exceeded == (status == "exceeded")
    assert result.basis_code == "LDTT" and not result.unconfirmed
    assert VIETNAMESE.search(result.message) and CITATION.search(result.article)


def test_quota_unconfirmed_entries_are_reported_and_flagged():
    results = check_quotas(RULES, {"LDTT": 90, "CSTDCS": 30, "TTLDTT": 10, "TTLDXS": 5}, "2023")
    cstdcs = _quota(results, "CSTDCS")
    assert cstdcs.status == "no_limit" and cstdcs.unconfirmed and cstdcs.allowed is None
    assert _quota(results, "TTLDXS").unconfirmed
    assert _quota(check_quotas(RULES, {}, "2017"), "TTLDXS").unconfirmed
    # a provincial cap where no national cap was found
    tightened = _quota(check_quotas(RULES, {"LDTT": 90, "CSTDCS": 14}, "2023",
                                    overrides={("2023", "CSTDCS"): 0.15}), "CSTDCS")
    assert (tightened.allowed, tightened.status, tightened.overridden, tightened.unconfirmed) == (13, "exceeded", True,
                                                                                                   False)
    assert "tỉnh" in tightened.article


def test_quota_override_for_a_title_without_national_quota():
    result = _quota(check_quotas(RULES, {"CSTDCS": 40, "CSTD_TINH": 5}, "2017",
                                 overrides={("2017", "CSTD_TINH"): 0.10}), "CSTD_TINH")
    assert (result.basis_code, result.allowed, result.status) == ("CSTDCS", 4, "exceeded")


def test_quota_missing_counts():
    assert _quota(check_quotas(RULES, {"CSTDCS": 3}, "2017"), "CSTDCS").status == "missing"


# ---------------------------------------------------------------- messages and articles


def _all_verdicts():
    for case in CASES:
        yield case.id, case.verdict()
    for regime, code in [("2017", "TTLDTT"), ("2017", "TTLDXS"), ("2023", "TTLDTT"), ("2023", "TTLDXS"),
                         ("2017", "CTD_CP"), ("2023", "CTD_BO")]:
        for group in (members(7, 10), members(5, 10, others=None), []):
            yield f"{regime}-{code}", evaluate_collective(RULES[(regime, code)], group, 2023)


def test_every_reason_has_a_vietnamese_message_and_an_article():
    count = 0
    for case_id, verdict in _all_verdicts():
        assert verdict.reasons, case_id
        for reason in verdict.reasons:
            count += 1
            assert reason.status in {"passed", "failed", "missing"}, case_id
            assert reason.message.strip() and reason.message.endswith("."), (case_id, reason)
            assert VIETNAMESE.search(reason.message), (case_id, reason.message)
            assert "UNCONFIRMED" not in reason.message and "  " not in reason.message, (case_id, reason.message)
            assert CITATION.search(reason.article), (case_id, reason.article)
            assert reason.criterion and " " not in reason.criterion
    assert count > 300


def test_message_example_wording():
    reason = run("2017", "LDTT", hist(rec(2020, "HTTNV")), 2020).reason("min_rating")
    assert reason.message == "Xếp loại năm học 2020-2021 là HTTNV, đạt mức tối thiểu HTTNV."
    assert reason.article == "Luật TĐKT 2003 (sửa đổi 2013) Điều 24 khoản 1"
    assert run("2017", "LDTT", hist(rec(2020)), 2020).reason("months_worked").article.startswith("NĐ 91/2017")
    assert run("2023", "LDTT", hist(rec(2023)), 2023).reason("months_worked").article == "TT 01/2024/TT-BNV"


# ---------------------------------------------------------------- loading and data classes


def test_load_rules_builds_every_entry():
    assert len(RULES) == len(TITLES["entries"])
    cstdcs = RULES[("2017", "CSTDCS")]
    assert cstdcs.name == "Chiến sĩ thi đua cơ sở" and cstdcs.confirmed == "true"
    assert [p.code for p in cstdcs.prerequisites] == ["LDTT", "INITIATIVE_CO_SO"]
    assert cstdcs.quota["fraction"] == 0.15
    assert len(RULES[("2023", "BK_TINH")].alternatives) == 4
    assert RULES[("2023", "TTLDTT")].member_rules["min_share_ldtt"] == 0.7
    assert {r.confirmed for r in RULES.values()} == {"true", "partial", "false"}
    assert all(CITATION.search(r.article) for r in RULES.values())


def test_load_rules_rejects_bad_entries():
    entry = {"code": "X", "regime": "2017", "kind": "individual", "min_rating": "GOOD"}
    with pytest.raises(ValueError, match="min_rating"):
        load_rules({"entries": [entry]})
    entry = {"code": "X", "regime": "2017", "kind": "individual"}
    with pytest.raises(ValueError, match="duplicate"):
        load_rules({"entries": [entry, entry]})


def test_unknown_entry_gets_an_article_from_its_source():
    rules = load_rules({"entries": [{"code": "NEW", "regime": "2023", "kind": "individual", "min_rating": "HTTNV",
                                     "source": "Law 06/2022 Art. 99 -- UNCONFIRMED", "confirmed": False}]})
    assert rules[("2023", "NEW")].article == "Luật TĐKT 2022 Điều 99"


@pytest.mark.parametrize("year, regime", [(2017, "2017"), (2020, "2017"), (2022, "2017"), (2023, "2023"),
                                          (2026, "2023")])
def test_regime_for_year(year, regime):
    assert regime_for_year(year) == regime
    assert regime_for_year(year, CATALOGUE["regime_years"]) == regime


def test_data_classes_validate_their_input():
    with pytest.raises(ValueError):
        YearRecord(2020, rating="Tốt")
    with pytest.raises(ValueError):
        YearRecord(2020, discipline="phat")
    with pytest.raises(ValueError):
        YearRecord(2020, months_worked=-1)
    with pytest.raises(ValueError):
        Initiative(2020, "huyen")
    with pytest.raises(ValueError):
        PersonHistory(years={2020: YearRecord(2021)})
    with pytest.raises(ValueError):
        PersonHistory.of(YearRecord(2020), YearRecord(2020))
    assert YearRecord(2020, titles=["LDTT"]).titles == frozenset({"LDTT"})


def test_engine_module_exposes_the_data_classes():
    from awards.rules import engine

    assert engine.YearRecord is YearRecord and engine.PersonHistory is PersonHistory
    assert engine.Initiative is Initiative and engine.MemberFacts is MemberFacts
    # months worked plus maternity months may exceed 12 in the caller's data: accepted
    assert YearRecord(2020, months_worked=14.5).months_worked == 14.5


def test_engine_is_pure_python():
    code = ("import sys, awards.rules; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in {'django', 'sqlite3', 'yaml'}); "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[2])


def test_cstdcs_at_registration_time_is_missing_data_not_ineligible():
    """At the start of 2020-2021 nothing of that year is recorded: the initiative may still come."""
    rule = RULES[("2017", "CSTDCS")]
    history = hist(*recs([2017, 2018, 2019], titles="LDTT CSTDCS"))
    verdict = evaluate_individual(rule, history, 2020, rules=RULES)
    assert verdict.status == "unknown"
    assert verdict.reason("initiative:co_so").status == "missing"
    # Once the year is recorded without any initiative, it is a failure.
    recorded = hist(*recs([2017, 2018, 2019], titles="LDTT CSTDCS"), rec(2020, titles="LDTT"))
    assert evaluate_individual(rule, recorded, 2020, rules=RULES).reason("initiative:co_so").status == "failed"
