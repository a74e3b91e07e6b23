"""Writes to units, staff and accounts. Each is atomic and leaves history behind."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from units import vntext
from units.models import Collective, Employment, Role, Staff, Unit, UnitVersion, User


class UnitError(Exception):
    pass


def short_name_for(name: str) -> str:
    """The form used in reports: "Trường THPT Tân An" -> "THPT Tân An"."""
    name = vntext.normalize_text(name)
    for prefix, replacement in (
        ("Trường ", ""),
        ("Phòng Giáo dục và Đào tạo ", "Phòng GD&ĐT "),
        ("Sở Giáo dục và Đào tạo ", "Sở GD&ĐT "),
        ("Trung tâm ", "TT "),
    ):
        if name.startswith(prefix):
            return replacement + name[len(prefix):]
    return name


def _set_path(unit: Unit) -> None:
    parent_path = unit.parent.path if unit.parent_id else "/"
    unit.path = f"{parent_path}{unit.pk}/"
    unit.depth = parent_path.count("/") - 1


def _rewrite_subtree_paths(unit: Unit, old_path: str) -> None:
    """After a move, every descendant's path starts with the new prefix."""
    for child in Unit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk):
        child.path = unit.path + child.path[len(old_path):]
        child.depth = child.path.count("/") - 2
        child.save(update_fields=["path", "depth"])


@transaction.atomic
def unit_create(
    *,
    code: str,
    name: str,
    level: str,
    parent: Unit | None,
    kind: str | None = None,
    short_name: str = "",
    district: str = "",
    source: str = "",
    from_year: int = 0,
    user: User | None = None,
) -> Unit:
    unit = Unit(
        code=code.strip(),
        name=vntext.normalize_text(name),
        short_name=vntext.normalize_text(short_name) or short_name_for(name),
        level=level,
        kind=kind or Unit.kind_for_level(level),
        district=vntext.normalize_text(district),
        source=source,
        parent=parent,
    )
    unit.refresh_search_name()
    unit.path = "/"  # set below, once the id exists
    unit.full_clean(exclude=["path"])
    unit.save()
    _set_path(unit)
    unit.save(update_fields=["path", "depth"])
    UnitVersion.objects.create(
        unit=unit, from_year=from_year, name=unit.name, short_name=unit.short_name,
        parent=parent, is_active=True, reason="Thành lập" if from_year else "", created_by=user,
    )
    return unit


@transaction.atomic
def unit_change(
    unit: Unit,
    *,
    from_year: int,
    name: str | None = None,
    parent: Unit | None | bool = False,
    is_active: bool | None = None,
    merged_into: Unit | None = None,
    reason: str = "",
    user: User | None = None,
) -> UnitVersion:
    """Record that from school year `from_year` the unit has a new name, parent or status.

    Earlier versions are kept: reports about earlier years keep seeing the old state.
    `parent=False` means "parent unchanged" (None is a real value only for the root).
    """
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    base = (
        UnitVersion.objects.filter(unit=unit, from_year__lte=from_year).order_by("-from_year").first()
    )
    if base is None:
        raise UnitError(f"Đơn vị {unit.code} chưa tồn tại trong năm học {from_year}-{from_year + 1}.")
    new_parent = base.parent if parent is False else parent
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise UnitError("Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.")
    version, _ = UnitVersion.objects.update_or_create(
        unit=unit,
        from_year=from_year,
        defaults=dict(
            name=vntext.normalize_text(name) if name else base.name,
            short_name=short_name_for(name) if name else base.short_name,
            parent=new_parent,
            is_active=base.is_active if is_active is None else is_active,
            merged_into=merged_into,
            reason=reason,
            created_by=user,
        ),
    )
    latest_year = UnitVersion.objects.filter(unit=unit).aggregate(m=Max("from_year"))["m"]
    if from_year >= latest_year:
        # The newest version is the unit's current state.
        old_path = unit.path
        unit.name, unit.short_name = version.name, version.short_name
        unit.is_active = version.is_active
        unit.parent = version.parent
        unit.refresh_search_name()
        _set_path(unit)
        unit.save()
        if unit.path != old_path:
            _rewrite_subtree_paths(unit, old_path)
    return version


