"""The same import as the dossier page's upload, from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from registrations.importing.plan import ImportError_, apply_import, plan_import
from registrations.models import SchoolYear
from units.models import Unit


class Command(BaseCommand):
    help = "Nhập danh sách đăng ký thi đua từ tệp Excel vào hồ sơ của một đơn vị (tất cả hoặc không gì cả)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--unit", required=True, help="Mã đơn vị, ví dụ THCS-TANAN-PHUONG5")
        parser.add_argument("--year", required=True, help="Năm học, ví dụ 2020-2021")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ xem trước, không lưu")
        parser.add_argument("--confirm-new-staff", action="store_true",
                            help="Thêm mới những người chưa có trong danh sách cán bộ của đơn vị")

    def handle(self, *args, **options):
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã “{options['unit']}”.")
        year = SchoolYear.objects.filter(code=options["year"]).first()
        if year is None:
            raise CommandError(f"Không có năm học “{options['year']}”.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp “{path}”.")
        plan = plan_import(path.read_bytes(), unit=unit, school_year=year, user=None)
        for note in plan.notes:
            self.stdout.write(f"Ghi chú: {note}")
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(f"Lỗi: {error}")
            raise CommandError(f"Có {len(plan.errors)} lỗi; không lưu gì.")
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
            for problem in exc.problems:
                self.stderr.write(f"Lỗi: {problem}")
            raise CommandError("Không lưu gì.") from exc
        self.stdout.write(f"Đã lưu {n} thay đổi." if n else "Không có thay đổi nào.")
