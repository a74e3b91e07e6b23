from django.core.management.base import BaseCommand

from awards.catalogue import load_catalogue


class Command(BaseCommand):
    help = (
        "Nạp danh mục danh hiệu thi đua, hình thức khen thưởng theo từng chế độ pháp lý. Chỉ tạo những mục "
        "còn thiếu: mục đã có (có thể đã được Sở sửa trong ứng dụng) được giữ nguyên, trừ khi có --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Ghi đè các mục đã có bằng nội dung trong tệp (mỗi lần ghi đè là một phiên bản mới).")

    def handle(self, *args, **options):
        r = load_catalogue(force=options["force"])
        self.stdout.write(
            f"Chế độ pháp lý: {r.regimes}; danh hiệu/hình thức: tạo mới {r.created}, "
            f"cập nhật {r.updated}, không đổi {r.unchanged}, giữ nguyên bản đã sửa {len(r.kept)}."
        )
        if r.kept:
            self.stdout.write("Khác với tệp nhưng giữ nguyên (dùng --force để ghi đè): " + ", ".join(r.kept))
        if r.school_years_pointed:
            self.stdout.write(f"Gán chế độ pháp lý cho {r.school_years_pointed} năm học.")