# --- staff ---------------------------------------------------------------------------------

def _team_for(unit: Unit, team: Collective | str | None) -> Collective | None:
    if team is None or team == "":
        return None
    if isinstance(team, Collective):
        if team.unit_id != unit.pk:
            raise ValidationError({"team": "Tổ chuyên môn không thuộc đơn vị này."})
        return team
    team, _ = Collective.objects.get_or_create(unit=unit, name=vntext.normalize_text(team))
    return team


@transaction.atomic
def staff_create(
    *,
    unit: Unit,
    full_name: str,
    date_of_birth: datetime.date,
    gender: str,
    position: str = "",
    team: Collective | str | None = None,
    start_date: datetime.date | None = None,
) -> Staff:
    staff = Staff(
        unit=unit, date_of_birth=date_of_birth, gender=gender,
        position=vntext.normalize_text(position), team=_team_for(unit, team),
    )
    staff.set_name(full_name)
    staff.full_clean()
    # A second click on "Lưu" (or the same person typed twice) must not make two people.
    if Staff.objects.filter(unit=unit, search_name=staff.search_name, date_of_birth=date_of_birth,
                            is_active=True).exists():
        raise ValidationError(
            f"Đơn vị đã có {staff.full_name}, sinh ngày {date_of_birth:%d/%m/%Y}; không thêm trùng."
        )
    staff.save()
    Employment.objects.create(
        staff=staff, unit=unit, position=staff.position,
        team_name=staff.team.name if staff.team else "",
        start_date=start_date or timezone.localdate(),
    )
    return staff


@dataclass
class NewStaff:
    full_name: str
    date_of_birth: datetime.date
    gender: str = ""
    position: str = ""
    team: Collective | str | None = None


@transaction.atomic
def staff_create_many(*, unit: Unit, people: list[NewStaff], start_date: datetime.date | None = None,
                      user: User | None = None) -> tuple[list[Staff], dict[int, str]]:
    """staff_create for a whole file: the same checks, a fixed number of queries.

    Returns the saved staff (in order) and, when any person is refused, nothing saved and the
    Vietnamese reason per index of `people`. History rows are written like single saves.
    """
    teams: dict[str, Collective | None] = {}
    built, errors = [], {}
    seen: dict[tuple[str, datetime.date], int] = {}
    for i, p in enumerate(people):
        key = p.team.name if isinstance(p.team, Collective) else vntext.normalize_text(p.team or "")
        if key not in teams:
            teams[key] = _team_for(unit, p.team)
        staff = Staff(unit=unit, date_of_birth=p.date_of_birth, gender=p.gender,
                      position=vntext.normalize_text(p.position), team=teams[key])
        staff.set_name(p.full_name)
        try:
            # unit and team were checked above; skipping them saves two queries per person
            staff.full_clean(exclude=["unit", "team"], validate_unique=False)
        except ValidationError as exc:
            errors[i] = "; ".join(exc.messages)
        pair = (staff.search_name, p.date_of_birth)
        if pair in seen:
            errors[i] = f"{staff.full_name}, sinh ngày {p.date_of_birth:%d/%m/%Y} có hai lần trong danh sách."
        seen[pair] = i
        built.append(staff)
    names = {s.search_name for s in built}
    for name, dob in Staff.objects.filter(unit=unit, is_active=True, search_name__in=names).values_list(
            "search_name", "date_of_birth"):
        if (name, dob) in seen:
            i = seen[(name, dob)]
            errors[i] = (f"Đơn vị đã có {built[i].full_name}, sinh ngày {dob:%d/%m/%Y}; không thêm trùng.")
    if errors:
        transaction.set_rollback(True)
        return [], errors
    # PostgreSQL and SQLite ≥ 3.35 return the new ids, so history rows are written in bulk too.
    saved = bulk_create_with_history(built, Staff, batch_size=2000, default_user=user)
    Employment.objects.bulk_create([
        Employment(staff=s, unit=unit, position=s.position, team_name=s.team.name if s.team else "",
                   start_date=start_date or timezone.localdate())
        for s in saved
    ], batch_size=2000)
    return saved, {}


