"""What the import and rules commands share: a unit, a school year and a file named on the
command line, and the Vietnamese way a plan's notes and errors are printed."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import CommandError


def add_unit_year_arguments(parser, *, year_example: str = "2020-2021", file: bool = False) -> None:
    if file:
        parser.add_argument("file")
    parser.add_argument("--unit", required=True, help="Mã đơn vị, ví dụ THCS-TANAN-PHUONG5")
    parser.add_argument("--year", required=True, help=f"Năm học, ví dụ {year_example}")


def unit_and_year(options: dict):
    """The Unit and SchoolYear the options name, or a CommandError saying which is unknown."""
    from registrations.models import SchoolYear
    from units.models import Unit

    unit = Unit.objects.filter(code=options["unit"]).first()
    if unit is None:
        raise CommandError(f"Không có đơn vị mã “{options['unit']}”.")
    year = SchoolYear.objects.filter(code=options["year"]).first()
    if year is None:
        raise CommandError(f"Không có năm học “{options['year']}”.")
    return unit, year


def read_file(options: dict) -> bytes:
    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(f"Không tìm thấy tệp “{path}”.")
    return path.read_bytes()


def report_plan(command, plan) -> None:
    """Print a plan's notes; when it has errors, print them and stop with nothing saved."""
    for note in plan.notes:
        command.stdout.write(f"Ghi chú: {note}")
    if not plan.ok:
        for error in plan.errors:
            command.stderr.write(f"Lỗi: {error}")
        raise CommandError(f"Có {len(plan.errors)} lỗi; không lưu gì.")


def refused(command, exc) -> CommandError:
    """The problems of a refused apply, printed; the error to raise from it."""
    for problem in exc.problems:
        command.stderr.write(f"Lỗi: {problem}")
    return CommandError("Không lưu gì.")
