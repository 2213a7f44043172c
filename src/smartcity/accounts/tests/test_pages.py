"""Every account page renders in German and English (catches template and catalogue mistakes)."""

import pytest
from django.urls import reverse

from smartcity.accounts.testing import login_citizen, make_citizen

pytestmark = pytest.mark.django_db

PUBLIC = ["accounts:login", "accounts:register", "accounts:register_done", "accounts:resend_verification",
          "accounts:password_reset", "accounts:password_reset_done", "accounts:password_reset_complete",
          "accounts:step_up", "accounts:bundid-simulator-login"]
PRIVATE = ["accounts:profile", "accounts:data_export", "accounts:delete", "accounts:password_change"]


@pytest.mark.parametrize("language, word", [("de", "Anmelden"), ("en", "Log in")])
def test_pages_render(client, language, word):
    for name in PUBLIC:
        response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200, name
    assert word in client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    login_citizen(client, make_citizen())
    for name in PRIVATE:
        assert client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language).status_code == 200, name


def test_invalid_verification_link_page(client):
    response = client.get(reverse("accounts:verify_email", args=["kaputt"]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "invalid or has expired" in response.content.decode()
