"""Collective verdicts (TTLĐTT, TTLĐXS, Cờ thi đua): the members' facts for the year, from the
database, handed to the pure engine (awards.rules.engine.evaluate_collective).

Members are who worked at the unit during the school year (for a team: whose employment that
year names the team). Their LĐTT/CSTĐCS come from the titles recognised for that year when any
exist for the collective's members, otherwise from the year's individual registrations (while
registering; the reasons then say "theo đăng ký"). Rating and discipline come from AnnualRecord.
The collective's own result of the year (hoàn thành tốt / xuất sắc nhiệm vụ) is its
CollectiveRecord; the reason names it and its source, or says that none is recorded yet.

A constant number of queries per dossier, whatever the number of members or teams.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from awards.models import AnnualRecord, CollectiveRecord, RecognisedTitle
from awards.rules import engine
from config.sql import id_list
from registrations.models import Registration, SchoolYear
from units.models import Collective, Employment
from units.selectors import employed_during

# Holding any of these also means LĐTT that year (a ladder: CSTĐCS ⊂ LĐTT).
_IMPLIES_LDTT = frozenset(engine.HIGHER_CSTD)


def _with_ladder(codes: set[str]) -> frozenset[str]:
    return frozenset(codes | ({"LDTT"} if codes & _IMPLIES_LDTT else set()))


def members_in_year(unit_id: int, school_year: SchoolYear) -> dict[int, str]:
    """Staff id -> the team they were in at this unit that year ('' = none). One query."""
    return members_of_units([unit_id], school_year).get(unit_id, {})


def members_of_units(unit_ids: list[int], school_year: SchoolYear) -> dict[int, dict[int, str]]:
    """Unit id -> {staff id -> the team they were in at that unit that year ('' = none)}. One query.

    Whoever left or arrived during the year is a member for the part of it spent here; the
    latest employment of the year gives the team.
    """
    rows = (Employment.objects.filter(employed_during(school_year.start_date, school_year.end_date),
                                      unit_id__in=id_list(unit_ids))
            .order_by("unit_id", "staff_id", "start_date").values_list("unit_id", "staff_id", "team_name"))
    out: dict[int, dict[int, str]] = defaultdict(dict)
    for unit_id, staff_id, team in rows:
        out[unit_id][staff_id] = team
    return out


def _year_facts(staff_ids: list[int], school_year: SchoolYear) -> tuple[dict[int, tuple], dict[int, set[str]]]:
    """Rating and discipline, and recognised titles, of each person for the year. Two queries."""
    people = id_list(staff_ids)
    records = {
        staff_id: (rating or None, discipline or None)
        for staff_id, rating, discipline in AnnualRecord.objects.filter(
            staff_id__in=people, school_year=school_year).values_list("staff_id", "rating", "discipline")
    }
    recognised: dict[int, set[str]] = defaultdict(set)
    for staff_id, code in RecognisedTitle.objects.filter(staff_id__in=people, school_year=school_year).values_list(
            "staff_id", "title_code"):
        recognised[staff_id].add(code)
    return records, recognised


def _facts(staff_ids, records, recognised, registered: Mapping[int, Registration]):
    by_registration, by_recognition = {}, {}
    for staff_id in staff_ids:
        rating, discipline = records.get(staff_id, (None, None))
        reg = registered.get(staff_id)
        by_registration[staff_id] = engine.MemberFacts(
            rating=rating, titles=_with_ladder({reg.title.code} if reg is not None else set()), discipline=discipline)
        by_recognition[staff_id] = engine.MemberFacts(
            rating=rating, titles=_with_ladder(recognised.get(staff_id, set())), discipline=discipline)
    return by_registration, by_recognition


def member_facts(staff_ids: list[int], school_year: SchoolYear, registered: Mapping[int, Registration]
                 ) -> tuple[dict[int, engine.MemberFacts], dict[int, engine.MemberFacts], set[int]]:
    """Each member's facts for the year, with titles from the registrations and from the recognised
    titles, and who has recognised titles that year. Two queries."""
    records, recognised = _year_facts(staff_ids, school_year)
    by_registration, by_recognition = _facts(staff_ids, records, recognised, registered)
    return by_registration, by_recognition, {i for i in staff_ids if recognised.get(i)}


def collective_results(unit_id: int, school_year: SchoolYear) -> dict[int | None, CollectiveRecord]:
    """The unit's own (key None) and its teams' recorded results for the year. One query."""
    return {r.collective_id: r for r in CollectiveRecord.objects.filter(unit_id=unit_id, school_year=school_year)}


def result_note(record: CollectiveRecord | None, school_year: SchoolYear) -> str:
    """What the collective's own-result reason says about the record it read."""
    if record is None:
        return (f"chưa ghi nhận kết quả đánh giá, xếp loại của tập thể cho năm học {school_year.code}; "
                "nhập ở trang Lịch sử thi đua, trang tính “Tập thể”")
    return f"xếp loại của tập thể: {record.get_rating_display()}, nguồn: {record.source_label}"


