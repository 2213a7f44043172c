"""Signed permit tokens and signed documents: Ed25519 compact JWS (RFC 7515, RFC 8037).

Pure module over ``cryptography`` with no Django imports, so that a handheld, a scan car or a test can
verify a permit offline with nothing but the published key set (JWKS). See ADR 0060.

A permit token is ``base64url(header) "." base64url(payload) "." base64url(signature)`` with
header ``{"alg": "EdDSA", "kid": …, "typ": "permit+jwt"}`` and payload
``{"iss", "pid", "num", "plate", "zone", "nbf", "exp"}``. The same keys sign the revocation list and the
enforcement snapshot manifest; their ``typ`` differs, so one can never be passed off as another.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Container, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ALG = "EdDSA"
TYP_PERMIT = "permit+jwt"
TYP_REVOCATIONS = "revocations+jwt"
TYP_SNAPSHOT = "snapshot+jwt"
# Permits are valid for whole local days: from 00:00 of valid_from to 24:00 of valid_until, German time.
LOCAL_TZ = ZoneInfo("Europe/Berlin")
MAX_TOKEN_LENGTH = 2048  # anything longer is not ours; refuse before decoding


class Status(StrEnum):
    VALID = "valid"
    TAMPERED = "tampered"  # malformed, wrong algorithm or type, or a signature that does not match
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    REVOKED = "revoked"
    UNKNOWN_KEY = "unknown_key"  # well-formed, but signed with a key id nobody published


class TokenError(ValueError):
    """A signed document that cannot be trusted; ``status`` says why."""

    def __init__(self, status: Status, detail: str):
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class PermitClaims:
    permit_id: str
    number: str
    plate: str
    zone: str
    valid_from: date
    valid_until: date

    def to_payload(self, issuer: str) -> dict[str, Any]:
        return {"iss": issuer, "pid": self.permit_id, "num": self.number, "plate": self.plate, "zone": self.zone,
                "nbf": day_start(self.valid_from), "exp": day_start(self.valid_until + timedelta(days=1))}

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> PermitClaims:
        return cls(permit_id=str(payload["pid"]), number=str(payload["num"]), plate=str(payload["plate"]),
                   zone=str(payload["zone"]), valid_from=_local_date(payload["nbf"]),
                   valid_until=_local_date(payload["exp"]) - timedelta(days=1))


@dataclass(frozen=True)
class Verification:
    status: Status
    claims: PermitClaims | None = None  # only when the signature checked out
    kid: str = ""
    detail: str = ""

    @property
    def is_valid(self) -> bool:
        return self.status is Status.VALID


def day_start(day: date) -> int:
    """Unix time of local midnight at the start of ``day``."""
    return int(datetime.combine(day, time.min, tzinfo=LOCAL_TZ).timestamp())


def _local_date(timestamp: Any) -> date:
    return datetime.fromtimestamp(int(timestamp), tz=LOCAL_TZ).date()


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not text or any(c not in _B64URL for c in text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def _json(data: Mapping[str, Any]) -> bytes:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, sort_keys=True).encode()


# --- keys -------------------------------------------------------------------------------------------------

def generate_private_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def raw_public_key(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_key: Ed25519PublicKey) -> str:
    """The first 16 characters of the RFC 7638 JWK thumbprint: stable, and checkable by any verifier."""
    members = {"crv": "Ed25519", "kty": "OKP", "x": b64url_encode(raw_public_key(public_key))}
    return b64url_encode(hashlib.sha256(_json(members)).digest())[:16]


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    return {"kty": "OKP", "crv": "Ed25519", "x": b64url_encode(raw_public_key(public_key)),
            "kid": key_id(public_key), "use": "sig", "alg": ALG}


def keys_from_jwks(jwks: Mapping[str, Any]) -> dict[str, Ed25519PublicKey]:
    """Public keys by kid from a JWKS document; entries that are not Ed25519 or whose kid lies are skipped."""
    keys: dict[str, Ed25519PublicKey] = {}
    for jwk in jwks.get("keys", []):
        if not isinstance(jwk, Mapping) or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
            continue
        try:
            key = Ed25519PublicKey.from_public_bytes(b64url_decode(str(jwk.get("x", ""))))
        except ValueError:
            continue
        if jwk.get("kid") == key_id(key):
            keys[jwk["kid"]] = key
    return keys


# --- signing and verifying --------------------------------------------------------------------------------

def sign(payload: Mapping[str, Any], private_key: Ed25519PrivateKey, *, typ: str) -> str:
    """A compact JWS over ``payload`` with the key's kid in the header."""
    header = {"alg": ALG, "kid": key_id(private_key.public_key()), "typ": typ}
    signing_input = f"{b64url_encode(_json(header))}.{b64url_encode(_json(payload))}"
    return f"{signing_input}.{b64url_encode(private_key.sign(signing_input.encode('ascii')))}"


def sign_permit(claims: PermitClaims, private_key: Ed25519PrivateKey, *, issuer: str) -> str:
    return sign(claims.to_payload(issuer), private_key, typ=TYP_PERMIT)


