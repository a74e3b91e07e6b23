"""The same history import as the "Lịch sử thi đua" page's upload, from the command line."""

from django.core.management.base import BaseCommand

from awards.history_import import HistoryImportError, apply_history, plan_history
from units import cli

KINDS = {"add": "thêm", "change": "sửa", "same": "không đổi"}
COLLECTIVE_KINDS = {**KINDS, "remove": "xóa kết quả của"}


class Command(BaseCommand):
    help = ("Nhập lịch sử thi đua (xếp loại, danh hiệu đã đạt, sáng kiến, kỷ luật) của cán bộ một đơn vị, "
            "và kết quả xếp loại của đơn vị, các tổ (trang tính “Tập thể”), trong một năm học từ tệp Excel "
            "(tất cả hoặc không gì cả).")

    def add_arguments(self, parser):
        cli.add_unit_year_arguments(parser, year_example="2019-2020", file=True)
        parser.add_argument("--dry-run", action="store_true", help="Chỉ xem trước, không lưu")

    def handle(self, *args, **options):
        unit, year = cli.unit_and_year(options)
        plan = plan_history(cli.read_file(options), unit=unit, school_year=year, user=None)
        cli.report_plan(self, plan)
        counts = plan.counts()
        self.stdout.write(f"{unit.short_name}, năm học {year.code}: {len(plan.rows)} người; thêm {counts['add']}, "
                          f"sửa {counts['change']}, không đổi {counts['same']}.")
        for d in plan.diffs:
            if d.kind == "same":
                continue
            parts = [f"{label} {before or '—'} → {after or '—'}" for label, (before, after) in d.fields.items()
                     if label in d.changed]
            parts += [f"+ {t}" for t in d.titles_added] + d.titles_changed + [f"− {t}" for t in d.titles_removed]
            parts += [f"+ sáng kiến {i}" for i in d.initiatives_added] + d.initiatives_changed
            self.stdout.write(f"  dòng {d.row}: {KINDS[d.kind]} {d.name}: " + "; ".join(parts))
        if plan.collective_diffs:
            c = plan.collective_counts()
            self.stdout.write(f"Tập thể: {len(plan.collective_diffs)}; thêm {c['add']}, sửa {c['change']}, "
                              f"xóa {c['remove']}, không đổi {c['same']}.")
            for d in plan.collective_diffs:
                if d.kind != "same":
                    self.stdout.write(f"  trang tính “{d.sheet}”, dòng {d.row}: {COLLECTIVE_KINDS[d.kind]} {d.name}: "
                                      f"Xếp loại {d.before or '—'} → {d.after or '—'}")
        if options["dry_run"]:
            self.stdout.write("Chạy thử: không lưu gì.")
            return
        try:
            n = apply_history(plan=plan, user=None)
        except HistoryImportError as exc:
            raise cli.refused(self, exc) from exc
        self.stdout.write(f"Đã lưu: {n} cán bộ hoặc tập thể có thay đổi." if n else "Không có thay đổi nào.")
