"""The token format (pure module): signatures, tampering, time window, revocation, key ids, offline checks."""

from datetime import UTC, date, datetime, timedelta

import pytest

from smartcity.parking import tokens
from smartcity.parking.tokens import PermitClaims, Status

CLAIMS = PermitClaims(permit_id="5b0c7c1e-3f57-4a8e-9d7e-1f2a3b4c5d6e", number="BP-2026-000123",
                      plate="D-AB 1234", zone="HO", valid_from=date(2026, 1, 1), valid_until=date(2026, 12, 31))
INSIDE = datetime(2026, 6, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def key():
    return tokens.generate_private_key()


@pytest.fixture(scope="module")
def token(key):
    return tokens.sign_permit(CLAIMS, key, issuer="DUS")


def keyset(*private_keys):
    return {tokens.key_id(k.public_key()): k.public_key() for k in private_keys}


def test_valid_token_round_trips_claims(key, token):
    result = tokens.verify_permit(token, keyset(key), now=INSIDE)
    assert result.status is Status.VALID and result.is_valid
    assert result.claims == CLAIMS
    assert result.kid == tokens.key_id(key.public_key())


def test_header_names_algorithm_key_and_type(key, token):
    import json

    header = json.loads(tokens.b64url_decode(token.split(".")[0]))
    assert header == {"alg": "EdDSA", "kid": tokens.key_id(key.public_key()), "typ": "permit+jwt"}


@pytest.mark.parametrize("moment, expected", [
    (datetime(2025, 12, 31, 22, 59, tzinfo=UTC), Status.NOT_YET_VALID),  # 23:59 in Düsseldorf the day before
    (datetime(2025, 12, 31, 23, 0, tzinfo=UTC), Status.VALID),  # local midnight of valid_from
    (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), Status.VALID),  # last minute of valid_until
    (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), Status.EXPIRED),
])
def test_validity_covers_whole_local_days(key, token, moment, expected):
    assert tokens.verify_permit(token, keyset(key), now=moment).status is expected


def test_expired_and_not_yet_valid_still_show_the_claims(key, token):
    result = tokens.verify_permit(token, keyset(key), now=INSIDE + timedelta(days=400))
    assert result.status is Status.EXPIRED and result.claims.plate == "D-AB 1234"


def _replace_part(token: str, index: int, data: dict) -> str:
    import json

    parts = token.split(".")
    parts[index] = tokens.b64url_encode(json.dumps(data).encode())
    return ".".join(parts)


@pytest.mark.parametrize("mutate", [
    pytest.param(lambda t: _replace_part(t, 1, {**CLAIMS.to_payload("DUS"), "plate": "D-XY 999"}), id="plate"),
    pytest.param(lambda t: _replace_part(t, 1, {**CLAIMS.to_payload("DUS"), "exp": 4102444800}), id="exp"),
    pytest.param(lambda t: t[:-4] + ("AAAA" if not t.endswith("AAAA") else "BBBB"), id="signature"),
    pytest.param(lambda t: t.rsplit(".", 1)[0] + ".", id="no-signature"),
    pytest.param(lambda t: t.replace(".", "", 1), id="two-parts"),
    pytest.param(lambda t: "kein token", id="garbage"),
    pytest.param(lambda t: "", id="empty"),
    pytest.param(lambda t: "ä.ö.ü", id="non-ascii"),
    pytest.param(lambda t: t + "." + t, id="too-many-parts"),
    pytest.param(lambda t: "A" * 5000, id="huge"),
])
def test_tampered_tokens_are_reported_as_tampered(key, token, mutate):
    result = tokens.verify_permit(mutate(token), keyset(key), now=INSIDE)
    assert result.status is Status.TAMPERED
    assert result.claims is None


def test_alg_none_and_other_types_are_rejected(key, token):
    header = {"alg": "none", "kid": tokens.key_id(key.public_key()), "typ": "permit+jwt"}
    assert tokens.verify_permit(_replace_part(token, 0, header), keyset(key), now=INSIDE).status is Status.TAMPERED
    revocations = tokens.sign_revocation_list([], key, issuer="DUS", issued_at=INSIDE)
    assert tokens.verify_permit(revocations, keyset(key), now=INSIDE).status is Status.TAMPERED


def test_signed_document_without_permit_claims_is_tampered(key):
    odd = tokens.sign({"pid": "x"}, key, typ=tokens.TYP_PERMIT)
    assert tokens.verify_permit(odd, keyset(key), now=INSIDE).status is Status.TAMPERED


def test_unknown_key_id(key, token):
    other = tokens.generate_private_key()
    result = tokens.verify_permit(token, keyset(other), now=INSIDE)
    assert result.status is Status.UNKNOWN_KEY and result.claims is None


def test_key_set_with_a_lying_kid_does_not_verify(key, token):
    # A JWKS entry claiming our kid but holding another key is dropped, so the token's key stays unknown.
    impostor = tokens.public_jwk(tokens.generate_private_key().public_key())
    impostor["kid"] = tokens.key_id(key.public_key())
    assert tokens.keys_from_jwks({"keys": [impostor]}) == {}


def test_revoked_token(key, token):
    result = tokens.verify_permit(token, keyset(key), now=INSIDE, revoked={CLAIMS.permit_id})
    assert result.status is Status.REVOKED


def test_rotation_old_tokens_verify_while_old_key_is_published(key, token):
    new_key = tokens.generate_private_key()
    new_token = tokens.sign_permit(CLAIMS, new_key, issuer="DUS")
    both = keyset(key, new_key)
    assert tokens.verify_permit(token, both, now=INSIDE).is_valid
    assert tokens.verify_permit(new_token, both, now=INSIDE).is_valid
    assert tokens.verify_permit(token, keyset(new_key), now=INSIDE).status is Status.UNKNOWN_KEY


def test_offline_verification_with_published_jwks_and_revocation_list(key, token):
    jwks = {"keys": [tokens.public_jwk(key.public_key())]}
    assert tokens.verify_offline(token, jwks, now=INSIDE).is_valid
    url = f"https://www.duesseldorf.example/parken/pruefung/#{token}"
    assert tokens.verify_offline(url, jwks, now=INSIDE).is_valid
    revocations = tokens.sign_revocation_list([CLAIMS.permit_id], key, issuer="DUS", issued_at=INSIDE)
    assert tokens.verify_offline(token, jwks, revocations, now=INSIDE).status is Status.REVOKED


def test_offline_verifier_ignores_a_forged_revocation_list(key, token):
    forger = tokens.generate_private_key()
    forged = tokens.sign_revocation_list([CLAIMS.permit_id], forger, issuer="DUS", issued_at=INSIDE)
    jwks = {"keys": [tokens.public_jwk(key.public_key())]}
    assert tokens.verify_offline(token, jwks, forged, now=INSIDE).is_valid
    with pytest.raises(tokens.TokenError) as error:
        tokens.open_revocation_list(forged, keyset(key))
    assert error.value.status is Status.UNKNOWN_KEY


def test_key_id_is_the_rfc7638_thumbprint_prefix():
    # RFC 8037 appendix A.3: the thumbprint of this Ed25519 key is kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    public = Ed25519PublicKey.from_public_bytes(tokens.b64url_decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"))
    assert tokens.key_id(public) == "kPrK_qmxVWaYVA9w"
