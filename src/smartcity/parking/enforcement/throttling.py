"""Rate limits: per device or officer for enforcement, per client address for the public check."""

from django.conf import settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from smartcity.accounts import ratelimit


class VerifyThrottle(SimpleRateThrottle):
    """Public token checks; also used by the HTML page (it only needs the request's address)."""

    scope = "verify"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class EnforcementThrottle(BaseThrottle):
    """Lookups per enforcement device or officer; a scan car reads about one plate per second.

    A fixed window counted with one cache increment, not DRF's sliding window, which stores and rewrites
    every request's timestamp: at scan-car rates that list would cost more than the lookup itself."""

    def allow_request(self, request, view) -> bool:
        limit, window = parse_rate(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["enforcement"])
        return ratelimit.allow("parking-enforcement", principal_of(request), limit=limit, window_seconds=window)


def parse_rate(rate: str) -> tuple[int, int]:
    """ "1200/min" → (1200, 60); the period is read by its first letter, as DRF does."""
    count, period = rate.split("/")
    return int(count), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def principal_of(request) -> str:
    """ "device:<id>" for a device token, "user:<id>" for an officer's session."""
    from .authentication import EnforcementDevicePrincipal

    user = request.user
    if isinstance(user, EnforcementDevicePrincipal):
        return f"device:{user.device_id}"
    return f"user:{user.pk}"
