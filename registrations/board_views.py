"""The completeness board for a Phòng (its schools) and the Sở (everything)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from config.routers import replica_reads
from registrations import board as board_selectors
from registrations.reminders import send_reminders
from reports.exporters import Table, write_xlsx
from units.models import Role, Unit
from units.selectors import scope_roots


def _board(request, source=None):
    roots = scope_roots(request.user)
    if not roots:
        raise PermissionDenied("Tài khoản chưa gắn với đơn vị nào.")
    root = roots[0]
    year = request.school_year
    source = request.GET if source is None else source
    params = {k: source.get(k, "") for k in ("district", "level", "status")}
    board = board_selectors.build_board(root, year, **params)
    return root, year, params, board


def can_remind(user) -> bool:
    return user.is_superuser or user.role in (Role.DISTRICT_REVIEWER, Role.DEPARTMENT_REVIEWER, Role.DEPARTMENT_ADMIN)


@replica_reads
def board(request):
    root, year, params, board = _board(request)
    return render(request, "registrations/board.html", {
        "root": root, "board": board, "lists": board.lists(), "params": params,
        "status_columns": board_selectors.STATUS_COLUMNS,
        "districts": board_selectors.district_choices(root, year),
        "levels": Unit.Level.choices, "list_titles": board_selectors.LIST_TITLES,
        "querystring": request.GET.urlencode(),
        "can_remind": can_remind(request.user),
    })


@replica_reads
def board_export(request, name: str):
    if name not in board_selectors.LIST_TITLES and name != "all":
        raise Http404("Không có danh sách này.")
    root, year, params, board = _board(request)
    units = board.units if name == "all" else board_selectors.board_list(board, name)
    title = "Tình hình đăng ký thi đua" if name == "all" else board_selectors.LIST_TITLES[name]
    header = ["STT", "Mã đơn vị", "Đơn vị", "Cấp học", "Trạng thái hồ sơ", "Nộp lúc", "Nộp trễ",
              "Số đăng ký cá nhân", "Số đăng ký tập thể", "Số tài khoản"]
    rows = [
        [i, u.unit.code, u.name, u.unit.get_level_display(), u.status_label,
         timezone.localtime(u.dossier.submitted_at).strftime("%d/%m/%Y %H:%M")
         if u.dossier and u.dossier.submitted_at else "",
         "Có" if u.is_late else "", u.individual, u.collective, u.accounts]
        for i, u in enumerate(units, start=1)
    ]
    # The same form layout as every report (reports.exporters), from the board's own selector.
    content = write_xlsx(Table(title, header, rows), scope=root, school_year=year)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{name}-{year.code}.xlsx"'
    return response


@require_POST
def board_remind(request):
    if not can_remind(request.user):
        raise PermissionDenied("Chỉ Phòng GD&ĐT và Sở GD&ĐT gửi nhắc nhở tới các đơn vị.")
    name = request.POST.get("list", "not_submitted")
    if name not in board_selectors.LIST_TITLES:
        raise Http404("Không có danh sách này.")
    # The same filters as the board the user was looking at (they come back in the form).
    root, year, params, board = _board(request, QueryDict(request.POST.get("querystring", "")))
    units = [u.unit for u in board_selectors.board_list(board, name)]
    result = send_reminders(units=units, school_year=year, sender=request.user, reason=board_selectors.LIST_TITLES[name])
    messages.success(
        request,
        f"Đã gửi nhắc nhở tới {result.units_reached} đơn vị ({result.emails} địa chỉ thư)."
        + (f" {len(result.units_without_email)} đơn vị chưa có địa chỉ thư điện tử." if result.units_without_email else ""),
    )
    return redirect(f"{reverse('board')}?{request.POST.get('querystring', '')}")
