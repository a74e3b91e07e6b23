"""The rules' verdict for every registration of a unit, with reasons (the same as the dossier page)."""

import csv

from django.core.management.base import BaseCommand, CommandError

from awards.verdicts import STATUS_LABELS, verdicts_for
from registrations.models import Registration, SchoolYear
from units.models import Unit


class Command(BaseCommand):
    help = "Kết luận điều kiện của từng đăng ký thi đua của một đơn vị trong năm học, kèm lý do và căn cứ."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="Năm học, ví dụ 2020-2021")
        parser.add_argument("--unit", required=True, help="Mã đơn vị")
        parser.add_argument("--format", choices=["text", "csv"], default="text")

    def handle(self, *args, **options):
        year = SchoolYear.objects.filter(code=options["year"]).first()
        if year is None:
            raise CommandError(f"Không có năm học “{options['year']}”.")
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị “{options['unit']}”.")
        registrations = list(
            Registration.objects.filter(school_year=year, dossier__unit=unit, subject=Registration.Subject.STAFF)
            .select_related("staff", "title").order_by("staff__sort_key")
        )
        verdicts = verdicts_for(registrations, year)
        if options["format"] == "csv":
            out = csv.writer(self.stdout)
            out.writerow(["staff_id", "full_name", "title", "status", "criterion", "reason_status", "message", "article"])
            for r in registrations:
                v = verdicts.get(r.pk)
                if v is None:
                    out.writerow([r.staff_id, r.staff.full_name, r.title.code, "", "", "", "", ""])
                    continue
                for reason in v.verdict.reasons:
                    out.writerow([r.staff_id, r.staff.full_name, r.title.code, v.status, reason.criterion,
                                  reason.status, reason.message, reason.article])
            return
        for r in registrations:
            v = verdicts.get(r.pk)
            label = STATUS_LABELS[v.status] if v else "chưa có quy tắc"
            self.stdout.write(f"{r.staff.full_name} — {r.title.label}: {label}")
            for reason in v.verdict.reasons if v else ():
                mark = {"passed": "✓", "failed": "✗", "missing": "?"}[reason.status]
                self.stdout.write(f"   {mark} {reason.message} ({reason.article})")
