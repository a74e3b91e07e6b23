"""Writes to dossiers: saving entries and moving along the workflow.

Every function is atomic, locks the dossier row, checks its guard, writes, and records a
DossierEvent (pretix's approve_order shape). A second click or a second tab finds the guard
already false and gets a clear message instead of a second transition.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from awards.models import Title
from awards.selectors import registrable_titles
from config.sql import id_list
from registrations.models import DossierEvent, Registration, RegistrationDossier, SchoolYear
from units.models import Collective, Role, Staff, Unit, User
from units.selectors import staff_list, staff_of_unit_in_year

Status = RegistrationDossier.Status
Action = DossierEvent.Action


class DossierError(Exception):
    """A refusal the user should read (Vietnamese)."""


class DossierValidationError(DossierError):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


class DossierConflict(DossierError):
    """Someone else saved since this form was loaded; nothing was written."""

    def __init__(self, events: list[DossierEvent], current_version: int):
        super().__init__("Hồ sơ vừa được người khác cập nhật; thay đổi của bạn chưa được lưu.")
        self.events = events
        self.current_version = current_version


# --- who may do what --------------------------------------------------------------------------

def needs_district_review(unit: Unit) -> bool:
    """Schools under a Phòng go through it; units directly under the Sở go straight there."""
    return unit.parent is not None and unit.parent.kind == Unit.Kind.DISTRICT_OFFICE


def can_edit(user: User, dossier_unit: Unit) -> bool:
    """The unit's own accounts (not read-only ones) fill in and submit its dossier."""
    return user.is_active and user.unit_id == dossier_unit.pk and user.role != Role.VIEWER


def _is_district_reviewer_of(user: User, unit: Unit) -> bool:
    return user.role == Role.DISTRICT_REVIEWER and unit.parent_id == user.unit_id


def _is_department_reviewer_of(user: User, unit: Unit) -> bool:
    if user.is_superuser:
        return True
    return (
        user.role == Role.DEPARTMENT_REVIEWER
        and user.unit is not None
        and user.unit.kind == Unit.Kind.DEPARTMENT
        and unit.path.startswith(user.unit.path)
    )


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    needs_comment: bool = False
    style: str = "primary"


TRANSITIONS = {
    Action.SUBMIT: Transition(Action.SUBMIT, "Nộp hồ sơ", (Status.DRAFT, Status.RETURNED), Status.SUBMITTED),
    Action.FORWARD: Transition(Action.FORWARD, "Chuyển lên Sở", (Status.SUBMITTED,), Status.FORWARDED),
    Action.ACCEPT: Transition(Action.ACCEPT, "Duyệt hồ sơ", (Status.SUBMITTED, Status.FORWARDED), Status.ACCEPTED, style="success"),
    Action.RETURN: Transition(
        Action.RETURN, "Trả lại", (Status.SUBMITTED, Status.FORWARDED), Status.RETURNED, needs_comment=True, style="danger",
    ),
}


def may(user: User, action: str, dossier: RegistrationDossier) -> bool:
    """The full rule for one action: status, role and place in the tree."""
    transition = TRANSITIONS[action]
    if dossier.status not in transition.sources:
        return False
    unit = dossier.unit
    district = needs_district_review(unit)
    if action == Action.SUBMIT:
        return can_edit(user, unit)
    if action == Action.FORWARD:
        return district and _is_district_reviewer_of(user, unit)
    if action == Action.ACCEPT:
        at_department = dossier.status == Status.FORWARDED or not district
        return at_department and _is_department_reviewer_of(user, unit)
    if action == Action.RETURN:
        if dossier.status == Status.SUBMITTED and district:
            return _is_district_reviewer_of(user, unit)
        return _is_department_reviewer_of(user, unit)
    return False


def available_transitions(user: User, dossier: RegistrationDossier | None) -> list[Transition]:
    if dossier is None:
        return []
    return [t for action, t in TRANSITIONS.items() if may(user, action, dossier)]


# --- the dossier itself -----------------------------------------------------------------------

def dossier_get_or_create(*, unit: Unit, school_year: SchoolYear, user: User | None) -> RegistrationDossier:
    dossier, created = RegistrationDossier.objects.get_or_create(unit=unit, school_year=school_year)
    if created:
        DossierEvent.objects.create(dossier=dossier, action=Action.CREATE, to_status=dossier.status,
                                    version=dossier.version, actor=user)
    return dossier


def _locked(dossier: RegistrationDossier) -> RegistrationDossier:
    # OF self: PostgreSQL refuses to lock the nullable side of the parent join.
    return RegistrationDossier.objects.select_for_update(of=("self",)).select_related("unit__parent", "school_year").get(
        pk=dossier.pk
    )


