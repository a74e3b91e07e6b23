"""Writes to the catalogue (the Sở administrator's edits).

The catalogue is law as it was applied: every edit bumps the title's revision and leaves a
history row (who, when, the earlier values); verdicts recorded when the Sở accepted a
dossier keep the revision they were computed under.
"""

from __future__ import annotations

import copy
import re

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from awards.models import Regime, Title
from awards.rules import engine
from units.models import Role

REGIME_CODE = re.compile(r"^[0-9A-Za-z_-]{1,16}$")
TITLE_COLUMNS = ("name", "short_name", "registrable", "ladder_rank", "confirmed", "notes", "source", "criteria")


class CatalogueError(Exception):
    """A refusal the administrator should read; `errors` maps a form field to its message."""

    def __init__(self, errors: dict[str, str] | str):
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


class CatalogueForbidden(CatalogueError):
    """Only the Sở's administrator edits the catalogue (a 403 on the web)."""


def can_edit_catalogue(user) -> bool:
    return bool(user and user.is_active and (user.is_superuser or user.role == Role.DEPARTMENT_ADMIN))


def can_read_catalogue(user) -> bool:
    return bool(user and user.is_active and (
        user.is_superuser or user.role in (Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_REVIEWER, Role.VIEWER)))


def _require_editor(user) -> None:
    if not can_edit_catalogue(user):
        raise CatalogueForbidden("Chỉ quản trị viên của Sở được sửa danh mục danh hiệu.")


def validate_entry(entry: dict) -> engine.TitleRule:
    """The engine must accept the entry and evaluate it on an empty history, or nothing is saved."""
    try:
        rule = engine.load_rules({"entries": [entry]})[(str(entry["regime"]), str(entry["code"]))]
        if rule.kind == "individual":
            engine.evaluate_individual(rule, engine.PersonHistory(), 2024, rules={(rule.regime, rule.code): rule})
        else:
            # One member with facts, so that every member rule is actually computed.
            member = engine.MemberFacts(rating="HTTNV", titles=frozenset({"LDTT"}))
            engine.evaluate_collective(rule, [member], 2024, tasks_completed=True)
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as exc:
        raise CatalogueError({"advanced": f"Tiêu chuẩn không hợp lệ, bộ máy xét điều kiện không đọc được: {exc}"}) from exc
    return rule


@transaction.atomic
def title_update(*, title: Title, user, expected_revision: int, values: dict) -> Title:
    """Apply an edit of a title (columns and criteria); refused if someone saved in between."""
    from awards.catalogue import title_entry

    _require_editor(user)
    title = Title.objects.select_for_update(of=("self",)).select_related("regime").get(pk=title.pk)
    if title.revision != expected_revision:
        raise CatalogueError(
            f"Danh hiệu “{title.name}” vừa được sửa (phiên bản {title.revision}); hãy tải lại trang rồi sửa lại.")
    changed = {k: v for k, v in values.items() if k in TITLE_COLUMNS and getattr(title, k) != v}
    if not changed:
        return title
    for k, v in changed.items():
        setattr(title, k, v)
    validate_entry(title_entry(title, title.regime.code))
    title.revision += 1
    title._history_user = user
    title.save()
    return title


@transaction.atomic
def regime_update(*, regime: Regime, user, name: str, texts: list[str]) -> Regime:
    _require_editor(user)
    regime = Regime.objects.select_for_update().get(pk=regime.pk)
    name = (name or "").strip()
    if not name:
        raise CatalogueError({"name": "Tên chế độ pháp lý không được để trống."})
    texts = [t.strip() for t in texts if t.strip()]
    if (regime.name, regime.texts) != (name, texts):
        regime.name, regime.texts = name, texts
        regime._history_user = user
        regime.save()
    return regime


@transaction.atomic
def school_year_set_regime(*, school_year, regime: Regime, user) -> int:
    """Point a school year at a regime; its registrations follow to the same codes there.

    Refused if a title registered that year has no counterpart in the regime. Returns how
    many registrations moved. Verdicts recorded at acceptance stay as they were.
    """
    from registrations.models import Registration, SchoolYear

    _require_editor(user)
    from registrations.models import RegistrationDossier

    school_year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
    if school_year.regime_id == regime.pk:
        return 0
    # A year already judged stays under the law it was judged by: its accepted dossiers' caps and
    # the verdicts of the rest would change with no trace (the quota page refuses closed years too).
    if school_year.status == SchoolYear.Status.CLOSED:
        raise CatalogueError({"regime": f"Năm học {school_year.code} đã kết thúc: không thể đổi chế độ pháp lý."})
    accepted = RegistrationDossier.objects.filter(school_year=school_year,
                                                  status=RegistrationDossier.Status.ACCEPTED).count()
    if accepted:
        raise CatalogueError({"regime": (
            f"Năm học {school_year.code} đã có {accepted} hồ sơ được Sở duyệt theo chế độ hiện hành: "
            "không thể đổi chế độ pháp lý.")})
    regs = Registration.objects.filter(school_year=school_year)
    used = set(regs.values_list("title__code", flat=True))
    targets = {t.code: t for t in Title.objects.filter(regime=regime, code__in=used)}
    missing = sorted(used - set(targets))
    if missing:
        raise CatalogueError({"regime": (
            f"Năm học {school_year.code} có đăng ký danh hiệu {', '.join(missing)} không có trong "
            f"chế độ “{regime.name}”: thêm danh hiệu đó vào chế độ trước, hoặc chọn chế độ khác.")})
    # Saved with their history rows: who moved every registration, and from which title.
    changed = []
    for r in regs.select_related("title"):
        target = targets[r.title.code]
        if r.title_id != target.pk:
            r.title = target
            changed.append(r)
    if changed:
        bulk_update_with_history(changed, Registration, ["title"], batch_size=2000, default_user=user)
    moved = len(changed)
    school_year.regime = regime
    school_year.save(update_fields=["regime"])
    return moved


