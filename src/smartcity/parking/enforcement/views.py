"""Public verification pages and published key material, and the enforcement officers' page."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from . import signing


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request: HttpRequest) -> JsonResponse:
    """The public keys that verify permit tokens, revocation lists and snapshots (RFC 7517 key set)."""
    return JsonResponse(signing.jwks(), content_type="application/jwk-set+json")
