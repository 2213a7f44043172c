"""Rate limits: per device or officer for enforcement, per client address for the public check."""

from rest_framework.throttling import SimpleRateThrottle


class VerifyThrottle(SimpleRateThrottle):
    """Public token checks; also used by the HTML page (it only needs the request's address)."""

    scope = "verify"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class EnforcementThrottle(SimpleRateThrottle):
    """Lookups per enforcement device or officer; a scan car reads about one plate per second."""

    scope = "enforcement"

    def get_cache_key(self, request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": principal_of(request)}


def principal_of(request) -> str:
    """ "device:<id>" for a device token, "user:<id>" for an officer's session."""
    from .authentication import EnforcementDevicePrincipal

    user = request.user
    if isinstance(user, EnforcementDevicePrincipal):
        return f"device:{user.device_id}"
    return f"user:{user.pk}"