class DossierBlocked(DossierError):
    """The Sở cannot accept: the rules found registrations ineligible or a quota exceeded.

    A department reviewer may still accept with a reason (an override that every later view shows).
    """

    def __init__(self, ineligible: list, quotas: list):
        parts = ([f"{len(ineligible)} đăng ký chưa đủ điều kiện"] if ineligible else []) + (
            [f"{len(quotas)} chỉ tiêu vượt tỷ lệ"] if quotas else [])
        super().__init__(f"Có {' và '.join(parts)}: cần ghi rõ lý do nếu vẫn duyệt.")
        self.ineligible, self.quotas = ineligible, quotas


class DossierForbidden(DossierError):
    """The user's role or place in the tree does not allow the action (a 403 on the web)."""


def _check_year_open(school_year: SchoolYear) -> None:
    if school_year.status == SchoolYear.Status.CLOSED:
        raise DossierError(f"Năm học {school_year.code} đã kết thúc: không thể sửa hay nộp hồ sơ đăng ký.")


@dataclass
class AcceptanceReview:
    """What the rules say about a dossier the Sở is about to accept."""

    ineligible: list  # RegistrationVerdicts found ineligible and not yet overridden
    quotas: list  # exceeded QuotaResults
    unknown: int  # verdicts that lack data (not blocking)
    verdicts: dict = field(default_factory=dict)  # every RegistrationVerdict, recorded on acceptance


def acceptance_review(dossier: RegistrationDossier) -> AcceptanceReview:
    """Verdicts and quotas from the same functions as the dossier page (its summary counts)."""
    from awards.quotas import dossier_quotas
    from awards.verdicts import verdicts_for

    # The unit and teams too (subject names of collective registrations in messages).
    registrations = list(dossier.registrations.select_related("title", "staff", "collective", "dossier__unit",
                                                              "recorded_verdict"))
    verdicts = verdicts_for(registrations, dossier.school_year, unit=dossier.unit)
    _, quotas = dossier_quotas(dossier.unit, dossier.school_year, registrations,
                               list(registrable_titles(dossier.school_year)))
    return AcceptanceReview(
        ineligible=[v for v in verdicts.values() if v.status == "ineligible" and not v.overrides],
        quotas=[q for q in quotas if q.exceeded],
        unknown=sum(1 for v in verdicts.values() if v.status == "unknown"),
        verdicts=verdicts,
    )


def override_rows(dossier, ineligible, quotas, *, user, reason: str, now) -> tuple[list, DossierEvent]:
    """The overrides and the "Ghi đè" event an acceptance with a reason leaves (unsaved; the demo
    seed writes the same rows in bulk)."""
    from awards.models import RegistrationOverride

    overrides = [
        RegistrationOverride(
            registration=v.registration, user=user, reason=reason,
            verdict={"status": v.verdict.status,
                     "reasons": [{"criterion": r.criterion, "status": r.status, "message": r.message,
                                  "article": r.article} for r in v.verdict.reasons]},
        )
        for v in ineligible
    ]
    lines = [f"{v.registration.subject_name}: {v.registration.title.label}" for v in ineligible]
    lines += [q.message for q in quotas]
    event = DossierEvent(
        dossier=dossier, action=Action.OVERRIDE, from_status=dossier.status, to_status=dossier.status,
        version=dossier.version, actor=user, at=now, comment=reason, changes=[{"subject": line} for line in lines],
    )
    return overrides, event


def _record_overrides(dossier, ineligible, quotas, *, user, reason: str, now) -> None:
    from awards.models import RegistrationOverride

    overrides, event = override_rows(dossier, ineligible, quotas, user=user, reason=reason, now=now)
    RegistrationOverride.objects.bulk_create(overrides)
    event.save()