def open_signed(token: str, keys: Mapping[str, Ed25519PublicKey], *, typ: str) -> tuple[str, dict[str, Any]]:
    """Check form, type and signature; return (kid, payload) or raise TokenError (TAMPERED or UNKNOWN_KEY)."""
    token = (token or "").strip()
    parts = token.split(".")
    if len(token) > MAX_TOKEN_LENGTH or len(parts) != 3:
        raise TokenError(Status.TAMPERED, "not a compact JWS")
    try:
        header = json.loads(b64url_decode(parts[0]))
        payload = json.loads(b64url_decode(parts[1]))
        signature = b64url_decode(parts[2])
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise TokenError(Status.TAMPERED, "undecodable part")
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise TokenError(Status.TAMPERED, "header or payload is not an object")
    # The algorithm is fixed, never taken from the token ("alg": "none" and algorithm confusion).
    if header.get("alg") != ALG or header.get("typ") != typ:
        raise TokenError(Status.TAMPERED, "unexpected alg or typ")
    kid = str(header.get("kid", ""))
    key = keys.get(kid)
    if key is None:
        raise TokenError(Status.UNKNOWN_KEY, f"unknown key id {kid!r}")
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature:
        raise TokenError(Status.TAMPERED, "signature does not match")
    return kid, payload


def verify_permit(token: str, keys: Mapping[str, Ed25519PublicKey], *, now: datetime,
                  revoked: Container[str] = frozenset()) -> Verification:
    """Verify a permit token. Order: form and signature, then revocation, then the validity window."""
    try:
        kid, payload = open_signed(token, keys, typ=TYP_PERMIT)
        claims = PermitClaims.from_payload(payload)
        nbf, exp = int(payload["nbf"]), int(payload["exp"])
    except TokenError as error:
        return Verification(error.status, detail=error.detail)
    except (KeyError, TypeError, ValueError, OverflowError):
        # Signed by us but not a permit: treat like any other token we cannot trust.
        return Verification(Status.TAMPERED, detail="payload lacks permit claims")
    timestamp = now.timestamp()
    if claims.permit_id in revoked:
        status = Status.REVOKED
    elif timestamp < nbf:
        status = Status.NOT_YET_VALID
    elif timestamp >= exp:
        status = Status.EXPIRED
    else:
        status = Status.VALID
    return Verification(status, claims=claims, kid=kid)


# --- revocation list --------------------------------------------------------------------------------------

def revocation_payload(permit_ids: list[str], *, issuer: str, issued_at: datetime) -> dict[str, Any]:
    return {"iss": issuer, "iat": int(issued_at.timestamp()), "revoked": sorted(permit_ids)}


def sign_revocation_list(permit_ids: list[str], private_key: Ed25519PrivateKey, *, issuer: str,
                         issued_at: datetime) -> str:
    return sign(revocation_payload(permit_ids, issuer=issuer, issued_at=issued_at), private_key,
                typ=TYP_REVOCATIONS)


def open_revocation_list(jws: str, keys: Mapping[str, Ed25519PublicKey]) -> tuple[datetime, frozenset[str]]:
    """(issued at, revoked permit ids); raises TokenError if the list is not authentic."""
    _, payload = open_signed(jws, keys, typ=TYP_REVOCATIONS)
    try:
        return datetime.fromtimestamp(int(payload["iat"]), tz=UTC), frozenset(map(str, payload["revoked"]))
    except (KeyError, TypeError, ValueError):
        raise TokenError(Status.TAMPERED, "malformed revocation list")


# --- enforcement snapshot ---------------------------------------------------------------------------------

SNAPSHOT_HASH = "HMAC-SHA256/128"  # over the canonical plate ("D-AB 1234"), keyed with the snapshot's salt


def plate_hmac(salt: bytes, canonical_plate: str) -> str:
    """The snapshot's key for a plate: 128 bits of HMAC-SHA256, base64url (22 characters)."""
    return b64url_encode(hmac.new(salt, canonical_plate.encode(), hashlib.sha256).digest()[:16])


def open_snapshot(manifest: str, content: bytes, keys: Mapping[str, Ed25519PublicKey]) -> dict[str, Any]:
    """Check a snapshot's signed manifest and that ``content`` (the .tsv.gz file) is the file it describes."""
    _, payload = open_signed(manifest, keys, typ=TYP_SNAPSHOT)
    if not hmac.compare_digest(str(payload.get("sha256", "")), hashlib.sha256(content).hexdigest()):
        raise TokenError(Status.TAMPERED, "snapshot file does not match its manifest")
    return payload


# --- offline verification (what a handheld does) -----------------------------------------------------------

def verify_offline(token: str, jwks: Mapping[str, Any], revocation_list: str | None = None, *,
                   now: datetime | None = None) -> Verification:
    """Verify a scanned token with only the published JWKS and (optionally) the published revocation list.

    A revocation list whose signature does not check out is ignored, never trusted.
    """
    keys = keys_from_jwks(jwks)
    revoked: frozenset[str] = frozenset()
    if revocation_list:
        try:
            _, revoked = open_revocation_list(revocation_list, keys)
        except TokenError:
            revoked = frozenset()
    return verify_permit(extract_token(token), keys, now=now or datetime.now(UTC), revoked=revoked)


def extract_token(scanned: str) -> str:
    """The token from what a scanner read: the QR code holds the verification URL with the token after "#"
    (a fragment never reaches a server log); a bare token is accepted too."""
    return (scanned or "").strip().rsplit("#", 1)[-1].strip()
