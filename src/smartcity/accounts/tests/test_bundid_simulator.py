"""The BundID simulator as a login provider: new accounts, linking (step-up), limits."""

from datetime import date

import pytest
from django.urls import reverse

from smartcity.accounts.models import TrustLevel, User
from smartcity.accounts.plugins import registry
from smartcity.accounts.testing import login_citizen, make_citizen, make_staff
from smartcity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
SIM = reverse("accounts:bundid-simulator-login")
ERIKA, AYSE = "SIM-7Q2K9X4M1B", "SIM-3H8V6N2T5C"


def pick(client, person=ERIKA, level=TrustLevel.SUBSTANTIAL, required="", next_url="/konto/profil/"):
    return client.post(f"{SIM}?level={required}", {"person": person, "trust_level": level, "next": next_url,
                                                     "level": required})


def test_new_person_gets_an_account_with_verified_attributes(client):
    response = pick(client, person=AYSE, level=TrustLevel.HIGH)
    assert response["Location"] == "/konto/profil/"
    user = User.objects.get(external_id=AYSE)
    assert (user.first_name, user.last_name, user.birth_date, user.postcode) == ("Ayşe", "Yılmaz",
                                                                                date(1988, 3, 27), "40233")
    assert user.trust_level == TrustLevel.HIGH and user.login_provider == "bundid-simulator"
    assert not user.has_usable_password()
    assert set(user.verified_fields) == set(User.VERIFIABLE_FIELDS)
    context = client.session["accounts.auth_context"]
    assert context["levelOfAssurance"] == "STORK-QAA-Level-4" and context["identifier"]["type"] == "bPK2"
    client.logout()
    pick(client, person=AYSE, level=TrustLevel.SUBSTANTIAL)
    assert User.objects.filter(external_id=AYSE).count() == 1


def test_profile_shows_verified_values_read_only(client):
    pick(client, person=AYSE)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Von Ihrem Identitätsnachweis bestätigt" in page and "disabled" in page
    client.post(reverse("accounts:profile"), {"first_name": "Mallory", "last_name": "X", "street": "Hackweg",
                                              "house_number": "1", "postcode": "12345", "city": "Y"})
    user = User.objects.get(external_id=AYSE)
    assert (user.first_name, user.street) == ("Ayşe", "Ackerstraße")


def test_step_up_links_identity_to_signed_in_account_and_returns(client):
    citizen = make_citizen(trust_level=TrustLevel.BASIC, first_name="Jan", last_name="K.")
    login_citizen(client, citizen)
    step_up = client.get(f"{reverse('accounts:step_up')}?level=hoch&next=/parken/antrag/")
    assert "Mit BundID anmelden" in step_up.content.decode()
    start = client.get(f"{reverse('accounts:provider_start', args=['bundid-simulator'])}"
                       f"?level=hoch&next=/parken/antrag/")
    assert start["Location"].startswith(SIM)
    too_low = pick(client, person="SIM-9D4R1L7W8E", level=TrustLevel.SUBSTANTIAL, required=TrustLevel.HIGH)
    assert "mindestens das Vertrauensniveau" in too_low.content.decode()
    response = pick(client, person="SIM-9D4R1L7W8E", level=TrustLevel.HIGH, required=TrustLevel.HIGH,
                    next_url="/parken/antrag/")
    assert response["Location"] == "/parken/antrag/"
    citizen.refresh_from_db()
    assert citizen.trust_level == TrustLevel.HIGH and citizen.external_id == "SIM-9D4R1L7W8E"
    assert citizen.last_name == "Kowalski"
    assert AuditEvent.objects.filter(actor=citizen, action="accounts.identity_linked").exists()


def test_identity_of_another_account_is_not_linked(client):
    make_citizen(external_id=ERIKA)
    other = make_citizen(trust_level=TrustLevel.BASIC)
    login_citizen(client, other)
    response = pick(client, person=ERIKA)
    assert response["Location"] == reverse("accounts:profile")
    other.refresh_from_db()
    assert other.external_id == "" and other.trust_level == TrustLevel.BASIC


def test_staff_via_bundid_still_need_the_second_factor(client):
    staff = make_staff("steueramt", external_id=ERIKA)
    response = pick(client, person=ERIKA)
    assert response["Location"] == reverse("accounts:two_factor")
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=staff.pk).external_id == ERIKA


def test_cancel_and_bad_input(client):
    cancel = client.post(SIM, {"cancel": "1", "next": "/konto/profil/"})
    assert cancel["Location"].startswith(reverse("accounts:login"))
    bad = client.post(SIM, {"person": "SIM-UNKNOWN", "trust_level": "mittel"})
    assert bad.status_code == 200 and "kern-error" in bad.content.decode()
    assert not User.objects.exists()


def test_simulator_is_rate_limited(client, settings):
    settings.BUNDID_SIMULATOR_RATE_LIMIT = 2
    for _ in range(2):
        pick(client)
        client.logout()
    assert pick(client).status_code == 429


def test_simulator_can_be_switched_off(client, settings):
    settings.BUNDID_SIMULATOR_ENABLED = False
    assert client.get(SIM).status_code == 404
    assert "bundid-simulator" not in [p.identifier for p in registry.enabled()]
    assert "BundID" not in client.get(reverse("accounts:login")).content.decode()


def test_deactivated_account_is_not_logged_in(client):
    make_citizen(external_id=ERIKA, is_active=False)
    response = pick(client)
    assert response.status_code == 403 and "gesperrt" in response.content.decode()
    assert "_auth_user_id" not in client.session
