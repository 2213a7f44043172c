from django.contrib.auth.signals import user_logged_out

from smartcity.audit.services import record


def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(user, "accounts.logout", user)


def connect() -> None:
    user_logged_out.connect(_logged_out, dispatch_uid="smartcity.accounts.logout")
