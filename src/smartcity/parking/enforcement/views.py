"""Public verification page and key material; the enforcement officers' page."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from smartcity.accounts.decorators import staff_required
from smartcity.parking import tokens
from smartcity.parking.models import Zone

from . import lookup, signing, verification
from .authentication import is_enforcement_officer
from .models import LookupTally
from .presentation import OUTCOMES
from .throttling import EnforcementThrottle, VerifyThrottle, principal_of


@require_GET
@cache_control(public=True, max_age=300)
def jwks(request: HttpRequest) -> JsonResponse:
    """The public keys that verify permit tokens, revocation lists and snapshots (RFC 7517 key set)."""
    return JsonResponse(signing.jwks(), content_type="application/jwk-set+json")


@require_GET
@cache_control(public=True, max_age=verification.REVOCATIONS_MAX_AGE)
def revocations(request: HttpRequest) -> HttpResponse:
    """The signed revocation list (compact JWS, payload {"iss", "iat", "revoked": [permit ids]})."""
    return HttpResponse(verification.revocation_list(), content_type="application/jose")


def token_check(request: HttpRequest) -> dict:
    """Shared by the public page and the officers' page: the posted token, an error or a result."""
    token = request.POST.get("token", "").strip()
    if not token:
        return {"token": "", "token_error": _("Bitte fügen Sie den Inhalt des QR-Codes ein.")}
    if len(token) > tokens.MAX_TOKEN_LENGTH:
        return {"token": "", "token_error": _("Der eingefügte Text ist zu lang für einen Prüfcode.")}
    result = verification.verify_online(token)
    return {"token": token, "result": result, "outcome": OUTCOMES[result.status]}


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    context = {"jwks_url": reverse("parking:jwks"), "revocations_url": reverse("parking:revocations")}
    status = 200
    if request.method == "POST":
        if VerifyThrottle().allow_request(request, None):
            context.update(token_check(request))
        else:
            context["token_error"] = _("Zu viele Prüfungen in kurzer Zeit. Bitte warten Sie eine Minute.")
            status = 429
    return render(request, "parking_enforcement/verify.html", context, status=status)


@staff_required
@require_http_methods(["GET", "POST"])
def enforcement(request: HttpRequest) -> HttpResponse:
    """The officers' page: a plate typed in, or a permit's QR code scanned or pasted. Every check is counted."""
    if not is_enforcement_officer(request.user):
        raise PermissionDenied
    context: dict = {"zones": list(Zone.objects.values_list("code", "name")), "plate": "", "zone": ""}
    if request.method == "POST":
        if not EnforcementThrottle().allow_request(request, None):
            context["rate_error"] = _("Zu viele Prüfungen in kurzer Zeit. Bitte warten Sie einen Moment.")
            return render(request, "parking_enforcement/enforcement.html", context, status=429)
        if request.POST.get("check") == "plate":
            context.update(_plate_check(request))
        else:
            context.update(token_check(request))
            if "result" in context:
                lookup.tally(principal_of(request), LookupTally.Kind.TOKEN, found=context["result"].is_valid)
    return render(request, "parking_enforcement/enforcement.html", context)


def _plate_check(request: HttpRequest) -> dict:
    plate, zone = request.POST.get("plate", "").strip()[:20], request.POST.get("zone", "").strip()[:2]
    try:
        result = lookup.lookup_plate(plate, zone=zone, counted_for=principal_of(request))
    except lookup.InvalidPlate as error:
        return {"plate": plate, "zone": zone, "plate_error": str(error)}
    return {"plate": plate, "zone": zone, "lookup": result}
