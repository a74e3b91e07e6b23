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


@pytest.mark.django_db
@pytest.mark.parametrize(
    "second_file, message",
    [
        # Moving the Sở under one of its own Phòng.
        (["SGD,Sở,SGD,PGD-A,,"], "vòng lặp"),
        # A school cannot manage another school.
        (["TH-Y,Trường Tiểu học Y,TH,TH-X,,"], "không thể là đơn vị quản lý"),
        # A Phòng that still manages a school cannot become a THPT.
        (["PGD-A,Trường THPT A,THPT,SGD,,"], "phải là Sở hoặc Phòng"),
        # A second root.
        (["SGD2,Sở khác,SGD,,,"], "chỉ được có một đơn vị gốc"),
        (["TH-Z," + "Trường " + "A" * 300 + ",TH,PGD-A,,"], "cột name: dài 307 ký tự, tối đa 255"),
        (["TH-" + "Z" * 70 + ",Trường Z,TH,PGD-A,,"], "cột code: dài 73 ký tự, tối đa 64"),
    ],
)
def test_changes_that_would_break_the_existing_tree_are_refused(second_file, message):
    load_units(csv_text("SGD,Sở,SGD,,,", "PGD-A,Phòng A,PGD,SGD,,", "TH-X,Trường Tiểu học X,TH,PGD-A,,"), from_year=2020)
    before = list(Unit.objects.order_by("code").values_list("code", "name", "parent__code", "level"))
    with pytest.raises(UnitCsvError) as exc:
        load_units(csv_text(*second_file), from_year=2020)
    assert any(message in e and e.startswith("Dòng 2") for e in exc.value.errors), exc.value.errors
    assert list(Unit.objects.order_by("code").values_list("code", "name", "parent__code", "level")) == before


@pytest.mark.django_db
def test_a_directory_or_a_non_utf8_file_is_reported(tmp_path):
    with pytest.raises(CommandError):
        run(str(tmp_path))
    latin = tmp_path / "latin1.csv"
    latin.write_bytes(HEADER.encode() + "SGD,Sở,SGD,,,\n".encode("cp1258", errors="replace") + "TH-X,Trường Bà Rịa,TH,SGD,,\n".encode("latin-1", errors="replace"))
    from units.loading import load_units_file

    with pytest.raises(UnitCsvError) as exc:
        load_units_file(latin, from_year=2020)
    assert exc.value.errors[0].startswith("Dòng 3")  # the first line with a Latin-1 byte
