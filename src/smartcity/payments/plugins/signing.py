"""HMAC-SHA256 webhook signatures with a timestamp against replays.

Header: ``t=<unix seconds>,v1=<hex hmac>`` where the HMAC covers ``b"<t>." + raw body``. Several ``v1``
values may be sent during a secret rotation; several secrets may be configured on the receiving side.
Providers with their own scheme verify in their plugin; this one is for the simulator and for providers
that let us choose.
"""

import hashlib
import hmac
import time
from collections.abc import Iterable

from .base import WebhookRejected


def signature_header(body: bytes, secret: str, timestamp: int | None = None) -> str:
    ts = int(time.time()) if timestamp is None else timestamp
    return f"t={ts},v1={_digest(body, secret, ts)}"


def verify(body: bytes, header: str | None, secrets: Iterable[str], *, tolerance_seconds: int,
           now: float | None = None) -> int:
    """Return the signed timestamp, or raise WebhookRejected (400 malformed/missing, 403 wrong/expired)."""
    if not header:
        raise WebhookRejected(400, "signature_missing", "Signature header is missing.")
    timestamp, candidates = _parse(header)
    now = time.time() if now is None else now
    if abs(now - timestamp) > tolerance_seconds:
        raise WebhookRejected(403, "signature_expired",
                              f"Signature timestamp is outside the {tolerance_seconds}s replay window.")
    expected = [_digest(body, s, timestamp) for s in secrets if s]
    # compare_digest against every candidate/secret pair: no early exit that leaks which part matched.
    matched = False
    for candidate in candidates:
        for digest in expected:
            matched |= hmac.compare_digest(candidate, digest)
    if not matched:
        raise WebhookRejected(403, "signature_invalid", "Signature does not match the request body.")
    return timestamp


def _digest(body: bytes, secret: str, timestamp: int) -> str:
    return hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise WebhookRejected(400, "signature_malformed", "Signature header must look like 't=<unix>,v1=<hex>'.")
    return timestamp, candidates
