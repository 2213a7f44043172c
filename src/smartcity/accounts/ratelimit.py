"""Fixed-window counters in the cache for endpoints axes does not cover (sign-up, e-mail sending, simulator)."""

from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


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


def limit_posts(scope: str, *, limit: int, window_seconds: int) -> Callable:
    """Answer POSTs beyond ``limit`` per IP and window with a German 429 page (e.g. e-mail sending forms)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST" and not allow(scope, client_ip(request), limit=limit,
                                                      window_seconds=window_seconds):
                return render(request, "accounts/rate_limited.html", status=429)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
