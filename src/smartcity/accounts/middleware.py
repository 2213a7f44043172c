"""django-otp's middleware without its per-request query for the session's device."""

import functools

from django.utils.functional import SimpleLazyObject
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import middleware as otp_middleware
from django_otp.plugins.otp_totp.models import TOTPDevice


class OTPMiddleware(otp_middleware.OTPMiddleware):
    """When the user object knows the ids of its confirmed TOTP devices (accounts.backends loads them with the
    user on PostgreSQL, in the same query), the session's device is checked against them: the same rule as
    django-otp's (the user's own device, confirmed, else the session forgets it), without loading the device,
    which is then loaded only if something reads ``user.otp_device``. Otherwise django-otp decides as it is."""

    def _verify_user_sync(self, request, user):
        confirmed = getattr(user, "confirmed_totp_ids", None)
        if confirmed is None:
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if persistent_id:
            device_id = totp_device_id(self._normalize_persistent_id(persistent_id))
            if device_id in confirmed:
                user.otp_device = SimpleLazyObject(functools.partial(TOTPDevice.objects.get, pk=device_id))
            else:
                del request.session[DEVICE_ID_SESSION_KEY]
        return user


def totp_device_id(persistent_id: str) -> int | None:
    """The id in ``otp_totp.totpdevice/<id>``; None for anything else."""
    label, _, device_id = persistent_id.rpartition("/")
    return int(device_id) if label == TOTPDevice._meta.label_lower and device_id.isdigit() else None
