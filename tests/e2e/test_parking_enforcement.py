"""Verification of a permit's QR code: the enforcement officers' page (2FA) and the public check page."""

from io import BytesIO

import pytest
from pypdf import PdfReader

from smartcity.accounts.testing import PASSWORD, make_staff, playwright_login, totp_secret
from smartcity.parking.enforcement.tests import factories
from smartcity.parking.permit_pdf import render_permit_pdf
from tests.e2e.conftest import axe_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _qr_content_of_pdf(permit) -> str:
    """What the QR code on the permit holds (also stored in the PDF's keywords)."""
    return PdfReader(BytesIO(render_permit_pdf(permit))).metadata["/Keywords"]


def test_officer_verifies_the_qr_code_and_checks_a_plate(live_server, page):
    permit = factories.permit(plate="D-AB 1234")
    scanned = _qr_content_of_pdf(permit)
    officer = make_staff("ordnungsamt")
    playwright_login(page, live_server.url, officer.username, PASSWORD, totp_secret(officer))

    page.goto(live_server.url + "/parken/kontrolle/")
    page.get_by_label("Prüfcode aus dem QR-Code").fill(scanned)
    page.get_by_role("button", name="Ausweis prüfen").click()
    result = page.locator(".verification-result")
    assert result.locator("h2").inner_text() == "Gültig"
    assert "D-AB 1234" in result.inner_text() and permit.number in result.inner_text()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    page.get_by_label("Prüfcode aus dem QR-Code").fill(scanned[:-6] + "AAAAAA")
    page.get_by_role("button", name="Ausweis prüfen").click()
    assert page.locator(".verification-result h2").inner_text() == "Manipuliert oder beschädigt"

    page.get_by_label("Kennzeichen", exact=True).fill("dab1234")
    page.get_by_role("button", name="Kennzeichen prüfen").click()
    assert page.locator(".verification-result h3").inner_text() == "Gültiger Bewohnerparkausweis"
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_phone_camera_opens_the_public_check_page_from_the_qr_code(live_server, page):
    permit = factories.permit(plate="D-CD 56")
    scanned = _qr_content_of_pdf(permit)
    path = scanned.split("/parken/", 1)[1]
    page.goto(f"{live_server.url}/parken/{path}")  # the QR code's URL, on this server
    assert page.locator(".verification-result h2").inner_text() == "Gültig"
    assert "#" not in page.url  # the token left the address bar
    violations = axe_violations(page)
    assert not violations, describe(violations)
