import csv
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from units.loading import UnitCsvError, load_units
from units.models import Unit, UnitVersion

CSV_PATH = Path(settings.BASE_DIR) / "units" / "data" / "long_an_units.csv"
HEADER = "code,name,level,parent_code,district,source\n"


def csv_text(*lines):
    return HEADER + "".join(line + "\n" for line in lines)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("load_units", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def csv_rows():
    with CSV_PATH.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.mark.django_db
def test_loads_every_row_of_the_province_csv(csv_rows):
    out, _ = run(str(CSV_PATH))
    assert f"Tạo mới: {len(csv_rows)}" in out
    assert Unit.objects.count() == len(csv_rows) == 607
    for row in csv_rows:
        unit = Unit.objects.get(code=row["code"])
        assert unit.name == row["name"]
        assert unit.level == row["level"]
        assert (unit.parent.code if unit.parent else "") == row["parent_code"]
    assert Unit.objects.filter(kind=Unit.Kind.DISTRICT_OFFICE).count() == 15
    assert Unit.objects.filter(kind=Unit.Kind.CENTER).count() == 16
    assert Unit.objects.get(code="THPT-TANAN-TANAN").short_name == "THPT Tân An"
    # Every unit starts with one version "from the beginning".
    assert UnitVersion.objects.filter(from_year=0).count() == 607


@pytest.mark.django_db
def test_second_run_changes_nothing_and_says_so():
    run(str(CSV_PATH))
    before = list(Unit.objects.order_by("code").values_list("code", "name", "path", "updated_at"))
    out, _ = run(str(CSV_PATH))
    assert "Tạo mới: 0, cập nhật: 0, không đổi: 607" in out
    assert "Không có thay đổi nào" in out
    assert list(Unit.objects.order_by("code").values_list("code", "name", "path", "updated_at")) == before
    assert UnitVersion.objects.count() == 607


@pytest.mark.django_db
def test_dry_run_counts_but_saves_nothing():
    out, _ = run(str(CSV_PATH), "--dry-run")
    assert "Chạy thử" in out and "Tạo mới: 607" in out
    assert Unit.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "lines, message",
    [
        (["SGD,Sở,SGD,,,", "TH-X,Trường Tiểu học X,TH,PGD-NOWHERE,,"],
         "Dòng 3, cột parent_code: không tìm thấy đơn vị quản lý “PGD-NOWHERE”"),
        (["SGD,Sở,SGD,,,", "TH-X,Trường Tiểu học X,TH,SGD,,", "TH-X,Trường Tiểu học Y,TH,SGD,,"],
         "Dòng 4, cột code: mã “TH-X” bị trùng với dòng 3"),
        (["SGD,Sở,SGD,,,", "TH-X,Trường X,DAIHOC,SGD,,"], "Dòng 3, cột level: cấp học “DAIHOC” không hợp lệ"),
        (["SGD,Sở,SGD,,,", "TH-X,Trường X,TH,,,"], "Dòng 3, cột parent_code: chỉ Sở GD&ĐT"),
        (["SGD,Sở,SGD,,,", "A,Trường A,TH,B,,", "B,Trường B,TH,A,,"], "vòng lặp"),
        (["SGD,Sở,SGD,,,", "th-x,Trường X,TH,SGD,,"], "Dòng 3, cột code"),
    ],
)
def test_bad_lines_name_the_line_and_save_nothing(lines, message):
    with pytest.raises(UnitCsvError) as exc:
        load_units(csv_text(*lines), from_year=2020)
    assert any(message in e for e in exc.value.errors), exc.value.errors
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_unknown_kind_column_is_rejected():
    text = "code,name,level,parent_code,kind\nSGD,Sở,SGD,,department\nTH-X,Trường X,TH,SGD,university\n"
    with pytest.raises(UnitCsvError) as exc:
        load_units(text, from_year=2020)
    assert any("Dòng 3, cột kind" in e for e in exc.value.errors)
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_bad_file_through_the_command_exits_with_errors_and_saves_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(csv_text("SGD,Sở,SGD,,,", "TH-X,Trường X,TH,SGD,,", "TH-Y,Trường Y,TH,NOPE,,"), encoding="utf-8")
    with pytest.raises(CommandError, match="không lưu gì"):
        run(str(path))
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_a_renamed_unit_keeps_its_old_name_for_earlier_years():
    load_units(csv_text("SGD,Sở,SGD,,,", "TH-X,Trường Tiểu học Cũ,TH,SGD,,"), from_year=2020)
    result = load_units(csv_text("SGD,Sở,SGD,,,", "TH-X,Trường Tiểu học Mới,TH,SGD,,"), from_year=2023)
    assert result.updated == ["TH-X"]
    unit = Unit.objects.get(code="TH-X")
    assert unit.name == "Trường Tiểu học Mới"
    names = dict(UnitVersion.objects.filter(unit=unit).values_list("from_year", "name"))
    assert names == {0: "Trường Tiểu học Cũ", 2023: "Trường Tiểu học Mới"}
