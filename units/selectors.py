"""Reads about units, staff and accounts. Every list starts from the user's scope."""

from __future__ import annotations

import datetime
import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from units import vntext
from units.models import Collective, Employment, Role, Staff, Unit, UnitVersion, User

# --- scope ---------------------------------------------------------------------------------

def units_visible_to(user: User) -> QuerySet[Unit]:
    """The user's unit and everything below it (a superuser without a unit sees all)."""
    if user.is_superuser and user.unit_id is None:
        return Unit.objects.all()
    if not user.is_authenticated or user.unit_id is None:
        return Unit.objects.none()
    return Unit.objects.filter(path__startswith=user.unit.path)


def scope_roots(user: User) -> list[Unit]:
    """The top units of the user's scope: their own unit, or the roots for a superuser."""
    if user.is_superuser and user.unit_id is None:
        return list(Unit.objects.filter(parent__isnull=True))
    return [user.unit] if user.unit_id else []


def _as_id(value) -> int:
    """An id from a URL or a query string; anything else is a 404, never a 500."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise Http404("Mã không hợp lệ.") from None


def get_unit_for_user_or_404(user: User, pk) -> Unit:
    """Fetch and authorize in one step: a unit outside the scope does not exist for the user."""
    unit = units_visible_to(user).select_related("parent").filter(pk=_as_id(pk)).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị.")
    return unit


def unit_subtree(unit: Unit) -> QuerySet[Unit]:
    """All descendants of a unit and the unit itself, in one query."""
    return Unit.objects.filter(path__startswith=unit.path)


def search_units(qs: QuerySet[Unit], query: str | None) -> QuerySet[Unit]:
    """A phrase of whole words, any case, with or without diacritics, in the name or the code.

    A phrase rather than separate words: "duc hoa" must not find "Phòng Giáo dục ... Mộc Hóa".
    """
    phrase = vntext.search_phrase(query)
    if not phrase:
        return qs
    # A code is matched from its start too: "THPT-TANAN" finds THPT-TANAN-TANAN.
    return qs.filter(Q(search_name__contains=phrase) | Q(code__istartswith=query.strip()))


# --- unit history by school year ------------------------------------------------------------

@dataclass(frozen=True)
class UnitState:
    unit_id: int
    name: str
    short_name: str
    parent_id: int | None
    is_active: bool


def _versions_query(start_year: int, unit_ids: list[int] | None = None) -> dict[int, UnitState]:
    latest = (
        UnitVersion.objects.filter(unit_id=OuterRef("unit_id"), from_year__lte=start_year)
        .order_by("-from_year")
        .values("from_year")[:1]
    )
    qs = UnitVersion.objects.filter(from_year=Subquery(latest))
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return {
        unit_id: UnitState(unit_id, name, short_name, parent_id, is_active)
        for unit_id, name, short_name, parent_id, is_active in qs.values_list(
            "unit_id", "name", "short_name", "parent_id", "is_active")
    }


def tree_stamp() -> tuple:
    """Changes whenever a unit or a unit version is added, changed or removed (one query).

    Read from the database the tree itself is read from (a report may read a replica), so that
    a stamp is never paired with another database's, possibly older, tree.
    """
    unit, version = Unit._meta.db_table, UnitVersion._meta.db_table
    connection = connections[router.db_for_read(UnitVersion)]
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT (SELECT COUNT(*) FROM {unit}), (SELECT MAX(id) FROM {unit}), (SELECT MAX(updated_at) FROM {unit}),"
            f" (SELECT COUNT(*) FROM {version}), (SELECT MAX(id) FROM {version}), (SELECT MAX(updated_at) FROM {version})"
        )
        return (connection.alias, connection.settings_dict["NAME"], *cur.fetchone())


@dataclass(frozen=True)
class _Tree:
    units: dict[int, Unit]
    states: dict[int, UnitState]
    children: dict[int | None, list[int]]


# The tree as of a school year, per process, while tree_stamp() is unchanged. Every report and
# board starts from it; rebuilding it costs more than the report's own aggregation. The Unit
# objects in it are shared: read them, never change them.
_TREES: OrderedDict[tuple, _Tree] = OrderedDict()
_TREES_MAX = 16
_TREES_LOCK = threading.Lock()


def clear_tree_cache() -> None:
    with _TREES_LOCK:
        _TREES.clear()


def _tree(start_year: int) -> _Tree:
    key = (*tree_stamp(), start_year)
    with _TREES_LOCK:
        tree = _TREES.get(key)
        if tree is not None:
            _TREES.move_to_end(key)
            return tree
    states = _versions_query(start_year)
    children: dict[int | None, list[int]] = defaultdict(list)
    for state in states.values():
        children[state.parent_id].append(state.unit_id)
    units = {u.pk: u for u in Unit.objects.only("id", "code", "name", "short_name", "kind", "level", "path",
                                                   "district", "depth", "sort_key", "parent_id")}
    tree = _Tree(units, states, dict(children))
    with _TREES_LOCK:
        _TREES[key] = tree
        while len(_TREES) > _TREES_MAX:
            _TREES.popitem(last=False)
    return tree


def unit_versions_as_of(start_year: int, unit_ids: list[int] | None = None) -> dict[int, UnitState]:
    """Each unit's name, parent and status in the school year starting `start_year`.

    A unit whose first version starts after that year did not exist yet and is absent. The
    whole tree comes from the per-process cache (one stamp query); a few units, from one query.
    """
    if unit_ids is not None:
        return _versions_query(start_year, unit_ids)
    return dict(_tree(start_year).states)


@dataclass(frozen=True)
class UnitInYear:
    unit: Unit  # the row (code, kind, level, path); names and parents come from `state`
    state: UnitState  # name, short name and parent in that school year
    district_id: int | None  # the Phòng above it in that year; None when directly under the Sở


def units_as_of(root: Unit, start_year: int) -> dict[int, UnitInYear]:
    """Every active unit under `root` as the tree stood in that school year (root included),
    each with the Phòng it belonged to then. One stamp query while the tree is cached, three
    when it has changed, whatever the size of the tree.

    Shared by the progress board and the reports, so that both count the same units.
    """
    tree = _tree(start_year)
    units, states = tree.units, tree.states
    found: dict[int, UnitInYear] = {}
    stack = [(root.pk, root.pk if root.kind == Unit.Kind.DISTRICT_OFFICE else None)]
    while stack:
        unit_id, phong = stack.pop()
        if unit_id in found or unit_id not in units or unit_id not in states or not states[unit_id].is_active:
            continue
        found[unit_id] = UnitInYear(units[unit_id], states[unit_id], phong)
        for child in tree.children.get(unit_id, []):
            is_phong = child in units and units[child].kind == Unit.Kind.DISTRICT_OFFICE
            stack.append((child, child if is_phong else phong))
    return found


def unit_as_of(unit: Unit, start_year: int) -> UnitState | None:
    return unit_versions_as_of(start_year, [unit.pk]).get(unit.pk)


def subtree_ids_as_of(root: Unit, start_year: int) -> set[int]:
    """Ids of the units under `root` as the tree stood in that school year (root included)."""
    children = _tree(start_year).children
    found, stack = set(), [root.pk]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, []))
    return found


# --- staff ----------------------------------------------------------------------------------

def _scope_path(user: User) -> str | None:
    """The path prefix of the user's scope; "" for a superuser without a unit; None for nobody."""
    if user.is_superuser and user.unit_id is None:
        return ""
    if not user.is_authenticated or user.unit_id is None:
        return None
    return user.unit.path


