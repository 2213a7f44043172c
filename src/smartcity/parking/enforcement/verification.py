"""Permit tokens for issued permits, online verification and the signed revocation list."""

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from smartcity.parking import tokens
from smartcity.parking.models import Permit

from . import signing

# A permit that was revoked or replaced (plate change, renewal, loss, return) must fail verification while
# its printed validity lasts; after that the token's own expiry rejects it.
INVALIDATED = (Permit.Status.REVOKED, Permit.Status.REPLACED)
_REVOCATIONS_CACHE = "parking:revocation-list"
REVOCATIONS_MAX_AGE = 300  # seconds; online verification always reads the database instead


def permit_claims(permit: Permit) -> tokens.PermitClaims:
    return tokens.PermitClaims(permit_id=str(permit.pk), number=permit.number, plate=permit.plate,
                               zone=permit.zone.code, valid_from=permit.valid_from, valid_until=permit.valid_until)


def issue_token(permit: Permit) -> str:
    """The signed token printed as QR code on the permit."""
    claims = permit_claims(permit)
    payload = claims.to_payload(settings.CITY_CODE)
    return signing.sign(payload, typ=tokens.TYP_PERMIT, expires_at=_utc(payload["exp"]))


def verification_url(token: str) -> str:
    """What the QR code holds: the public check page, with the token in the fragment (never sent in a request,
    so it stays out of server logs); any scanner app opens the page, handhelds take the part after "#"."""
    return f"{settings.SITE_URL}{reverse('parking:verify')}#{token}"


def verify_online(token: str, *, now: datetime | None = None) -> tokens.Verification:
    """Check signature and validity window, and the permit's current status in the register."""
    result = tokens.verify_permit(tokens.extract_token(token), signing.published_keys(), now=now or timezone.now())
    if result.claims is None:
        return result
    status = Permit.objects.filter(pk=result.claims.permit_id).values_list("status", flat=True).first()
    if status is None or status in INVALIDATED:
        # A signed token for a permit we no longer hold (erased after its retention period) proves nothing.
        return tokens.Verification(tokens.Status.REVOKED, claims=result.claims, kid=result.kid)
    return result


def forget_revocation_list(**kwargs) -> None:
    """post_save of a Permit: a revocation must not wait for the cache to expire."""
    if kwargs["instance"].status in INVALIDATED:
        cache.delete(_REVOCATIONS_CACHE)


def revoked_permit_ids(today: date | None = None) -> list[str]:
    today = today or timezone.localdate()
    ids = Permit.objects.filter(status__in=INVALIDATED, valid_until__gte=today).values_list("pk", flat=True)
    return [str(pk) for pk in ids]


def revocation_list() -> str:
    """The signed revocation list (compact JWS), regenerated at most every few minutes."""
    jws = cache.get(_REVOCATIONS_CACHE)
    if jws is None:
        now = timezone.now()
        payload = tokens.revocation_payload(revoked_permit_ids(), issuer=settings.CITY_CODE, issued_at=now)
        # Clients refresh the list within minutes; a day of publication for its key is plenty.
        jws = signing.sign(payload, typ=tokens.TYP_REVOCATIONS, expires_at=now + timedelta(days=1))
        cache.set(_REVOCATIONS_CACHE, jws, REVOCATIONS_MAX_AGE)
    return jws


def _utc(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)
