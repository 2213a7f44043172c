"""Who may use the cash office (Kasse) views: staff of the configured finance department, with 2FA."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from smartcity.accounts.models import StaffRole


def is_cash_office(user) -> bool:
    return bool(user.is_authenticated and StaffRole.objects.filter(
        user=user, department__code=settings.PAYMENTS_CASH_OFFICE_DEPARTMENT).exists())


def cash_office_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_cash_office(request.user):
            raise PermissionDenied
        if not request.user.is_verified():  # django-otp: staff must have passed TOTP in this session
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
