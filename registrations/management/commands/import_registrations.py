"""The same import as the dossier page's upload, from the command line."""

from django.core.management.base import BaseCommand

from registrations.importing.plan import ImportError_, apply_import, plan_import
from units import cli


class Command(BaseCommand):
    help = "Nhập danh sách đăng ký thi đua từ tệp Excel vào hồ sơ của một đơn vị (tất cả hoặc không gì cả)."

    def add_arguments(self, parser):
        cli.add_unit_year_arguments(parser, year_example="2020-2021", file=True)
        parser.add_argument("--dry-run", action="store_true", help="Chỉ xem trước, không lưu")
        parser.add_argument("--confirm-new-staff", action="store_true",
                            help="Thêm mới những người chưa có trong danh sách cán bộ của đơn vị")

    def handle(self, *args, **options):
        unit, year = cli.unit_and_year(options)
        plan = plan_import(cli.read_file(options), unit=unit, school_year=year, user=None)
        cli.report_plan(self, plan)
        counts = plan.counts()
        self.stdout.write(
            f"{unit.short_name}, năm học {year.code}: {len(plan.people)} dòng cá nhân, {len(plan.collectives)} dòng tập thể; "
            f"thêm {counts['add']}, sửa {counts['change']}, bỏ {counts['remove']}; "
            f"{len(plan.new_people)} người chưa có trong danh sách cán bộ."
        )
        for change in plan.changes:
            where = f"dòng {change.row}: " if change.row else ""
            self.stdout.write(f"  {where}{change.kind} {change.subject}: {change.before or '—'} → {change.after or '—'}")
        if options["dry_run"]:
            self.stdout.write("Chạy thử: không lưu gì.")
            return
        try:
            n = apply_import(plan, user=None, create_new_staff=options["confirm_new_staff"])
        except ImportError_ as exc:
            raise cli.refused(self, exc) from exc
        self.stdout.write(f"Đã lưu {n} thay đổi." if n else "Không có thay đổi nào.")
