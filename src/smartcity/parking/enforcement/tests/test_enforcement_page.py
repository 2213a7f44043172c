"""The officers' page: access (2FA staff of an enforcement department only), plate and QR checks, audit."""

import pytest
from django.test import Client
from django.urls import reverse

from smartcity.accounts.testing import login_citizen, make_citizen
from smartcity.parking.enforcement.models import LookupTally
from smartcity.parking.enforcement.verification import issue_token, verification_url

from . import factories
from .helpers import officer, staff_of

pytestmark = pytest.mark.django_db
PAGE = reverse("parking:enforcement")


def test_anonymous_goes_to_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and "/konto/" in response["Location"]


def test_citizen_and_other_departments_are_refused(client):
    login_citizen(client, make_citizen())
    assert client.get(PAGE).status_code == 403
    other = Client()
    staff_of(other, "steueramt")
    assert other.get(PAGE).status_code == 403
    assert other.post(PAGE, {"check": "plate", "plate": "D-AB 1234"}).status_code == 403


def test_officer_without_second_factor_is_sent_to_it(client):
    officer(client, verified=False)
    response = client.get(PAGE)
    assert response.status_code == 302 and "next=" in response["Location"]


def test_page_offers_plate_and_qr_checks(client):
    officer(client)
    content = client.get(PAGE).content.decode()
    assert 'for="id_plate"' in content and 'for="id_token"' in content and "scan.js" in content
    assert "<script>" not in content and "style=" not in content


def test_plate_check(client):
    user = officer(client)
    permit = factories.permit(plate="D-AB 1234")
    content = client.post(PAGE, {"check": "plate", "plate": "dab1234"}).content.decode()
    assert "Gültiger Bewohnerparkausweis" in content and permit.valid_until.strftime("%d.%m.%Y") in content
    content = client.post(PAGE, {"check": "plate", "plate": "D-AB 1234", "zone": "MÜ"}).content.decode()
    assert "Kein gültiger Bewohnerparkausweis" in content
    tally = LookupTally.objects.get()
    assert (tally.principal, tally.kind, tally.lookups, tally.found) == (f"user:{user.pk}", "plate", 2, 1)


def test_bad_plate_keeps_the_input_with_a_linked_message(client):
    officer(client)
    content = client.post(PAGE, {"check": "plate", "plate": "12345"}).content.decode()
    assert 'aria-describedby="id_plate_hint id_plate_error"' in content and 'value="12345"' in content
    assert "Kennzeichen" in content and not LookupTally.objects.exists()


def test_qr_check_valid_and_tampered(client):
    officer(client)
    permit = factories.permit()
    url = verification_url(issue_token(permit))
    content = client.post(PAGE, {"check": "token", "token": url}).content.decode()
    assert "Gültig" in content and permit.number in content
    content = client.post(PAGE, {"check": "token", "token": url[:-5] + "AAAAA"}).content.decode()
    assert "Manipuliert oder beschädigt" in content
    assert LookupTally.objects.get(kind="token").lookups == 2
