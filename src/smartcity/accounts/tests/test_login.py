"""Password login, the TOTP step for staff, lockout after brute force, the TOTP-guarded admin."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartcity.accounts.testing import PASSWORD, login_staff, make_citizen, make_staff, totp_secret
from smartcity.accounts.twofactor import code_for_next_login
from smartcity.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
LOGIN = "/konto/anmelden/"


def post_login(client, username, password, next_url="/"):
    return client.post(LOGIN, {"username": username, "password": password, "next": next_url})


def test_citizen_logs_in_with_email_or_username_and_is_audited(client):
    citizen = make_citizen(email="erika@example.org")
    response = post_login(client, "ERIKA@example.org", PASSWORD, next_url="/konto/profil/")
    assert response.status_code == 302 and response["Location"] == "/konto/profil/"
    assert client.session["accounts.auth_context"]["provider"] == "local"
    assert AuditEvent.objects.filter(actor=citizen, action="accounts.login").exists()
    client.logout()
    assert post_login(client, citizen.username, PASSWORD).status_code == 302


def test_open_redirect_is_refused(client):
    citizen = make_citizen()
    response = post_login(client, citizen.username, PASSWORD, next_url="https://evil.example/")
    assert response["Location"] == "/"


def test_wrong_password_shows_german_error(client):
    citizen = make_citizen()
    response = post_login(client, citizen.username, "falsch")
    assert response.status_code == 200
    assert "Die Anmeldung ist fehlgeschlagen" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_brute_force_locks_the_login(client, settings):
    citizen = make_citizen()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, citizen.username, "falsch").status_code == 200
    locked = post_login(client, citizen.username, "falsch")
    assert locked.status_code == 429 or locked.status_code == 403
    assert "vorübergehend gesperrt" in locked.content.decode()
    # Even the right password is refused while locked.
    again = post_login(client, citizen.username, PASSWORD)
    assert again.status_code in (403, 429) and "_auth_user_id" not in client.session


def test_unverified_email_cannot_log_in(client):
    citizen = make_citizen(is_active=False, email_verified=False)
    assert post_login(client, citizen.username, PASSWORD).status_code == 200
    assert "_auth_user_id" not in client.session


def test_staff_must_enter_totp_code_after_password(client):
    staff = make_staff("steueramt")
    response = post_login(client, staff.username, PASSWORD, next_url="/konto/profil/")
    assert response["Location"] == reverse("accounts:two_factor")
    assert "_auth_user_id" not in client.session  # not logged in before the second factor
    page = client.get(reverse("accounts:two_factor"))
    assert "Sicherheitscode" in page.content.decode()
    wrong = client.post(reverse("accounts:two_factor"), {"otp_token": "000000"})
    assert "nicht gültig" in wrong.content.decode()
    device = TOTPDevice.objects.get(user=staff)
    device.throttling_failure_count = 0  # skip django-otp's back-off delay for the next attempt
    device.throttling_failure_timestamp = None
    device.save()
    ok = client.post(reverse("accounts:two_factor"), {"otp_token": code_for_next_login(totp_secret(staff))})
    assert ok["Location"] == "/konto/profil/"
    assert client.session["otp_device_id"] == device.persistent_id
    assert AuditEvent.objects.filter(actor=staff, action="accounts.login", details__second_factor=True).exists()


def test_totp_brute_force_locks_out(client, settings):
    staff = make_staff("steueramt")
    post_login(client, staff.username, PASSWORD)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("accounts:two_factor"), {"otp_token": "123456"})
    assert response.status_code in (403, 429)
    assert "vorübergehend gesperrt" in response.content.decode()
    # The right code is refused now, and so is the password step.
    blocked = client.post(reverse("accounts:two_factor"), {"otp_token": code_for_next_login(totp_secret(staff))})
    assert blocked.status_code in (403, 429, 302) and "otp_device_id" not in client.session
    assert post_login(Client(), staff.username, PASSWORD).status_code in (403, 429)


def test_staff_without_device_enrols_with_qr(client):
    staff = make_staff("standesamt")
    TOTPDevice.objects.filter(user=staff).delete()
    post_login(client, staff.username, PASSWORD)
    response = client.get(reverse("accounts:two_factor"))
    assert response["Location"] == reverse("accounts:two_factor_enrol")
    page = client.get(reverse("accounts:two_factor_enrol")).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    device = TOTPDevice.objects.get(user=staff, confirmed=False)
    done = client.post(reverse("accounts:two_factor_enrol"), {"otp_token": code_for_next_login(device.key)})
    assert done.status_code == 302
    device.refresh_from_db()
    assert device.confirmed and client.session["otp_device_id"] == device.persistent_id


def test_admin_requires_verified_otp_session(client):
    admin = make_staff("buergerservice", role="admin", is_superuser=True)
    client.force_login(admin, backend="smartcity.accounts.backends.EmailOrUsernameBackend")
    response = client.get("/admin/")
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow["Location"].startswith(reverse("accounts:two_factor"))
    login_staff(client, admin)
    assert client.get("/admin/").status_code == 200


def test_admin_is_not_open_to_citizens(client):
    client.force_login(make_citizen(), backend="smartcity.accounts.backends.EmailOrUsernameBackend")
    assert client.get(reverse("admin:login")).status_code == 403


def test_logout_needs_post(client):
    citizen = make_citizen()
    client.force_login(citizen, backend="smartcity.accounts.backends.EmailOrUsernameBackend")
    assert client.get("/konto/abmelden/").status_code == 405
    assert client.post("/konto/abmelden/").status_code == 302
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(actor=citizen, action="accounts.logout").exists()


def test_forged_csrf_token_on_login_is_rejected():
    client = Client(enforce_csrf_checks=True)
    citizen = make_citizen()
    client.get(LOGIN)
    response = client.post(LOGIN, {"username": citizen.username, "password": PASSWORD,
                                   "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_login_page_in_english(client):
    page = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "E-mail address or user name" in page and "Forgotten your password?" in page