@transaction.atomic
def dossier_transition(
    dossier: RegistrationDossier, *, action: str, user: User, comment: str = "", now: datetime.datetime | None = None,
    expected_version: int | None = None, override_reason: str = "",
) -> RegistrationDossier:
    """Move a dossier along the workflow. `expected_version` is the version the user's
    confirmation page showed: a dossier that changed since is not decided blind."""
    now = now or timezone.now()
    dossier = _locked(dossier)
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DossierError("Thao tác không hợp lệ.")
    if dossier.status not in transition.sources:
        raise DossierError(
            f"Không thể “{transition.label.lower()}”: hồ sơ đang ở trạng thái “{dossier.get_status_display()}”."
        )
    if not may(user, action, dossier):
        raise DossierForbidden(f"Bạn không có quyền “{transition.label.lower()}” hồ sơ này.")
    if expected_version is not None and dossier.version != expected_version:
        raise DossierError("Hồ sơ đã thay đổi kể từ khi bạn mở trang xác nhận; hãy xem lại rồi thực hiện lại.")
    if action == Action.ACCEPT:
        review = acceptance_review(dossier)
        if review.ineligible or review.quotas:
            if not override_reason.strip():
                raise DossierBlocked(review.ineligible, review.quotas)
            _record_overrides(dossier, review.ineligible, review.quotas, user=user, reason=override_reason.strip(),
                              now=now)
        # The verdicts the Sở accepted on: later catalogue edits never change them.
        from awards.services import verdicts_record

        verdicts_record(verdicts=list(review.verdicts.values()), school_year=dossier.school_year, user=user)
    if action == Action.SUBMIT:
        _check_year_open(dossier.school_year)
        if not dossier.registrations.exists():
            raise DossierError("Hồ sơ chưa có đăng ký nào: hãy đăng ký cho cá nhân hoặc tập thể trước khi nộp.")
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise DossierError("Vui lòng nhập lý do trả lại hồ sơ.")
    source = dossier.status
    dossier.status = transition.target
    fields = ["status", "version", "updated_at"]
    if action == Action.SUBMIT:
        first = not dossier.events.filter(action=Action.SUBMIT).exists()
        if first:
            deadline = dossier.school_year.registration_deadline
            dossier.is_late = bool(deadline and timezone.localtime(now).date() > deadline)
            fields.append("is_late")
        dossier.submitted_at = now
        fields.append("submitted_at")
    elif action == Action.FORWARD:
        dossier.forwarded_at = now
        fields.append("forwarded_at")
    elif action == Action.ACCEPT:
        dossier.accepted_at = now
        fields.append("accepted_at")
    elif action == Action.RETURN:
        # The next round starts afresh; the timeline keeps the earlier forwarding.
        dossier.returned_at, dossier.return_reason, dossier.forwarded_at = now, comment, None
        fields += ["returned_at", "return_reason", "forwarded_at"]
    dossier.version = F("version") + 1
    dossier.save(update_fields=fields)
    dossier.refresh_from_db(fields=["version"])
    DossierEvent.objects.create(
        dossier=dossier, action=action, from_status=source, to_status=dossier.status,
        version=dossier.version, actor=user, at=now, comment=comment,
    )
    return dossier


# --- entries ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One row of the entry page: a subject and the title wanted ('' = not registered)."""

    subject: str
    subject_id: int | None
    title_code: str
    note: str = ""
    row_label: str = ""


@dataclass
class SaveResult:
    dossier: RegistrationDossier
    changes: list[dict] = field(default_factory=list)


def _key(subject: str, subject_id: int | None) -> tuple[str, int | None]:
    return (subject, subject_id if subject != Registration.Subject.UNIT else None)


