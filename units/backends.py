from django.contrib.auth import get_user_model
from django.contrib.auth.backends import AllowAllUsersModelBackend


class UnitModelBackend(AllowAllUsersModelBackend):
    """Password check for every account, so that the login form can say "this account is
    locked" instead of "wrong password"; sessions of locked accounts are still refused
    (get_user). Loads the user's unit with the user: every page needs it for scoping."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("unit").filter(pk=user_id).first()
        return user if user is not None and user.is_active else None