def staff_visible_to(user: User) -> QuerySet[Staff]:
    """Staff who work, or once worked, in a unit of the user's scope.

    Former staff stay visible so that earlier school years keep their lists.
    """
    path = _scope_path(user)
    if path is None:
        return Staff.objects.none()
    if path == "":
        return Staff.objects.all()
    worked_here = Employment.objects.filter(staff_id=OuterRef("pk"), unit__path__startswith=path)
    return Staff.objects.filter(Q(unit__path__startswith=path) | Exists(worked_here))


def get_staff_for_user_or_404(user: User, pk) -> Staff:
    staff = staff_visible_to(user).select_related("unit", "team").filter(pk=_as_id(pk)).first()
    if staff is None:
        raise Http404("Không tìm thấy cán bộ.")
    return staff


def employed_during(start: datetime.date, end: datetime.date) -> Q:
    """Employment rows that overlap [start, end]."""
    return Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))


def staff_list(
    user: User,
    *,
    unit: Unit | None = None,
    subtree: bool = True,
    school_year=None,
    query: str | None = None,
    team_id: int | None = None,
    order: str = "name",
) -> QuerySet[Staff]:
    """Staff who worked in the scope (or one unit's subtree in it) during the school year.

    Searches whole words without diacritics or case; ordered the Vietnamese way by default.
    """
    path = _scope_path(user)
    if path is None or (unit is not None and not unit.path.startswith(path)):
        return Staff.objects.none()
    if unit is not None:
        path = unit.path
    # One unit's own staff, or everyone in its subtree.
    where = {"unit__path__startswith": path} if subtree or unit is None else {"unit_id": unit.pk}
    if school_year is not None:
        # Who worked in the scope during that year, wherever they are now.
        worked = Employment.objects.filter(
            employed_during(school_year.start_date, school_year.end_date), staff_id=OuterRef("pk"), **where,
        )
        qs = Staff.objects.filter(Exists(worked))
        # Show where and as what each person worked that year, not where they are now.
        that_year = worked.order_by("-start_date")
        qs = qs.annotate(
            year_unit=Subquery(that_year.values("unit__short_name")[:1]),
            year_position=Subquery(that_year.values("position")[:1]),
            year_team=Subquery(that_year.values("team_name")[:1]),
        )
    else:
        qs = Staff.objects.filter(is_active=True, **where)
    for term in vntext.search_terms(query):
        qs = qs.filter(search_name__contains=term)
    if team_id:
        qs = qs.filter(team_id=team_id)
    orderings = {
        "name": ["sort_key", "pk"],
        "-name": ["-sort_key", "-pk"],
        "dob": ["date_of_birth", "sort_key"],
        "-dob": ["-date_of_birth", "sort_key"],
        "unit": ["unit__path", "sort_key"],
        "position": ["position", "sort_key"],
    }
    return qs.select_related("unit", "team").order_by(*orderings.get(order, orderings["name"]))


