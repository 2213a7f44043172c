"""Key management: encrypted storage, rotation, publication until expiry, pruning, JWKS endpoint."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from smartcity.audit.models import AuditEvent
from smartcity.parking import tokens
from smartcity.parking.enforcement import signing
from smartcity.parking.enforcement.models import SigningKey

pytestmark = pytest.mark.django_db


def test_first_use_creates_one_active_key_stored_encrypted():
    kid, private_key = signing.active_key()
    stored = SigningKey.objects.get()
    assert stored.kid == kid == tokens.key_id(private_key.public_key())
    assert stored.status == SigningKey.Status.ACTIVE
    raw = private_key.private_bytes_raw()
    assert tokens.b64url_encode(raw) not in stored.private_key and raw.hex() not in stored.private_key
    assert signing.active_key()[0] == kid  # cached, no second key


def test_encryption_key_from_settings(settings):
    settings.PARKING_KEY_ENCRYPTION_KEY = "A" * 43 + "="
    signing.create_key()
    signing.reset_caches()
    signing._private_keys.clear()
    assert signing.active_key()[0] == SigningKey.objects.get().kid


def test_rotation_retires_the_old_key_but_keeps_it_published_while_its_tokens_live():
    old_kid, old_key = signing.active_key()
    expires = timezone.now() + timedelta(days=365)
    token = signing.sign({"x": 1}, typ="test+jwt", expires_at=expires)
    new = signing.create_key(actor="tester")
    old = SigningKey.objects.get(kid=old_kid)
    assert old.status == SigningKey.Status.RETIRED and old.private_key == "" and old.signed_until == expires
    assert signing.active_key()[0] == new.kid != old_kid
    published = signing.published_keys()
    assert set(published) == {old_kid, new.kid}
    assert tokens.open_signed(token, published, typ="test+jwt")[0] == old_kid
    assert AuditEvent.objects.filter(action="parking.signing_key.created", object_id=str(new.pk)).exists()


def test_signing_extends_publication_only_forward():
    kid, _ = signing.active_key()
    later, sooner = timezone.now() + timedelta(days=700), timezone.now() + timedelta(days=30)
    signing.sign({"x": 1}, typ="test+jwt", expires_at=later)
    signing.sign({"x": 2}, typ="test+jwt", expires_at=sooner)
    assert SigningKey.objects.get(kid=kid).signed_until == later


def test_prune_removes_retired_keys_whose_signatures_expired():
    old_kid, _ = signing.active_key()
    SigningKey.objects.filter(kid=old_kid).update(signed_until=timezone.now() - timedelta(days=1))
    new = signing.create_key()
    assert set(signing.published_keys()) == {new.kid}  # expired retired key is no longer published
    assert signing.prune_keys() == [old_kid]
    assert list(SigningKey.objects.values_list("kid", flat=True)) == [new.kid]
    assert signing.prune_keys() == []


def test_management_command(capsys):
    call_command("parking_keys", "generate")
    first = SigningKey.objects.get().kid
    with pytest.raises(Exception, match="aktiven Schlüssel"):
        call_command("parking_keys", "generate")
    call_command("parking_keys", "rotate")
    call_command("parking_keys", "prune")
    out = capsys.readouterr().out
    assert first in out and "Neuer aktiver Schlüssel" in out
    assert SigningKey.objects.filter(status="active").count() == 1


def test_jwks_endpoint_publishes_public_keys_only(client):
    old_kid, _ = signing.active_key()
    signing.sign({"x": 1}, typ="test+jwt", expires_at=timezone.now() + timedelta(days=10))
    new = signing.create_key()
    response = client.get(reverse("parking:jwks"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk-set+json"
    assert "max-age=300" in response["Cache-Control"]
    body = response.json()
    assert {k["kid"] for k in body["keys"]} == {old_kid, new.kid}
    assert all(set(k) == {"kty", "crv", "x", "kid", "use", "alg"} for k in body["keys"])
    assert set(tokens.keys_from_jwks(body)) == {old_kid, new.kid}


def test_device_command_add_list_deactivate(capsys):
    from smartcity.accounts.models import Department
    from smartcity.parking.enforcement.authentication import hash_token
    from smartcity.parking.enforcement.models import EnforcementDevice

    Department.objects.create(code="ordnungsamt", name="Ordnungsamt")
    call_command("parking_devices", "add", "Scan-Fahrzeug 1")
    token = capsys.readouterr().out.strip().splitlines()[-1]
    device = EnforcementDevice.objects.get()
    assert device.token_hash == hash_token(token) and token not in device.token_hash and device.is_active
    call_command("parking_devices", "list")
    assert "Scan-Fahrzeug 1" in capsys.readouterr().out
    call_command("parking_devices", "deactivate", str(device.pk))
    device.refresh_from_db()
    assert not device.is_active
    with pytest.raises(Exception, match="Fachbereich"):
        call_command("parking_devices", "add", "X", department="gibtsnicht")
    with pytest.raises(Exception, match="Kein Gerät"):
        call_command("parking_devices", "deactivate", "abc")
