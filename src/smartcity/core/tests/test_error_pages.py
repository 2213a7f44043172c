"""Error pages are German first, English on request, in the portal's layout; the 500 page needs nothing that may
have failed and names the request id."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import get_resolver, reverse
from django.views import defaults

from smartcity.accounts.testing import login_citizen, make_citizen
from smartcity.core import views
from smartcity.core.middleware import request_id


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "heading"), [("de", "Seite nicht gefunden"), ("en", "Page not found")])
def test_unknown_address_gets_the_portals_not_found_page(client, language, heading):
    response = client.get("/gibt-es-nicht/", HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 404
    assert f"<h1 class=\"kern-heading-large\">{heading}</h1>" in body and 'class="site-header"' in body
    assert f'href="{reverse("catalogue:list")}"' in body


@pytest.mark.django_db
def test_another_citizens_case_looks_like_any_missing_page(client):
    login_citizen(client, make_citizen())
    response = client.get(reverse("portal:detail", args=["DUS-2026-999999"]))
    assert response.status_code == 404 and "Seite nicht gefunden" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(("view", "status", "heading"), [
    (lambda request: defaults.permission_denied(request, PermissionDenied()), 403, "Zugriff nicht erlaubt"),
    (lambda request: defaults.bad_request(request, ValueError()), 400, "Anfrage nicht verständlich"),
])
def test_denied_and_bad_requests_get_the_portals_pages(view, status, heading):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = view(request)
    assert response.status_code == status and heading in response.content.decode()


def test_server_error_page_needs_no_database_and_names_the_request_id():
    # No django_db mark: any database access would fail this test.
    token = request_id.set("4f1c2a9e")
    try:
        response = views.server_error(RequestFactory().get("/"))
    finally:
        request_id.reset(token)
    body = response.content.decode()
    assert response.status_code == 500
    assert "Technischer Fehler" in body and "Technical error" in body and body.count("<code>4f1c2a9e</code>") == 2
    assert get_resolver().resolve_error_handler(500) is views.server_error
