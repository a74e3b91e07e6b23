from django.core.management.base import BaseCommand, CommandError

from registrations.models import SchoolYear
from units.demo import DEMO_PASSWORD, seed_demo
from units.loading import UnitCsvError
from units.models import Collective, Employment, Staff, Unit, User


class Command(BaseCommand):
    help = (
        "Tạo dữ liệu mẫu: cây đơn vị tỉnh Long An, các năm học, cán bộ - giáo viên giả định, "
        "tổ chuyên môn và tài khoản dùng thử. Chạy lại không tạo trùng."
    )

    def handle(self, *args, **options):
        self.stdout.write("Đang tạo dữ liệu mẫu…")
        try:
            result = seed_demo()
        except UnitCsvError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError("Tệp danh sách đơn vị có lỗi; không lưu gì.") from exc

        units = result.units
        self.stdout.write(
            f"Đơn vị: tạo mới {len(units.created)}, cập nhật {len(units.updated)}, "
            f"không đổi {len(units.unchanged)}."
        )
        self.stdout.write(f"Năm học: tạo mới {result.school_years_created}.")
        if result.staff_skipped:
            self.stdout.write("Mọi đơn vị đã có cán bộ: bỏ qua bước tạo cán bộ mẫu.")
        else:
            self.stdout.write(
                f"Cán bộ mẫu: tạo {result.staff_created} người ở {result.units_seeded} đơn vị "
                f"({result.transfers} người có quá trình chuyển công tác), {result.teams_created} tổ."
            )
        self.stdout.write(f"Tài khoản: tạo mới {result.accounts_created}.")
        if result.history is not None and not result.history.skipped:
            h = result.history
            self.stdout.write(f"Lịch sử thi đua 2017-2020: {h.records} kết quả đánh giá, {h.titles} danh hiệu, "
                              f"{h.initiatives} sáng kiến.")
        if result.collective_results:
            self.stdout.write(f"Kết quả xếp loại của tập thể 2016-2020: {result.collective_results} đơn vị, tổ và năm học.")
        for code, r in result.dossiers:
            if r.skipped:
                self.stdout.write(f"Hồ sơ đăng ký năm học {code}: đã có, bỏ qua.")
            else:
                self.stdout.write(f"Hồ sơ đăng ký năm học {code}: {r.dossiers} hồ sơ, {r.registrations} đăng ký.")
        a = result.acceptances
        if a is not None and not a.skipped:
            self.stdout.write(f"Hồ sơ Sở đã duyệt: {a.dossiers}, ghi nhận {a.recorded} kết luận điều kiện; "
                              f"{a.overridden_dossiers} hồ sơ duyệt có ghi đè ({a.overrides} đăng ký), có lý do.")

        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Tổng số trong cơ sở dữ liệu"))
        for label, count in (
            ("Đơn vị", Unit.objects.count()),
            ("Cán bộ, giáo viên, nhân viên", Staff.objects.count()),
            ("Quá trình công tác", Employment.objects.count()),
            ("Tổ chuyên môn", Collective.objects.count()),
            ("Tài khoản", User.objects.count()),
            ("Năm học", SchoolYear.objects.count()),
        ):
            number = f"{count:,}".replace(",", ".")  # Vietnamese thousands separator
            self.stdout.write(f"  {label:<30} {number:>7}")
        self.stdout.write(f"  {'Thời gian chạy':<30} {result.elapsed:>6.1f} giây")

        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Tài khoản dùng thử (mật khẩu: {DEMO_PASSWORD})"))
        rows = [("Tên đăng nhập", "Vai trò", "Đơn vị", "Họ và tên")] + result.accounts
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        for index, row in enumerate(rows):
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
            if index == 0:
                self.stdout.write("  " + "  ".join("-" * width for width in widths))
        self.stdout.write(
            "  Mỗi đơn vị khác có một tài khoản cán bộ thi đua “cb.<mã đơn vị viết thường>”, "
            "ví dụ cb.th-canduoc-longkhe, cùng mật khẩu."
        )