@transaction.atomic
def regime_create_from(*, source: Regime, code: str, name: str, texts: list[str], first_year: int, user) -> Regime:
    """A new regime governing school years from `first_year`, with a copy of `source`'s titles.

    The regime in force at `first_year` is closed at the year before; existing school years
    from `first_year` on that pointed at it now point at the new one (their registrations
    follow). The copies start at revision 1 and keep the citations the reasons showed.
    """
    from registrations.models import SchoolYear

    _require_editor(user)
    errors = {}
    code = (code or "").strip()
    name = (name or "").strip()
    if not REGIME_CODE.match(code):
        errors["code"] = "Mã chế độ gồm chữ, số, “-” hoặc “_”, tối đa 16 ký tự (ví dụ 2025)."
    elif Regime.objects.filter(code__iexact=code).exists():
        errors["code"] = f"Đã có chế độ pháp lý mã “{code}”."
    if not name:
        errors["name"] = "Tên chế độ pháp lý không được để trống."
    if not isinstance(first_year, int) or not 2000 <= first_year <= 2100:
        errors["first_year"] = "Năm học bắt đầu áp dụng không hợp lệ (ví dụ 2025 cho năm học 2025-2026)."
    previous = None
    if "first_year" not in errors:
        previous = next((r for r in Regime.objects.select_for_update().order_by("code") if r.governs(first_year)), None)
        if previous is not None and previous.first_year is not None and previous.first_year >= first_year:
            errors["first_year"] = (
                f"Chế độ “{previous.name}” áp dụng từ năm học {previous.first_year}-{previous.first_year + 1}: "
                f"chế độ mới phải bắt đầu từ năm học sau đó.")
    if errors:
        raise CatalogueError(errors)
    last_year = previous.last_year if previous else None
    if previous is not None:
        previous.last_year = first_year - 1
        previous._history_user = user
        previous._change_reason = f"đóng lại khi thêm chế độ {code}"
        previous.save()
    regime = Regime(code=code, name=name, texts=[t.strip() for t in texts if t.strip()], first_year=first_year,
                    last_year=last_year)
    regime._history_user = user
    regime.save()
    for t in source.titles.order_by("pk"):
        criteria = copy.deepcopy(t.criteria or {})
        criteria["regime"] = code
        # The engine's built-in citations and UNCONFIRMED flags are keyed by regime code: the
        # copy keeps the copied regime's until the administrator changes them.
        criteria["based_on"] = criteria.get("based_on") or source.code
        new = Title(regime=regime, code=t.code, name=t.name, short_name=t.short_name, kind=t.kind,
                    category=t.category, ladder_rank=t.ladder_rank, registrable=t.registrable, source=t.source,
                    confirmed=t.confirmed, notes=t.notes, criteria=criteria, revision=1)
        new._history_user = user
        new._change_reason = f"sao chép từ chế độ {source.code}"
        new.save()
    for year in SchoolYear.objects.order_by("start_date"):
        if regime.governs(year.start_year) and year.regime_id in (None, getattr(previous, "pk", None)):
            school_year_set_regime(school_year=year, regime=regime, user=user)
    return regime


# --- school years: the Sở opens the next one and moves each through its statuses -------------

def _next_date(day):
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29/02
        return day.replace(year=day.year + 1, day=28)


@transaction.atomic
def school_year_open_next(*, user):
    """Create the school year after the latest one, with the same calendar a year later
    (status "Chuẩn bị"); its regime comes from the regimes' years (SchoolYear.save)."""
    from registrations.models import SchoolYear

    _require_editor(user)
    latest = SchoolYear.objects.select_for_update().order_by("-start_date").first()
    if latest is None:
        raise CatalogueError({"school_year": "Chưa có năm học nào để dựa vào; hãy tạo năm học đầu tiên trong trang quản trị."})
    start = latest.start_year + 1
    year = SchoolYear(
        code=f"{start}-{start + 1}", start_date=_next_date(latest.start_date), end_date=_next_date(latest.end_date),
        registration_deadline=_next_date(latest.registration_deadline) if latest.registration_deadline else None,
        status=SchoolYear.Status.PREPARING,
    )
    year.full_clean()
    year.save()
    return year


# The order a school year goes through; one step back is allowed (a mistaken click), not more.
YEAR_STATUS_ORDER = ["preparing", "registration_open", "evaluation", "closed"]


@transaction.atomic
def school_year_set_status(*, school_year, status: str, user):
    from registrations.models import SchoolYear

    _require_editor(user)
    school_year = SchoolYear.objects.select_for_update().get(pk=school_year.pk)
    if status not in YEAR_STATUS_ORDER:
        raise CatalogueError({"status": "Trạng thái năm học không hợp lệ."})
    if school_year.status == SchoolYear.Status.CLOSED and status != school_year.status:
        # Its dossiers, quotas and regime were settled on closing; a closed year is read-only.
        raise CatalogueError({"status": f"Năm học {school_year.code} đã kết thúc: không mở lại được."})
    step = YEAR_STATUS_ORDER.index(status) - YEAR_STATUS_ORDER.index(school_year.status)
    if abs(step) > 1:
        raise CatalogueError({"status": (
            f"Năm học {school_year.code} đang “{school_year.get_status_display()}”: chỉ chuyển sang trạng thái "
            "liền trước hoặc liền sau.")})
    school_year.status = status
    school_year.save(update_fields=["status"])
    return school_year
