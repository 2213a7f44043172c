"""Rate limits: per device or officer for enforcement, per client address for the public check."""

import functools
import time

import redis
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

    A fixed window, not DRF's sliding window, which stores and rewrites every request's timestamp: at
    scan-car rates that list would cost more than the lookup itself. With Redis the window is counted in one
    round trip (INCR and EXPIRE pipelined); other caches use the shared fixed-window helper."""

    def allow_request(self, request, view) -> bool:
        limit, window = parse_rate(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["enforcement"])
        principal = principal_of(request)
        if not settings.REDIS_URL:
            return ratelimit.allow("parking-enforcement", principal, limit=limit, window_seconds=window)
        key = f"ratelimit:parking-enforcement:{principal}:{int(time.time() // window)}"
        pipe = _redis().pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, 2 * window)
        return pipe.execute()[0] <= limit


@functools.cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL)


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