@transaction.atomic
def dossier_save(
    *, unit: Unit, school_year: SchoolYear, user: User | None, base_version: int | None, entries: list[Entry],
    system: bool = False,
) -> SaveResult:
    """Apply the entry page (or an import) to the dossier, all or nothing.

    `base_version` is the version the user's page was loaded with; if someone saved since,
    nothing is written and DossierConflict lists what they changed.
    """
    # `system`: the import_registrations command, run by an operator on the server.
    if not system and not can_edit(user, unit):
        raise DossierForbidden("Bạn không có quyền sửa hồ sơ đăng ký của đơn vị này.")
    _check_year_open(school_year)
    dossier = dossier_get_or_create(unit=unit, school_year=school_year, user=user)
    dossier = _locked(dossier)
    if base_version is not None and dossier.version != base_version:
        events = list(dossier.events.filter(version__gt=base_version).select_related("actor").order_by("at", "id"))
        raise DossierConflict(events, dossier.version)
    if not dossier.is_editable:
        raise DossierError(
            f"Hồ sơ đang ở trạng thái “{dossier.get_status_display()}”: không thể sửa. "
            "Chỉ sửa được khi đang soạn hoặc bị trả lại."
        )

    titles = {t.code: t for t in registrable_titles(school_year)}
    people = (
        staff_list(user, unit=unit, subtree=False, school_year=school_year)
        if not system
        else staff_of_unit_in_year(unit, school_year)
    )
    staff = {s.pk: s for s in people.filter(
        pk__in=[e.subject_id for e in entries if e.subject == Registration.Subject.STAFF])}
    collectives = {c.pk: c for c in Collective.objects.filter(unit=unit)}
    errors: list[str] = []
    wanted: dict[tuple, tuple[Title | None, str, Entry]] = {}
    for entry in entries:
        where = entry.row_label or "Dòng"
        code = (entry.title_code or "").strip()
        title = titles.get(code) if code else None
        if code and title is None:
            errors.append(f"{where}, cột Danh hiệu: “{code}” không có trong danh mục được đăng ký năm học {school_year.code}.")
            continue
        if entry.subject == Registration.Subject.STAFF:
            if entry.subject_id not in staff:
                errors.append(f"{where}, cột Họ và tên: người này không thuộc đơn vị trong năm học {school_year.code}.")
                continue
            if title and title.kind != Title.Kind.INDIVIDUAL:
                errors.append(f"{where}, cột Danh hiệu: “{title.name}” là danh hiệu tập thể, không đăng ký cho cá nhân.")
        else:
            if entry.subject == Registration.Subject.COLLECTIVE and entry.subject_id not in collectives:
                errors.append(f"{where}, cột Tập thể: tổ này không thuộc đơn vị.")
                continue
            if title and title.kind != Title.Kind.COLLECTIVE:
                errors.append(f"{where}, cột Danh hiệu: “{title.name}” là danh hiệu cá nhân, không đăng ký cho tập thể.")
        key = _key(entry.subject, entry.subject_id)
        if key in wanted:
            errors.append(f"{where}: đối tượng này xuất hiện hai lần.")
        wanted[key] = (title, (entry.note or "").strip()[:500], entry)
    if errors:
        raise DossierValidationError(errors)

    existing = {
        _key(r.subject, r.staff_id or r.collective_id): r
        for r in dossier.registrations.select_related("title", "staff", "collective")
    }
    changes: list[dict] = []

    def name_of(key, entry):
        subject, subject_id = key
        if subject == Registration.Subject.STAFF:
            return staff[subject_id].full_name
        if subject == Registration.Subject.COLLECTIVE:
            return collectives[subject_id].name
        return unit.short_name

    # Someone registered by another unit this year (a transfer): named by row, before any write.
    new_staff = [k[1] for k in wanted if k[0] == Registration.Subject.STAFF and k not in existing
                 and wanted[k][0] is not None]
    elsewhere = set(
        Registration.objects.filter(school_year=school_year, staff_id__in=id_list(new_staff))
        .exclude(dossier=dossier).values_list("staff_id", flat=True)
    ) if new_staff else set()
    clashes = [f"{wanted[(Registration.Subject.STAFF, sid)][2].row_label or staff[sid].full_name}: "
               f"đã được đăng ký ở đơn vị khác trong năm học {school_year.code}." for sid in new_staff if sid in elsewhere]
    if clashes:
        raise DossierValidationError(clashes)

    # Thousands of rows from a file: created and updated in bulk, with their history rows.
    to_create, to_update = [], []
    for key, (title, note, entry) in wanted.items():
        current = existing.get(key)
        label = name_of(key, entry)
        if current is None and title is None:
            continue
        if current is not None and title is None:
            changes.append({"subject": label, "from": current.title.label, "to": ""})
            current.delete()
            continue
        if current is None:
            subject, subject_id = key
            to_create.append(Registration(
                dossier=dossier, school_year=school_year, subject=subject,
                staff_id=subject_id if subject == Registration.Subject.STAFF else None,
                collective_id=subject_id if subject == Registration.Subject.COLLECTIVE else None,
                title=title, note=note, created_by=user,
            ))
            changes.append({"subject": label, "from": "", "to": title.label})
            continue
        if current.title_id != title.pk or current.note != note:
            if current.title_id != title.pk:
                changes.append({"subject": label, "from": current.title.label, "to": title.label})
            else:
                changes.append({"subject": label, "note": note})
            current.title, current.note = title, note
            to_update.append(current)
    if to_create:
        try:
            with transaction.atomic():
                bulk_create_with_history(to_create, Registration, batch_size=2000, default_user=user)
        except IntegrityError as exc:  # registered elsewhere between the check above and now
            raise DossierValidationError(
                [f"Có người vừa được đăng ký ở đơn vị khác trong năm học {school_year.code}; hãy tải lại và lưu lại."]
            ) from exc
    if to_update:
        now = timezone.now()
        for r in to_update:
            r.updated_at = now
        bulk_update_with_history(to_update, Registration, ["title", "note", "updated_at"], batch_size=2000,
                                 default_user=user)

    if changes:
        dossier.version = F("version") + 1
        dossier.save(update_fields=["version", "updated_at"])
        dossier.refresh_from_db(fields=["version"])
        DossierEvent.objects.create(
            dossier=dossier, action=Action.SAVE, from_status=dossier.status, to_status=dossier.status,
            version=dossier.version, actor=user, changes=changes,
        )
    return SaveResult(dossier=dossier, changes=changes)


def staff_entry(staff: Staff, title_code: str, note: str = "", row_label: str = "") -> Entry:
    return Entry(Registration.Subject.STAFF, staff.pk, title_code, note, row_label or staff.full_name)
