"""Where parking plugs into the shared engines: payment outcomes, the back-office case hooks and Meine Anträge.

The case hooks run inside ``cases.services``; a ``ParkingError`` becomes a ``CaseError`` so the back office
shows its (German) message to the caseworker instead of failing.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any


def _as_case_error(hook: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(hook)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        from smartcity.cases.services import CaseError

        from .services import ParkingError

        try:
            return hook(*args, **kwargs)
        except ParkingError as exc:
            raise CaseError(str(exc)) from exc

    return wrapped


def connect() -> None:
    from smartcity.cases import extensions
    from smartcity.payments import handlers
    from smartcity.portal import providers

    from . import portal, services, staff

    handlers.register("parking.application", on_paid=services.on_paid, on_failed=services.on_payment_failed)
    extensions.register(services.CASE_TYPE_CODE, on_approve=_as_case_error(services.on_case_approved),
                        on_reject=_as_case_error(services.on_case_rejected),
                        on_transition=_as_case_error(services.on_case_transition), staff_link=staff.case_link)
    providers.register("parking", portal.my_applications, exists=portal.ANY_APPLICATION)
