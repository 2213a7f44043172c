import re

import pytest
from django.core import mail
from django.urls import reverse

from smartcity.accounts.models import TrustLevel, User
from smartcity.accounts.testing import make_citizen

pytestmark = pytest.mark.django_db
FORM = {"first_name": "Jana", "last_name": "Nowak", "email": "Jana.Nowak@example.org",
        "password1": "Rheinufer-Promenade-7", "password2": "Rheinufer-Promenade-7", "privacy": "on"}


def login(client):
    return client.post("/konto/anmelden/", {"username": FORM["email"], "password": FORM["password1"]})


def link_from_mail() -> str:
    return re.search(r"http://\S+/konto/registrieren/bestaetigen/\S+/", mail.outbox[-1].body).group(0)


def test_register_verify_and_log_in(client):
    response = client.post(reverse("accounts:register"), FORM)
    assert response["Location"] == reverse("accounts:register_done")
    user = User.objects.get(email="jana.nowak@example.org")
    assert not user.is_active and not user.email_verified
    assert user.username.startswith("konto-")  # pseudonymous: audit labels outlive the account
    assert user.password.startswith("argon2")
    assert login(client).status_code == 200
    path = link_from_mail().split("8000", 1)[1]
    assert "bestätigt" in client.get(path).content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email_verified and user.trust_level == TrustLevel.BASIC
    assert login(client).status_code == 302


def test_tampered_verification_link_fails(client):
    client.post(reverse("accounts:register"), FORM)
    path = link_from_mail().split("8000", 1)[1]
    response = client.get(path.replace("/bestaetigen/", "/bestaetigen/x"))
    assert response.status_code == 400
    assert not User.objects.get(email="jana.nowak@example.org").is_active


def test_registration_errors_are_german_and_keep_input(client):
    bad = {**FORM, "password2": "anders", "privacy": ""}
    page = client.post(reverse("accounts:register"), bad).content.decode()
    assert "Die Passwörter stimmen nicht überein." in page
    assert "Bitte bestätigen Sie die Datenschutzhinweise." in page
    assert 'value="Jana"' in page and 'aria-describedby="id_password2_error"' in page
    weak = client.post(reverse("accounts:register"), {**FORM, "password1": "12345678901", "password2": "12345678901"})
    assert "id_password1_error" in weak.content.decode()
    assert not User.objects.exists()


def test_existing_email_gets_the_same_answer_and_a_notice(client):
    make_citizen(email="jana.nowak@example.org")
    response = client.post(reverse("accounts:register"), FORM)
    assert response["Location"] == reverse("accounts:register_done")
    assert User.objects.filter(email__iexact="jana.nowak@example.org").count() == 1
    assert "bereits ein Konto" in mail.outbox[-1].body


def test_registration_is_rate_limited(client, settings):
    settings.ACCOUNTS_REGISTER_RATE_LIMIT = 1
    client.post(reverse("accounts:register"), FORM)
    response = client.post(reverse("accounts:register"), {**FORM, "email": "zweite@example.org"})
    assert response.status_code == 429
    assert not User.objects.filter(email="zweite@example.org").exists()


def test_password_reset_by_mail(client):
    citizen = make_citizen(email="reset@example.org")
    client.post(reverse("accounts:password_reset"), {"email": "reset@example.org"})
    path = re.search(r"/konto/passwort/neu/\S+/", mail.outbox[-1].body).group(0)
    form_page = client.get(path, follow=True)
    action = form_page.redirect_chain[-1][0]
    done = client.post(action, {"new_password1": "Königsallee-Kö-2026", "new_password2": "Königsallee-Kö-2026"})
    assert done.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("Königsallee-Kö-2026")


def test_password_reset_mails_are_rate_limited(client):
    make_citizen(email="reset@example.org")
    for _ in range(5):
        client.post(reverse("accounts:password_reset"), {"email": "reset@example.org"})
    response = client.post(reverse("accounts:password_reset"), {"email": "reset@example.org"})
    assert response.status_code == 429 and "Zu viele Anfragen" in response.content.decode()
    assert len(mail.outbox) == 5


def test_messages_follow_the_language_of_registration(client):
    client.post(reverse("accounts:register"), FORM, HTTP_ACCEPT_LANGUAGE="en")
    assert User.objects.get(email="jana.nowak@example.org").language == "en"
