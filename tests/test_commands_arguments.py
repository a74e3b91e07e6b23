"""The commands that take a unit, a school year and a file say in Vietnamese which one is wrong."""

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.parametrize("command, extra", [
    ("import_registrations", ["tests/data/history_sample.xlsx"]),
    ("import_history", ["tests/data/history_sample.xlsx"]),
    ("check_eligibility", []),
])
def test_an_unknown_unit_year_or_file_is_named(tree, year, command, extra):
    with pytest.raises(CommandError, match="Không có đơn vị mã “KHONG-CO”"):
        call_command(command, *extra, "--unit", "KHONG-CO", "--year", year.code)
    with pytest.raises(CommandError, match="Không có năm học “1999-2000”"):
        call_command(command, *extra, "--unit", tree["a1"].code, "--year", "1999-2000")
    if extra:
        with pytest.raises(CommandError, match="Không tìm thấy tệp “khong-co.xlsx”"):
            call_command(command, "khong-co.xlsx", "--unit", tree["a1"].code, "--year", year.code)