@transaction.atomic
def staff_update(
    staff: Staff,
    *,
    full_name: str,
    date_of_birth: datetime.date,
    gender: str,
    position: str = "",
    team: Collective | str | None = None,
    loaded_at: str = "",
) -> Staff:
    """Change a staff record; `loaded_at` (the updated_at the form was opened with) guards
    against overwriting a change someone else saved meanwhile."""
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    if loaded_at and staff.updated_at.isoformat() != loaded_at:
        last = staff.history.select_related("history_user").order_by("-history_date").first()
        who = f" bởi {last.history_user}" if last and last.history_user else ""
        raise ValidationError(
            f"Thông tin này vừa được sửa{who} lúc {timezone.localtime(staff.updated_at):%d/%m/%Y %H:%M}; "
            "thay đổi của bạn chưa được lưu. Hãy mở lại trang để xem bản mới nhất."
        )
    staff.set_name(full_name)
    staff.date_of_birth = date_of_birth
    staff.gender = gender
    staff.position = vntext.normalize_text(position)
    staff.team = _team_for(staff.unit, team)
    staff.full_clean()
    staff.save()
    # The open employment period carries the current position and team.
    Employment.objects.filter(staff=staff, end_date__isnull=True).update(
        position=staff.position, team_name=staff.team.name if staff.team else "",
    )
    return staff


@transaction.atomic
def staff_transfer(
    staff: Staff,
    *,
    to_unit: Unit,
    on_date: datetime.date,
    position: str | None = None,
    note: str = "",
) -> Employment:
    """Close the current employment the day before `on_date` and open one at `to_unit`."""
    staff = Staff.objects.select_for_update().get(pk=staff.pk)
    current = Employment.objects.filter(staff=staff, end_date__isnull=True).first()
    if current is not None:
        if on_date <= current.start_date:
            raise ValidationError({"on_date": "Ngày chuyển công tác phải sau ngày bắt đầu ở đơn vị cũ."})
        current.end_date = on_date - datetime.timedelta(days=1)
        current.save(update_fields=["end_date"])
    staff.unit = to_unit
    staff.team = None
    if position is not None:
        staff.position = vntext.normalize_text(position)
    staff.save()
    return Employment.objects.create(
        staff=staff, unit=to_unit, position=staff.position, start_date=on_date, note=note,
    )


# --- accounts ------------------------------------------------------------------------------

def generate_password() -> str:
    """Readable one-time password: no 0/O/1/l confusion when read out over the phone."""
    alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class AccountError(Exception):
    pass


def _check_admin(actor: User, unit: Unit | None) -> None:
    if not actor.can_manage_accounts:
        raise AccountError("Bạn không có quyền quản lý tài khoản.")
    if unit is not None and not actor.is_superuser and not unit.path.startswith(actor.unit.path):
        raise AccountError("Đơn vị nằm ngoài phạm vi quản lý của bạn.")


@transaction.atomic
def account_create(
    *,
    actor: User,
    unit: Unit,
    username: str,
    full_name: str,
    role: str,
    email: str = "",
    password: str | None = None,
) -> tuple[User, str]:
    """Create an account for a unit; returns it and its initial password (to hand over once)."""
    _check_admin(actor, unit)
    if role not in Role.values:
        raise AccountError("Vai trò không hợp lệ.")
    username = username.strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"Tên đăng nhập “{username}” đã được dùng.")
    password = password or generate_password()
    user = User(
        username=username, full_name=vntext.normalize_text(full_name), unit=unit, role=role,
        email=email.strip(), must_change_password=True,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    return user, password


@transaction.atomic
def account_set_active(*, actor: User, account: User, active: bool) -> User:
    _check_admin(actor, account.unit)
    if account.pk == actor.pk and not active:
        raise AccountError("Không thể tự khóa tài khoản của chính mình.")
    account.is_active = active
    account.save(update_fields=["is_active"])
    return account


@transaction.atomic
def account_reset_password(*, actor: User, account: User) -> str:
    _check_admin(actor, account.unit)
    password = generate_password()
    account.set_password(password)
    account.must_change_password = True
    account.save(update_fields=["password", "must_change_password"])
    # The lockout page tells a locked-out user to call the administrator: this is that call.
    from axes.utils import reset

    reset(username=account.username)
    return password
