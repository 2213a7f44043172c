import pytest

from smartcity.payments.plugins import signing
from smartcity.payments.plugins.base import WebhookRejected

BODY = b'{"eventId":"e1"}'


def test_valid_signature_returns_timestamp():
    header = signing.signature_header(BODY, "geheim", 1_700_000_000)
    assert signing.verify(BODY, header, ["geheim"], tolerance_seconds=300, now=1_700_000_100) == 1_700_000_000


def test_rotated_secret_is_accepted():
    header = signing.signature_header(BODY, "alt", 1_700_000_000)
    assert signing.verify(BODY, header, ["neu", "alt"], tolerance_seconds=300, now=1_700_000_000)


@pytest.mark.parametrize(("header", "body", "status", "code"), [
    (None, BODY, 400, "signature_missing"),
    ("", BODY, 400, "signature_missing"),
    ("v1=abc", BODY, 400, "signature_malformed"),
    ("t=1700000000", BODY, 400, "signature_malformed"),
    ("t=soon,v1=abc", BODY, 400, "signature_malformed"),
    (signing.signature_header(BODY, "falsch", 1_700_000_000), BODY, 403, "signature_invalid"),
    (signing.signature_header(BODY, "geheim", 1_700_000_000), BODY + b" ", 403, "signature_invalid"),
    (signing.signature_header(BODY, "geheim", 1_699_999_000), BODY, 403, "signature_expired"),
    (signing.signature_header(BODY, "geheim", 1_700_001_000), BODY, 403, "signature_expired"),
])
def test_rejections_are_precise(header, body, status, code):
    with pytest.raises(WebhookRejected) as exc:
        signing.verify(body, header, ["geheim"], tolerance_seconds=300, now=1_700_000_000)
    assert (exc.value.http_status, exc.value.code) == (status, code)
