"""Who may use the cash office (Kasse) views: staff of the configured finance department, with 2FA."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from smartcity.accounts.decorators import staff_required


def is_cash_office(user) -> bool:
    return bool(user.is_authenticated
                and any(code == settings.PAYMENTS_CASH_OFFICE_DEPARTMENT for _id, code, _role in user.role_list))


def cash_office_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_cash_office(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
