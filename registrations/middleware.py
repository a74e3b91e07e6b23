"""Every request knows the school year the user is looking at (request.school_year)."""

from __future__ import annotations

from registrations.models import SchoolYear
from registrations.selectors import school_year_for_date

SESSION_KEY = "school_year_code"


class SchoolYearMiddleware:
    """?year=2020-2021 switches the year for the session; otherwise the year of today."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.school_year = self._resolve(request)
        return self.get_response(request)

    def _resolve(self, request) -> SchoolYear | None:
        code = request.GET.get("year")
        session = getattr(request, "session", None)
        if code:
            year = SchoolYear.objects.filter(code=code).first()
            if year and session is not None:
                session[SESSION_KEY] = year.code
            if year:
                return year
        if session is not None and session.get(SESSION_KEY):
            year = SchoolYear.objects.filter(code=session[SESSION_KEY]).first()
            if year:
                return year
        return school_year_for_date()
