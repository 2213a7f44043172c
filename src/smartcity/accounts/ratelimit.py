"""Fixed-window counters in the cache for endpoints axes does not cover (sign-up, e-mail sending, simulator)."""

from django.core.cache import cache


def allow(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one hit; False once ``limit`` hits happened within the current window."""
    cache_key = f"ratelimit:{scope}:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return True
    try:
        return cache.incr(cache_key) <= limit
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds)
        return True


def client_ip(request) -> str:
    """The address axes also uses (it honours the configured proxy setup)."""
    return getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR", "")
