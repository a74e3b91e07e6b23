from django.core.management.base import BaseCommand

from awards.catalogue import load_catalogue


class Command(BaseCommand):
    help = "Nạp danh mục danh hiệu thi đua, hình thức khen thưởng theo từng chế độ pháp lý."

    def handle(self, *args, **options):
        r = load_catalogue()
        self.stdout.write(
            f"Chế độ pháp lý: {r.regimes}; danh hiệu/hình thức: tạo mới {r.created}, "
            f"cập nhật {r.updated}, không đổi {r.unchanged}."
        )
