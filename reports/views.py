"""Report pages and their exports: both from reports.selectors, scoped to the user's subtree."""

from __future__ import annotations

from html import escape

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from config.routers import replica_reads
from reports import selectors
from reports.exporters import REGISTRY, ExportError
from units.models import Unit
from units.selectors import get_unit_for_user_or_404, scope_roots


def _scope(request) -> Unit:
    if request.GET.get("unit"):
        return get_unit_for_user_or_404(request.user, request.GET["unit"])
    roots = scope_roots(request.user)
    if not roots:
        raise PermissionDenied("Tài khoản chưa gắn với đơn vị nào.")
    return roots[0]


@replica_reads
def summary_page(request):
    scope = _scope(request)
    summary = selectors.summary(scope, request.school_year)
    measure = request.GET.get("measure", "registered")
    if measure not in ("registered", "accepted"):
        measure = "registered"
    codes = [t.code for t in summary.titles]

    def cells(row):
        # The chosen measure's numbers in column order: 650 rows × 7 titles of dictionary
        # lookups in the template cost more than the whole selector.
        counts = row.counts[measure]
        return [counts[c] for c in codes]

    return render(request, "reports/summary.html", {
        "scope": scope, "summary": summary, "measure": measure,
        "measures": [(m, selectors.MEASURE_LABELS[m]) for m in ("registered", "accepted")],
        "unit_rows_html": _unit_rows_html(summary.units, cells, measure),
        "district_rows": [(d, cells(d)) for d in summary.districts],
        "total_cells": cells(summary.total),
    })


def _unit_rows_html(rows, cells, measure: str) -> str:
    """The per-unit rows of the summary table (a province has 650), as one string.

    Template loops over 650 rows × 7 titles cost four times the selector, and format_html per
    cell twice; so plain formatting: every text goes through escape(), numbers are ints (:d).
    """
    registrations_url = escape(reverse("report_registrations"))
    out = []
    for r in rows:
        if r.unit.kind == Unit.Kind.DISTRICT_OFFICE:
            href = f"?unit={r.unit.pk:d}&amp;measure={escape(measure)}"
        else:
            href = f"{registrations_url}?unit={r.unit.pk:d}"
        numbers = "".join(f'<td class="num">{n:d}</td>' for n in cells(r))
        out.append(f'<tr><td><code>{escape(r.code)}</code></td><td><a href="{href}">{escape(r.name)}</a></td>'
                   f"<td>{escape(r.district)}</td>{numbers}</tr>\n")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


@replica_reads
def comparison_page(request):
    scope = _scope(request)
    return render(request, "reports/comparison.html", {
        "scope": scope, "summary": selectors.summary(scope, request.school_year),
    })


@replica_reads
def registrations_page(request):
    scope = _scope(request)
    unit = scope if scope.kind in (Unit.Kind.SCHOOL, Unit.Kind.CENTER) else None
    qs = selectors.registrations_of(scope, request.school_year, unit=unit)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "reports/registrations.html", {
        "scope": scope, "page": page, "querystring": params.urlencode(),
    })


@replica_reads
def export(request, kind: str):
    exporter = REGISTRY.get(kind)
    fmt = request.GET.get("format", "xlsx")
    if exporter is None or fmt not in ("xlsx", "csv", "pdf"):
        raise Http404("Không có báo cáo này.")
    scope = _scope(request)
    try:
        filename, content_type, content = exporter(
            scope=scope, school_year=request.school_year, measure=request.GET.get("measure", "registered"),
        ).render(fmt)
    except ExportError as exc:
        messages.error(request, str(exc))
        return redirect(request.META.get("HTTP_REFERER") or "report_summary")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
