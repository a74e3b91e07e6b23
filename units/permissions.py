"""Access helpers: a foreign unit's object is a 404 (selectors), a forbidden action is a 403."""

from __future__ import annotations

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse


def account_admin_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.can_manage_accounts:
            raise PermissionDenied("Chỉ quản trị viên của Sở được quản lý tài khoản.")
        return view(request, *args, **kwargs)

    return wrapper


class PasswordChangeRequiredMiddleware:
    """An account created or reset by an administrator must pick its own password first."""

    ALLOWED = ("password_change", "logout")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not request.path.startswith("/static/")
            and request.path not in {reverse(name) for name in self.ALLOWED}
        ):
            return redirect("password_change")
        return self.get_response(request)


def axes_username(request, credentials) -> str:
    """The username django-axes counts failures against, normalised as accounts are stored."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().lower()
