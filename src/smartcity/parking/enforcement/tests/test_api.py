"""Enforcement API: authentication (401), roles (403), lookups, bad input, audit tally, rate limit;
public token verification API."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from smartcity.accounts.models import Department
from smartcity.parking.enforcement import authentication
from smartcity.parking.enforcement.models import LookupTally
from smartcity.parking.enforcement.throttling import VerifyThrottle, parse_rate

from . import factories
from .helpers import officer, staff_of

pytestmark = pytest.mark.django_db
LOOKUP = reverse("parking:enforcement-lookup")


@pytest.fixture
def device_client():
    department, _ = Department.objects.get_or_create(code="ordnungsamt", defaults={"name": "Ordnungsamt"})
    device, token = authentication.register_device(name="Scan-Car 1", department=department, actor="tester")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    client.device = device
    return client


def test_no_credentials_is_401_with_bearer_challenge():
    response = APIClient().post(LOOKUP, {"plate": "D-AB 1234"}, format="json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("header", ["Bearer enf_wrong", "Bearer", "Bearer a b", "Bearer ä"])
def test_bad_token_is_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))
    assert client.post(LOOKUP, {"plate": "D-AB 1234"}, format="json").status_code == 401


def test_deactivated_device_is_401(device_client):
    authentication.deactivate_device(device_client.device, actor="tester")
    assert device_client.post(LOOKUP, {"plate": "D-AB 1234"}, format="json").status_code == 401


def test_staff_of_another_department_is_403():
    client = APIClient()
    staff_of(client, "steueramt")
    assert client.post(LOOKUP, {"plate": "D-AB 1234"}, format="json").status_code == 403


def test_officer_without_second_factor_is_403():
    client = APIClient()
    officer(client, verified=False)
    assert client.post(LOOKUP, {"plate": "D-AB 1234"}, format="json").status_code == 403


def test_officer_with_second_factor_may_look_up():
    client = APIClient(enforce_csrf_checks=False)
    user = officer(client)
    factories.permit(plate="D-AB 1234")
    response = client.post(LOOKUP, {"plate": "dab1234"}, format="json")
    assert response.status_code == 200 and response.json()["valid"] is True
    assert LookupTally.objects.get().principal == f"user:{user.pk}"


def test_device_lookup_returns_validity_and_is_tallied(device_client):
    permit = factories.permit(plate="D-AB 1234")
    response = device_client.post(LOOKUP, {"plate": "DAB1234", "zone": "HO"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"query": "DAB1234", "valid": True, "plate": "D-AB 1234", "zone": "HO",
                               "valid_from": permit.valid_from.isoformat(),
                               "valid_until": permit.valid_until.isoformat()}
    device_client.post(LOOKUP, {"plate": "D-XY 1"}, format="json")
    tally = LookupTally.objects.get()
    assert (tally.principal, tally.kind, tally.lookups, tally.found) == (f"device:{device_client.device.pk}",
                                                                         "plate", 2, 1)


def test_unknown_plate(device_client):
    response = device_client.post(LOOKUP, {"plate": "D-XY 1"}, format="json")
    assert response.json() == {"query": "DXY1", "valid": False, "plate": None, "zone": None, "valid_from": None,
                               "valid_until": None}


@pytest.mark.parametrize("body", [{"plate": "1234"}, {"plate": ""}, {}, {"plate": "D-AB 1234", "zone": "HOX"},
                                  {"plate": "x" * 50}])
def test_bad_input_is_400_with_message_and_not_tallied(device_client, body):
    response = device_client.post(LOOKUP, body, format="json")
    assert response.status_code == 400
    assert response.json()
    assert not LookupTally.objects.exists()


def test_rate_limited_per_device(device_client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "enforcement": "2/min"}}
    codes = [device_client.post(LOOKUP, {"plate": "D-AB 1"}, format="json").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    other = APIClient()
    officer(other)
    assert other.post(LOOKUP, {"plate": "D-AB 1"}, format="json").status_code == 200  # counted per principal


def test_get_is_not_allowed(device_client):
    assert device_client.get(LOOKUP).status_code == 405


# --- public token verification -----------------------------------------------------------------------------

VERIFY = reverse("parking:verify-api")


def _token(**kwargs) -> tuple:
    from smartcity.parking.enforcement.verification import issue_token

    permit = factories.permit(**kwargs)
    return permit, issue_token(permit)


def test_verify_api_valid_token_needs_no_login():
    permit, token = _token()
    response = APIClient(enforce_csrf_checks=True).post(VERIFY, {"token": token}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid" and body["valid"] is True
    assert body["permit"] == {"id": str(permit.pk), "number": permit.number, "plate": "D-AB 1234", "zone": "HO",
                              "valid_from": permit.valid_from.isoformat(),
                              "valid_until": permit.valid_until.isoformat()}


def test_verify_api_reports_revocation_from_the_register():
    permit, token = _token()
    permit.status = "revoked"
    permit.save()
    body = APIClient().post(VERIFY, {"token": token}, format="json").json()
    assert body["status"] == "revoked" and body["valid"] is False and body["permit"]["number"] == permit.number


def test_verify_api_tampered_token_shows_no_details():
    _, token = _token()
    header, payload, signature = token.split(".")
    body = APIClient().post(VERIFY, {"token": f"{header}.{payload}x.{signature}"}, format="json").json()
    assert body == {"status": "tampered", "valid": False, "kid": None, "permit": None}


@pytest.mark.parametrize("body", [{}, {"token": ""}, {"token": "x" * 3000}])
def test_verify_api_bad_input_is_400(body):
    assert APIClient().post(VERIFY, body, format="json").status_code == 400


def test_verify_api_rate_limited(monkeypatch):
    monkeypatch.setattr(VerifyThrottle, "get_rate", lambda self: "1/min")
    client = APIClient()
    assert client.post(VERIFY, {"token": "abc"}, format="json").status_code == 200
    assert client.post(VERIFY, {"token": "abc"}, format="json").status_code == 429


@pytest.mark.parametrize("rate, expected", [("1200/min", (1200, 60)), ("5/s", (5, 1)), ("100/hour", (100, 3600)),
                                            ("1/day", (1, 86400))])
def test_parse_rate(rate, expected):
    assert parse_rate(rate) == expected


@pytest.mark.redis
def test_rate_limit_with_redis_counts_in_one_round_trip(device_client, settings, monkeypatch):
    import uuid

    from smartcity.parking.enforcement import throttling

    principal = f"device:test-{uuid.uuid4()}"  # unique across parallel test processes sharing Redis
    monkeypatch.setattr(throttling, "principal_of", lambda request: principal)
    settings.REDIS_URL = "redis://127.0.0.1:6379/6"
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "enforcement": "2/min"}}
    throttling._redis.cache_clear()
    try:
        codes = [device_client.post(LOOKUP, {"plate": "D-AB 1"}, format="json").status_code for _ in range(3)]
        keys = list(throttling._redis().scan_iter(f"ratelimit:parking-enforcement:{principal}:*"))
        assert len(keys) == 1 and 0 < throttling._redis().ttl(keys[0]) <= 120
    finally:
        for key in throttling._redis().scan_iter(f"ratelimit:parking-enforcement:{principal}:*"):
            throttling._redis().delete(key)
        throttling._redis.cache_clear()
    assert codes == [200, 200, 429]
