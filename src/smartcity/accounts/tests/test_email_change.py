"""Changing the account's e-mail address: confirmed from the new address, the old one is told."""

import re

import pytest
from django.core import mail, signing
from django.urls import reverse

from smartcity.accounts import services
from smartcity.accounts.models import User
from smartcity.accounts.testing import PASSWORD, make_citizen
from smartcity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/konto/profil/e-mail/"


@pytest.fixture
def citizen(client):
    user = make_citizen(email="erika@example.org")
    client.force_login(user)
    return user


def confirmation_path() -> str:
    return re.search(r"http://\S+(/konto/profil/e-mail/bestaetigen/\S+/)", mail.outbox[-1].body).group(1)


def test_change_is_confirmed_from_the_new_address(client, citizen, django_capture_on_commit_callbacks):
    response = client.post(URL, {"email": " Erika.Neu@Example.org ", "password": PASSWORD})
    assert response["Location"] == reverse("accounts:profile")
    assert mail.outbox[-1].to == ["erika.neu@example.org"]
    citizen.refresh_from_db()
    assert citizen.email == "erika@example.org"  # unchanged until confirmed

    path = confirmation_path()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(path)
    assert response["Location"] == reverse("accounts:profile")
    citizen.refresh_from_db()
    assert (citizen.email, citizen.email_verified) == ("erika.neu@example.org", True)
    assert mail.outbox[-1].to == ["erika@example.org"]  # the old address is told
    assert "geändert" in mail.outbox[-1].subject
    assert AuditEvent.objects.filter(action="accounts.email_changed", object_id=str(citizen.pk)).exists()
    assert not AuditEvent.objects.filter(details__icontains="erika.neu").exists()  # no addresses in the audit trail

    page = client.get(path)  # the link works once
    assert page.status_code == 400 and "schon geändert" in page.content.decode()


def test_bad_inputs_get_german_errors_and_change_nothing(client, citizen):
    wrong = client.post(URL, {"email": "neu@example.org", "password": "falsch"}).content.decode()
    assert "Das Passwort ist nicht korrekt." in wrong and 'value="neu@example.org"' in wrong
    same = client.post(URL, {"email": "ERIKA@example.org", "password": PASSWORD}).content.decode()
    assert "Das ist bereits Ihre E-Mail-Adresse." in same
    invalid = client.post(URL, {"email": "kein-at-zeichen", "password": PASSWORD}).content.decode()
    assert "gültige E-Mail-Adresse" in invalid
    assert not mail.outbox
    assert User.objects.get(pk=citizen.pk).email == "erika@example.org"


def test_address_of_another_account_gets_a_notice_not_a_link(client, citizen):
    make_citizen(email="vergeben@example.org")
    response = client.post(URL, {"email": "vergeben@example.org", "password": PASSWORD})
    assert response["Location"] == reverse("accounts:profile")  # same answer: no account enumeration
    assert mail.outbox[-1].to == ["vergeben@example.org"]
    assert "/bestaetigen/" not in mail.outbox[-1].body


def test_address_taken_before_confirmation_is_refused(client, citizen):
    client.post(URL, {"email": "neu@example.org", "password": PASSWORD})
    path = confirmation_path()
    make_citizen(email="neu@example.org")
    page = client.get(path)
    assert page.status_code == 400 and "anderen Konto" in page.content.decode()
    assert User.objects.get(pk=citizen.pk).email == "erika@example.org"


def test_link_is_bound_to_its_account_and_signature(client, citizen):
    client.post(URL, {"email": "neu@example.org", "password": PASSWORD})
    path = confirmation_path()
    client.force_login(make_citizen(email="mallory@example.org"))
    assert client.get(path).status_code == 400
    assert client.get(path.replace("/bestaetigen/", "/bestaetigen/x")).status_code == 400
    assert User.objects.get(email="mallory@example.org")
    assert User.objects.get(pk=citizen.pk).email == "erika@example.org"


def test_expired_link_is_refused(citizen, monkeypatch):
    token = signing.dumps({"u": citizen.pk, "old": citizen.email, "new": "neu@example.org"},
                          salt=services.EMAIL_CHANGE_SALT)
    monkeypatch.setattr(services, "EMAIL_CHANGE_MAX_AGE", -1)
    with pytest.raises(services.EmailChangeFailed, match="abgelaufen"):
        services.confirm_email_change(citizen, token)


def test_confirmation_needs_login(client, citizen):
    client.post(URL, {"email": "neu@example.org", "password": PASSWORD})
    path = confirmation_path()
    client.logout()
    response = client.get(path)
    assert response.status_code == 302 and "/konto/anmelden/" in response["Location"]


def test_requests_are_rate_limited(client, citizen):
    for n in range(5):
        client.post(URL, {"email": f"neu{n}@example.org", "password": PASSWORD})
    page = client.post(URL, {"email": "neu9@example.org", "password": PASSWORD}).content.decode()
    assert "Zu viele Versuche" in page
    assert len(mail.outbox) == 5


def test_account_without_password_changes_without_one(client):
    user = make_citizen(email="bund@example.org", password=None)  # identity-provider account
    assert not user.has_usable_password()
    client.force_login(user)
    assert client.post(URL, {"email": "bund.neu@example.org"})["Location"] == reverse("accounts:profile")
    assert mail.outbox[-1].to == ["bund.neu@example.org"]
