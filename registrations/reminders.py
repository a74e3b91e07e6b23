"""Reminder e-mails to units that have not done their part (console backend by default)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mass_mail

from registrations.models import DossierEvent, RegistrationDossier
from units.models import User


@dataclass
class ReminderResult:
    units_reached: int = 0
    emails: int = 0
    units_without_email: list = field(default_factory=list)


def send_reminders(*, units, school_year, sender, reason: str) -> ReminderResult:
    result = ReminderResult()
    recipients: dict[int, list[str]] = {}
    for user in User.objects.filter(unit__in=units, is_active=True).exclude(email=""):
        recipients.setdefault(user.unit_id, []).append(user.email)
    messages = []
    for unit in units:
        emails = recipients.get(unit.pk)
        if not emails:
            result.units_without_email.append(unit)
            continue
        subject = f"[Thi đua - Khen thưởng] Nhắc nhở đăng ký thi đua năm học {school_year.code}"
        body = (
            f"Kính gửi {unit.name},\n\n"
            f"Theo dõi trên hệ thống, đơn vị thuộc danh sách: {reason.lower()} (năm học {school_year.code}).\n"
            "Đề nghị đơn vị kiểm tra và hoàn thành đăng ký thi đua trên hệ thống"
            + (f" (hạn đăng ký: {school_year.registration_deadline:%d/%m/%Y})" if school_year.registration_deadline else "")
            + ".\n\n"
            f"Người gửi: {sender} ({sender.unit.short_name if sender.unit else 'quản trị'}).\n"
        )
        messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, emails))
        result.units_reached += 1
        result.emails += len(emails)
    if messages:
        send_mass_mail(messages, fail_silently=False)
    # Kept on each dossier's timeline: who was reminded, when, about what (one write).
    reached = {u.pk for u in units if u.pk in recipients}
    DossierEvent.objects.bulk_create([
        DossierEvent(dossier=d, action=DossierEvent.Action.REMIND, from_status=d.status, to_status=d.status,
                     version=d.version, actor=sender, comment=f"Nhắc nhở: {reason}")
        for d in RegistrationDossier.objects.filter(unit_id__in=reached, school_year=school_year)
    ])
    return result
