"""Online verification, the signed revocation list and the public check page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from smartcity.parking import tokens
from smartcity.parking.enforcement import signing, verification
from smartcity.parking.tokens import Status

from . import factories

pytestmark = pytest.mark.django_db


def _issued(**kwargs):
    permit = factories.permit(**kwargs)
    return permit, verification.issue_token(permit)


def test_issued_token_is_valid_online_and_keeps_its_key_published():
    permit, token = _issued()
    result = verification.verify_online(token)
    assert result.status is Status.VALID and result.claims.permit_id == str(permit.pk)
    key = signing.SigningKey.objects.get(kid=result.kid)
    assert timezone.localtime(key.signed_until).date() == permit.valid_until + timedelta(days=1)


def test_expired_and_not_yet_valid_online():
    today = timezone.localdate()
    _, old = _issued(valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=35))
    _, future = _issued(plate="D-CD 5", valid_from=today + timedelta(days=3), valid_until=today + timedelta(days=60))
    assert verification.verify_online(old).status is Status.EXPIRED
    assert verification.verify_online(future).status is Status.NOT_YET_VALID


@pytest.mark.parametrize("status", ["revoked", "replaced"])
def test_revoked_or_replaced_permit(status):
    permit, token = _issued()
    permit.status = status
    permit.save()
    assert verification.verify_online(token).status is Status.REVOKED


def test_token_of_a_permit_no_longer_held_is_not_valid():
    permit, token = _issued()
    permit.delete()
    assert verification.verify_online(token).status is Status.REVOKED


def test_token_signed_by_an_unpublished_key_is_unknown_key():
    permit = factories.permit()
    stranger = tokens.generate_private_key()
    forged = tokens.sign_permit(verification.permit_claims(permit), stranger, issuer="DUS")
    assert verification.verify_online(forged).status is Status.UNKNOWN_KEY


def test_old_tokens_stay_valid_after_rotation():
    _, token = _issued()
    signing.create_key()
    assert verification.verify_online(token).status is Status.VALID


def test_revocation_list_is_signed_lists_invalidated_permits_in_validity_and_refreshes_on_revocation(client):
    active, _ = _issued(plate="D-AA 1")
    replaced, _ = _issued(plate="D-BB 2", status="replaced")
    _issued(plate="D-CC 3", status="revoked", valid_until=timezone.localdate() - timedelta(days=1))
    response = client.get(reverse("parking:revocations"))
    assert response.status_code == 200 and response["Content-Type"] == "application/jose"
    jwks = client.get(reverse("parking:jwks")).json()
    _, revoked = tokens.open_revocation_list(response.content.decode(), tokens.keys_from_jwks(jwks))
    assert revoked == {str(replaced.pk)}
    active.status = "revoked"
    active.save()  # the cached list is dropped at once
    _, revoked = tokens.open_revocation_list(verification.revocation_list(), signing.published_keys())
    assert revoked == {str(replaced.pk), str(active.pk)}


def test_check_page_without_token_shows_form(client):
    response = client.get(reverse("parking:verify"))
    assert response.status_code == 200
    assert b'<label class="kern-label" for="id_token">' in response.content


@pytest.mark.parametrize("mutate, headline", [
    (lambda t: t, "Gültig"),
    (lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"), "Manipuliert oder beschädigt"),
    (lambda t: "https://x.example/parken/pruefung/#" + t, "Gültig"),
])
def test_check_page_shows_the_status(client, mutate, headline):
    _, token = _issued()
    response = client.post(reverse("parking:verify"), {"token": mutate(token)})
    assert response.status_code == 200
    assert headline in response.content.decode()


def test_check_page_expired(client):
    today = timezone.localdate()
    _, token = _issued(valid_from=today - timedelta(days=400), valid_until=today - timedelta(days=35))
    content = client.post(reverse("parking:verify"), {"token": token}).content.decode()
    assert "Abgelaufen" in content and "D-AB 1234" in content


@pytest.mark.parametrize("token, message", [("", "Bitte fügen Sie"), ("x" * 3000, "zu lang")], ids=["empty", "long"])
def test_check_page_bad_input_keeps_the_form_with_a_linked_error(client, token, message):
    content = client.post(reverse("parking:verify"), {"token": token}).content.decode()
    assert message in content and 'aria-describedby="id_token_hint id_token_error"' in content


def test_check_page_rate_limited(client, monkeypatch):
    from smartcity.parking.enforcement.throttling import VerifyThrottle

    monkeypatch.setattr(VerifyThrottle, "get_rate", lambda self: "1/min")
    assert client.post(reverse("parking:verify"), {"token": "abc"}).status_code == 200
    response = client.post(reverse("parking:verify"), {"token": "abc"})
    assert response.status_code == 429 and "Zu viele Prüfungen" in response.content.decode()