def collective_verdicts(registrations: list[Registration], school_year: SchoolYear, unit_id: int, regime: str,
                        table: Mapping[tuple[str, str], engine.TitleRule]) -> dict[int, engine.Verdict]:
    """A verdict for each registration of the unit itself or one of its teams, by registration id.

    Five queries at most (members, team names, the collectives' results, ratings, recognised
    titles), none when the dossier has no collective registration.
    """
    return collective_verdicts_of_units({unit_id: registrations}, school_year, regime, table)


def collective_verdicts_of_units(registrations: Mapping[int, list[Registration]], school_year: SchoolYear,
                                 regime: str, table: Mapping[tuple[str, str], engine.TitleRule]
                                 ) -> dict[int, engine.Verdict]:
    """collective_verdicts for many units' dossiers of one year at once (unit id -> its
    registrations): the same five queries whatever the number of units (the demo seed)."""
    wanted = {
        unit_id: [r for r in regs if r.subject != Registration.Subject.STAFF
                  and getattr(table.get((regime, r.title.code)), "kind", None) == "collective"]
        for unit_id, regs in registrations.items()
    }
    wanted = {unit_id: regs for unit_id, regs in wanted.items() if regs}
    if not wanted:
        return {}
    units = sorted(wanted)
    members = members_of_units(units, school_year)
    team_names = dict(Collective.objects.filter(unit_id__in=id_list(units)).values_list("pk", "name"))
    results = {(r.unit_id, r.collective_id): r for r in
               CollectiveRecord.objects.filter(unit_id__in=id_list(units), school_year=school_year)}
    records, recognised = _year_facts(sorted({s for m in members.values() for s in m}), school_year)
    out = {}
    for unit_id, collective in wanted.items():
        mine = members.get(unit_id, {})
        registered = {r.staff_id: r for r in registrations[unit_id] if r.subject == Registration.Subject.STAFF}
        by_registration, by_recognition = _facts(sorted(mine), records, recognised, registered)
        by_team: dict[str, list[int]] = defaultdict(list)
        for staff_id, team in mine.items():
            by_team[team].append(staff_id)
        for r in collective:
            if r.subject == Registration.Subject.UNIT:
                ids = sorted(mine)
            else:
                name = team_names.get(r.collective_id)
                ids = sorted(by_team.get(name, [])) if name else []
            # Titles recognised for the year once the collective's members have any; until then, the
            # year's registrations (what the unit proposes).
            if any(recognised.get(i) for i in ids):
                group, titles_from = [by_recognition[i] for i in ids], "recognised"
            else:
                group, titles_from = [by_registration[i] for i in ids], "registered"
            record = results.get((unit_id, r.collective_id if r.subject == Registration.Subject.COLLECTIVE else None))
            out[r.pk] = engine.evaluate_collective(table[(regime, r.title.code)], group, school_year.start_year,
                                                   titles_from=titles_from,
                                                   collective_rating=record.rating if record else None,
                                                   result_note=result_note(record, school_year))
    return out
