"""The same history import as the "Lịch sử thi đua" page's upload, from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from awards.history_import import HistoryImportError, apply_history, plan_history
from registrations.models import SchoolYear
from units.models import Unit

KINDS = {"add": "thêm", "change": "sửa", "same": "không đổi"}
COLLECTIVE_KINDS = {**KINDS, "remove": "xóa kết quả của"}


class Command(BaseCommand):
    help = ("Nhập lịch sử thi đua (xếp loại, danh hiệu đã đạt, sáng kiến, kỷ luật) của cán bộ một đơn vị, "
            "và kết quả xếp loại của đơn vị, các tổ (trang tính “Tập thể”), trong một năm học từ tệp Excel "
            "(tất cả hoặc không gì cả).")

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--unit", required=True, help="Mã đơn vị, ví dụ THCS-TANAN-PHUONG5")
        parser.add_argument("--year", required=True, help="Năm học, ví dụ 2019-2020")
        parser.add_argument("--dry-run", action="store_true", help="Chỉ xem trước, không lưu")

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
        plan = plan_history(path.read_bytes(), unit=unit, school_year=year, user=None)
        for note in plan.notes:
            self.stdout.write(f"Ghi chú: {note}")
        if not plan.ok:
            for error in plan.errors:
                self.stderr.write(f"Lỗi: {error}")
            raise CommandError(f"Có {len(plan.errors)} lỗi; không lưu gì.")
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
            for problem in exc.problems:
                self.stderr.write(f"Lỗi: {problem}")
            raise CommandError("Không lưu gì.") from exc
        self.stdout.write(f"Đã lưu: {n} người, tập thể có thay đổi." if n else "Không có thay đổi nào.")
