"""The rules' verdict for every registration of a unit (its staff, itself, its teams), with
reasons, and its quotas: the same functions as the dossier page (one source of numbers)."""

import csv
import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from awards.quotas import dossier_quotas
from awards.selectors import registrable_titles
from awards.verdicts import STATUS_LABELS, verdicts_for
from registrations.models import Registration, RegistrationDossier
from units import cli

MARKS = {"passed": "✓", "failed": "✗", "missing": "?"}
NO_RULE = {"criterion": "rule", "result": "missing", "message": "Chưa có quy tắc xét cho danh hiệu này.", "source": ""}


def _source(article: str, unconfirmed: bool) -> str:
    """The article as the pages print it: "(chưa xác nhận)" where the reference is unconfirmed."""
    return f"{article} (chưa xác nhận)" if unconfirmed and article else article


def _recorded_at(v) -> str:
    recorded = getattr(v, "recorded", None)
    return timezone.localtime(recorded.recorded_at).strftime("%d/%m/%Y %H:%M") if recorded else ""


class Command(BaseCommand):
    help = ("Kết luận điều kiện của từng đăng ký thi đua (cá nhân, tập thể) của một đơn vị trong năm học, "
            "kèm lý do và căn cứ, và các tỷ lệ tối đa.")

    def add_arguments(self, parser):
        cli.add_unit_year_arguments(parser)
        parser.add_argument("--format", choices=["text", "csv", "json"], default="text")

    def handle(self, *args, **options):
        unit, year = cli.unit_and_year(options)
        registrations = list(
            Registration.objects.filter(school_year=year, dossier__unit=unit)
            .select_related("staff", "title", "collective", "dossier__unit")
        )
        # People in name order, then the unit itself, then its teams by name.
        order = {Registration.Subject.STAFF: 0, Registration.Subject.UNIT: 1, Registration.Subject.COLLECTIVE: 2}
        registrations.sort(key=lambda r: (order[r.subject], r.staff.sort_key if r.staff_id else "",
                                          r.collective.name if r.collective_id else "", r.pk))
        verdicts = verdicts_for(registrations, year, unit=unit)
        dossier = RegistrationDossier.objects.filter(unit=unit, school_year=year).first()
        _, quotas = dossier_quotas(unit, year, registrations, list(registrable_titles(year)),
                                   accepted_at=dossier.judged_at if dossier else None)
        getattr(self, f"_{options['format']}")(unit, year, registrations, verdicts, quotas)

    def _json(self, unit, year, registrations, verdicts, quotas):
        out = {
            "unit": unit.code,
            "year": year.code,
            "quotas": [{"title": q.code, "registered": q.used, "cap": q.allowed, "basis_title": q.basis_code,
                        "basis_count": q.basis_count, "source": _source(q.source, q.unconfirmed)} for q in quotas],
            "verdicts": [],
        }
        for r in registrations:
            v = verdicts.get(r.pk)
            out["verdicts"].append({
                "subject": r.subject_name,
                "title": r.title.code,
                "verdict": v.status if v else "unknown",
                "reasons": [{"criterion": x.criterion, "result": x.status, "message": x.message,
                             "source": _source(x.article, x.unconfirmed)}
                            for x in v.verdict.reasons] if v else [NO_RULE],
            })
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))

    def _csv(self, unit, year, registrations, verdicts, quotas):
        out = csv.writer(self.stdout)
        out.writerow(["staff_id", "full_name", "title", "status", "criterion", "reason_status", "message", "article",
                      "unconfirmed", "recorded_at"])
        for r in registrations:
            v = verdicts.get(r.pk)
            if v is None:
                out.writerow([r.staff_id or "", r.subject_name, r.title.code, "", "", "", "", "", "", ""])
                continue
            recorded = _recorded_at(v)
            for reason in v.verdict.reasons:
                out.writerow([r.staff_id or "", r.subject_name, r.title.code, v.status, reason.criterion,
                              reason.status, reason.message, reason.article, "x" if reason.unconfirmed else "", recorded])

    def _text(self, unit, year, registrations, verdicts, quotas):
        self.stdout.write(f"{unit.name} ({unit.code}) · năm học {year.code}")
        for q in quotas:
            self.stdout.write(f"Tỷ lệ {q.name}: {q.label} · {q.message} ({_source(q.source, q.unconfirmed)})")
        for r in registrations:
            v = verdicts.get(r.pk)
            label = STATUS_LABELS[v.status] if v else "chưa có quy tắc"
            # The same marks as the dossier page: resting on unconfirmed facts, recorded at acceptance.
            if v and v.verdict.unconfirmed:
                label += " · chưa xác nhận"
            if v and _recorded_at(v):
                label += f" · đã ghi nhận {_recorded_at(v)}"
            self.stdout.write(f"{r.subject_name} — {r.title.label}: {label}")
            for reason in v.verdict.reasons if v else ():
                self.stdout.write(f"   {MARKS[reason.status]} {reason.message} ({_source(reason.article, reason.unconfirmed)})")
