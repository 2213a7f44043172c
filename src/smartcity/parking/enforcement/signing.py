"""Key management: the active signing key, rotation, the published key set (JWKS).

Private keys are stored encrypted (Fernet) with ``PARKING_KEY_ENCRYPTION_KEY``; without it a key derived from
``SECRET_KEY`` is used (fine for the demo; production sets its own so a database dump alone reveals nothing
and rotating SECRET_KEY does not lock the signing keys away).
"""

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from smartcity.audit.services import record
from smartcity.parking import tokens

from .models import SigningKey

# Which keys are current lives in the shared cache (a rotation reaches every process within a minute, and the
# old key stays published anyway); decrypted keys are memoised per process by kid.
_CACHE_SECONDS = 60
_ACTIVE_KID = "parking:signing:active-kid"
_PUBLISHED = "parking:signing:published"
_private_keys: dict[str, Ed25519PrivateKey] = {}
_public_keys: dict[str, Ed25519PublicKey] = {}
_extended: dict[str, datetime] = {}  # kid → the latest expiry this process has recorded in signed_until
_NEVER = datetime.min.replace(tzinfo=UTC)


def _fernet() -> Fernet:
    secret = settings.PARKING_KEY_ENCRYPTION_KEY
    if not secret:
        digest = hashlib.sha256(b"smartcity.parking.signing-keys:" + settings.SECRET_KEY.encode()).digest()
        secret = base64.urlsafe_b64encode(digest).decode()
    return Fernet(secret)


def _encrypt(key: Ed25519PrivateKey) -> str:
    raw = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return _fernet().encrypt(raw).decode()


def _decrypt(token: str) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_fernet().decrypt(token.encode()))


def reset_caches() -> None:
    cache.delete_many([_ACTIVE_KID, _PUBLISHED])


def create_key(*, actor: Any = "system:parking") -> SigningKey:
    """Generate a key and make it the active one; the previous active key is retired (rotation)."""
    private_key = tokens.generate_private_key()
    public_key = private_key.public_key()
    with transaction.atomic():
        previous = list(SigningKey.objects.select_for_update().filter(status=SigningKey.Status.ACTIVE))
        for old in previous:
            old.status, old.retired_at, old.private_key = SigningKey.Status.RETIRED, timezone.now(), ""
            old.save(update_fields=["status", "retired_at", "private_key"])
        key = SigningKey.objects.create(kid=tokens.key_id(public_key),
                                        public_key=tokens.b64url_encode(tokens.raw_public_key(public_key)),
                                        private_key=_encrypt(private_key))
        record(actor, "parking.signing_key.created", key, kid=key.kid, retired=[old.kid for old in previous])
    reset_caches()
    return key


def active_key() -> tuple[str, Ed25519PrivateKey]:
    """(kid, private key) of the active key; the first call on an empty database creates one."""
    kid = cache.get(_ACTIVE_KID)
    if kid in _private_keys:
        return kid, _private_keys[kid]
    key = SigningKey.objects.filter(status=SigningKey.Status.ACTIVE).first()
    if key is None:
        try:
            key = create_key()
        except IntegrityError:  # another process created it at the same moment
            key = SigningKey.objects.get(status=SigningKey.Status.ACTIVE)
    _private_keys[key.kid] = _decrypt(key.private_key)
    cache.set(_ACTIVE_KID, key.kid, _CACHE_SECONDS)
    return key.kid, _private_keys[key.kid]


def note_signed(kid: str, expires_at: datetime) -> None:
    """Keep the key published until ``expires_at``: one UPDATE that touches the row only when it extends.
    Each process remembers how far it has extended a key, so most signatures need no query at all."""
    if _extended.get(kid, _NEVER) >= expires_at:
        return
    SigningKey.objects.filter(kid=kid).filter(Q(signed_until__isnull=True) | Q(signed_until__lt=expires_at)) \
        .update(signed_until=expires_at)
    _extended[kid] = expires_at


def sign(payload: dict[str, Any], *, typ: str, expires_at: datetime) -> str:
    kid, private_key = active_key()
    note_signed(kid, expires_at)
    return tokens.sign(payload, private_key, typ=typ)


def published_keys() -> dict[str, Ed25519PublicKey]:
    """Public keys a verifier must know: the active key and retired keys whose signatures may still be valid."""
    published = cache.get(_PUBLISHED)
    if published is None:
        rows = SigningKey.objects.filter(Q(status=SigningKey.Status.ACTIVE) | Q(signed_until__gte=timezone.now()))
        published = dict(rows.values_list("kid", "public_key"))
        cache.set(_PUBLISHED, published, _CACHE_SECONDS)
    for kid, raw in published.items():
        if kid not in _public_keys:
            _public_keys[kid] = Ed25519PublicKey.from_public_bytes(tokens.b64url_decode(raw))
    return {kid: _public_keys[kid] for kid in published}


def jwks() -> dict[str, list[dict[str, str]]]:
    return {"keys": [tokens.public_jwk(key) for key in published_keys().values()]}


def prune_keys(*, actor: Any = "system:parking") -> list[str]:
    """Delete retired keys whose signatures have all expired; they are no longer published anyway."""
    stale = SigningKey.objects.filter(status=SigningKey.Status.RETIRED).filter(
        Q(signed_until__isnull=True) | Q(signed_until__lt=timezone.now()))
    kids = list(stale.values_list("kid", flat=True))
    if kids:
        stale.delete()
        record(actor, "parking.signing_key.pruned", object_type="parking_enforcement.signingkey",
               object_id=",".join(kids), kids=kids)
        reset_caches()
    return kids
