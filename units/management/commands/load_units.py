from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from registrations.selectors import school_year_start_for_date
from units.loading import UnitCsvError, load_units_file


class Command(BaseCommand):
    help = "Tạo hoặc cập nhật cây đơn vị từ tệp CSV (code,name,level,parent_code,district,source)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="Đường dẫn tệp CSV")
        parser.add_argument("--dry-run", action="store_true", help="Kiểm tra và đếm, không lưu gì")
        parser.add_argument(
            "--from-year", type=int, default=None,
            help="Năm bắt đầu của năm học mà thay đổi tên/đơn vị quản lý có hiệu lực (mặc định: năm học hiện tại)",
        )

    def handle(self, *args, **options):
        from_year = options["from_year"] or school_year_start_for_date(timezone.localdate())
        try:
            result = load_units_file(options["path"], dry_run=options["dry_run"], from_year=from_year)
        except UnitCsvError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"Có {len(exc.errors)} lỗi; không lưu gì.") from exc
        prefix = "[Chạy thử, không lưu] " if result.dry_run else ""
        self.stdout.write(
            f"{prefix}Tạo mới: {len(result.created)}, cập nhật: {len(result.updated)}, "
            f"không đổi: {len(result.unchanged)}."
        )
        if not result.changed:
            self.stdout.write("Không có thay đổi nào.")
