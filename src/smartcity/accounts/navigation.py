from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def next_url_from(request: HttpRequest, default: str = "") -> str:
    """The ``next`` parameter if it points into this site, else ``default`` (open-redirect safe)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                      require_https=request.is_secure()):
        return candidate
    return default or settings.LOGIN_REDIRECT_URL
