"""View guards other apps use: a minimum trust level for citizens, a verified second factor for staff."""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from .models import TrustLevel

View = Callable[..., HttpResponse]


def trust_level_required(level: str) -> Callable[[View], View]:
    """Anonymous users go to the login; users below ``level`` to the step-up page, which brings them back."""
    if level not in TrustLevel.values:
        raise ValueError(f"unknown trust level {level!r}")

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_trust(level):
                query = urlencode({"level": level, "next": request.get_full_path()})
                return redirect(f"{reverse('accounts:step_up')}?{query}")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def staff_required(view: View) -> View:
    """Staff role and a session confirmed with the TOTP second factor; others get the login or 403."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_staff_member:
            raise PermissionDenied
        if not user.is_verified():
            return _to_second_factor(request)
        return view(request, *args, **kwargs)

    return wrapped


def second_factor_required(view: View) -> View:
    """Logged in, and with the TOTP second factor where the account needs one (User.needs_two_factor): for
    views of roles outside the staff departments, such as the open data editors."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_verified() and user.needs_two_factor:
            return _to_second_factor(request)
        return view(request, *args, **kwargs)

    return wrapped


def _to_second_factor(request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': request.get_full_path()})}")
