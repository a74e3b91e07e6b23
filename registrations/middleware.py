"""Request-level helpers for registrations."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from registrations.models import SchoolYear
from registrations.selectors import school_year_for_date

SESSION_KEY = "school_year_code"
PENDING_KEY = "pending_dossier_post"
# Who last used this browser: entries kept after an expired session go back to that person only.
LAST_USER_COOKIE = "tdkt_last_user"
LAST_USER_SALT = "registrations.last-user"


class SchoolYearMiddleware:
    """Every request knows the school year the user is looking at (request.school_year).

    ?year=2020-2021 switches the year for the session; otherwise the year of today.
    """

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
            # Only a change is written: every link carries ?year=, and a session write per page
            # is a database write per page.
            if year and session is not None and session.get(SESSION_KEY) != year.code:
                session[SESSION_KEY] = year.code
            if year:
                return year
        if session is not None and session.get(SESSION_KEY):
            year = SchoolYear.objects.filter(code=session[SESSION_KEY]).first()
            if year:
                return year
        return school_year_for_date()


class KeepExpiredDossierPostMiddleware:
    """A dossier save that arrives after the session expired is kept, not lost.

    Runs before LoginRequiredMiddleware: the posted entries go into the (anonymous) session,
    which login() keeps; the dossier page applies them once the user has logged in again,
    through the same service and permission checks as a normal save.
    """

    URL_NAME = "dossier_page"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if request.get_signed_cookie(LAST_USER_COOKIE, default=None, salt=LAST_USER_SALT) != str(user.pk):
                response.set_signed_cookie(
                    LAST_USER_COOKIE, str(user.pk), salt=LAST_USER_SALT, max_age=30 * 24 * 3600,
                    httponly=True, samesite="Lax", secure=settings.SESSION_COOKIE_SECURE,
                )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = getattr(request, "resolver_match", None)
        if (
            request.method == "POST"
            and not request.user.is_authenticated
            and match is not None
            and match.url_name == self.URL_NAME
        ):
            request.session[PENDING_KEY] = {
                "path": request.path,
                "data": dict(request.POST.lists()),
                "owner": request.get_signed_cookie(LAST_USER_COOKIE, default=None, salt=LAST_USER_SALT),
            }
            return redirect(f"{reverse('login')}?{urlencode({'next': request.path})}")
        return None
