"""The same exports as the report pages, from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registrations.models import SchoolYear
from reports.exporters import REGISTRY, ExportError
from units.models import Unit


class Command(BaseCommand):
    help = "Xuất báo cáo (summary, registrations, completeness) ra xlsx, pdf hoặc csv."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(REGISTRY))
        parser.add_argument("--year", required=True, help="Năm học, ví dụ 2020-2021")
        parser.add_argument("--scope", default="", help="Mã đơn vị phạm vi (mặc định: đơn vị gốc, Sở)")
        parser.add_argument("--format", choices=["xlsx", "pdf", "csv"], default="xlsx")
        parser.add_argument("--measure", choices=["registered", "accepted"], default="registered",
                            help="summary: số đăng ký (registered) hay số Sở đã duyệt (accepted)")
        parser.add_argument("-o", "--output", required=True, help="Tệp kết quả")

    def handle(self, *args, **options):
        year = SchoolYear.objects.filter(code=options["year"]).first()
        if year is None:
            raise CommandError(f"Không có năm học “{options['year']}”.")
        scope = (Unit.objects.filter(code=options["scope"]).first() if options["scope"]
                 else Unit.objects.filter(parent__isnull=True).first())
        if scope is None:
            raise CommandError(f"Không có đơn vị “{options['scope']}”.")
        try:
            exporter = REGISTRY[options["kind"]](scope=scope, school_year=year, measure=options["measure"])
            _, _, content = exporter.render(options["format"])
        except ExportError as exc:
            raise CommandError(str(exc)) from exc
        Path(options["output"]).write_bytes(content)
        self.stdout.write(f"Đã ghi {options['output']} ({len(content):,} byte).".replace(",", "."))