@dataclass(frozen=True)
class Change:
    when: datetime.datetime
    who: User | None
    kind: str
    fields: list[str]


HISTORY_KINDS = {"+": "Tạo mới", "~": "Sửa", "-": "Xóa"}


def staff_changes(staff: Staff, limit: int = 20) -> list[Change]:
    """The audit history of a staff record, newest first, with the labels of changed fields."""
    records = list(staff.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    labels = {f.name: str(f.verbose_name) for f in Staff._meta.fields}
    changes = []
    # Bulk-loaded people (seed_demo, an old system's export) may have no history row at all.
    for newer, older in zip(records, [*records[1:], None][:len(records)], strict=True):
        fields = []
        if older is not None and newer.history_type == "~":
            diff = newer.diff_against(older, excluded_fields=["search_name", "sort_key", "updated_at",
                                                              "family_name", "middle_name", "given_name"])
            fields = [labels.get(c.field, c.field) for c in diff.changes]
        changes.append(Change(newer.history_date, newer.history_user, HISTORY_KINDS.get(newer.history_type, ""), fields))
    return changes[:limit]


def staff_of_unit_in_year(unit: Unit, school_year) -> QuerySet[Staff]:
    """Who worked at this very unit during the school year, without a user's scope.

    For trusted callers only (the import command run on the server); pages use staff_list.
    """
    worked = Employment.objects.filter(
        employed_during(school_year.start_date, school_year.end_date), staff_id=OuterRef("pk"), unit=unit,
    )
    return Staff.objects.filter(Exists(worked)).select_related("unit", "team").order_by("sort_key", "pk")


def collectives_of(unit: Unit) -> QuerySet[Collective]:
    return Collective.objects.filter(unit=unit, is_active=True).order_by("name")


# --- overview counts -------------------------------------------------------------------------

@dataclass
class OverviewRow:
    unit: Unit
    unit_count: int = 0
    staff_count: int = 0
    account_count: int = 0


def scope_overview(root: Unit, school_year=None) -> list[OverviewRow]:
    """A row for `root` itself, then one per child (each Phòng, each directly managed school):
    how many units lie below it, how many staff worked there in the school year, how many
    accounts it has. Phòng first, then by district and name in Vietnamese order.

    Three queries whatever the size of the tree; the roll-up walks the materialized paths.
    """
    units = list(unit_subtree(root).only("id", "path", "depth", "name", "short_name", "kind", "level", "code", "district"))
    staff_by_unit: dict[int, int] = {}
    if school_year is not None:
        rows = (
            Employment.objects.filter(
                employed_during(school_year.start_date, school_year.end_date),
                unit__path__startswith=root.path,
            )
            .values("unit_id")
            .annotate(n=Count("staff_id", distinct=True))
        )
    else:
        rows = (
            Staff.objects.filter(unit__path__startswith=root.path, is_active=True)
            .values("unit_id")
            .annotate(n=Count("id"))
        )
    staff_by_unit = {r["unit_id"]: r["n"] for r in rows}
    accounts = (
        User.objects.filter(unit__path__startswith=root.path, is_active=True)
        .values("unit_id")
        .annotate(n=Count("id"))
    )
    accounts_by_unit = {r["unit_id"]: r["n"] for r in accounts}

    children = {u.path: OverviewRow(u) for u in units if u.depth == root.depth + 1}
    own = OverviewRow(root, unit_count=1, staff_count=staff_by_unit.get(root.pk, 0),
                      account_count=accounts_by_unit.get(root.pk, 0))
    for u in units:
        if u.pk == root.pk:
            continue
        # The child of root on u's path: "/1/17/203/" under "/1/" -> "/1/17/".
        child_path = root.path + u.path[len(root.path):].split("/", 1)[0] + "/"
        row = children.get(child_path)
        if row is None:
            continue
        row.unit_count += 1
        row.staff_count += staff_by_unit.get(u.pk, 0)
        row.account_count += accounts_by_unit.get(u.pk, 0)
    ordered = sorted(
        children.values(),
        key=lambda r: (
            r.unit.kind != Unit.Kind.DISTRICT_OFFICE,
            vntext.text_sort_key(r.unit.district),
            vntext.text_sort_key(r.unit.short_name),
        ),
    )
    # The root's own staff and accounts (the Sở's or Phòng's offices) come first.
    return [own, *ordered]


def units_without_account(user: User) -> QuerySet[Unit]:
    """Active units in scope that no active account belongs to."""
    has_account = User.objects.filter(unit_id=OuterRef("pk"), is_active=True)
    return (
        units_visible_to(user)
        .filter(is_active=True)
        .exclude(Exists(has_account))
        .select_related("parent")
        .order_by("path")
    )


def accounts_visible_to(user: User) -> QuerySet[User]:
    if user.is_superuser and user.unit_id is None:
        return User.objects.all().select_related("unit")
    if user.unit_id is None:
        return User.objects.none()
    return User.objects.filter(unit__path__startswith=user.unit.path).select_related("unit")


def get_account_for_user_or_404(user: User, pk) -> User:
    account = accounts_visible_to(user).filter(pk=_as_id(pk)).first()
    if account is None:
        raise Http404("Không tìm thấy tài khoản.")
    return account


ROLES_FOR_KIND = {
    Unit.Kind.DEPARTMENT: [Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_ADMIN, Role.VIEWER, Role.SCHOOL_OFFICER],
    Unit.Kind.DISTRICT_OFFICE: [Role.DISTRICT_REVIEWER, Role.VIEWER, Role.SCHOOL_OFFICER],
    Unit.Kind.SCHOOL: [Role.SCHOOL_OFFICER, Role.SCHOOL_HEAD, Role.VIEWER],
    Unit.Kind.CENTER: [Role.SCHOOL_OFFICER, Role.SCHOOL_HEAD, Role.VIEWER],
}
