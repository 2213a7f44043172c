import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_and_readyz(client):
    assert client.get(reverse("core:healthz")).json() == {"status": "ok"}
    ready = client.get(reverse("core:readyz"))
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_home_has_strict_csp_and_german_default(client):
    response = client.get("/")
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert '<html lang="de"' in response.content.decode()


@pytest.mark.django_db
def test_language_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Digital Town Hall" in client.get("/").content.decode()
