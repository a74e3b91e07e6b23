"""Synthetic data at a chosen scale for benchmarks: `generate_data --scale 1` is one province."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from bench.generate import generate


class Command(BaseCommand):
    help = "Sinh dữ liệu tổng hợp (không có người thật) theo quy mô: --scale 1 = một tỉnh (~650 đơn vị, ~25.000 người)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)

    def handle(self, *args, scale, **options):
        call_command("load_catalogue", verbosity=0)
        result = generate(scale, log=self.stdout.write)
        rows = ", ".join(f"{name} {n:,}" for name, n in result.rows.items() if n)
        self.stdout.write(f"Quy mô {scale:g}: thêm {len(result.copies)} bản sao ({rows}) trong {result.seconds:.1f} s.")
