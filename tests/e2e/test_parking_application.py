"""Bewohnerparkausweis im Browser: Standardfall von der Anmeldung bis zum PDF, dessen QR-Code die
Verkehrsüberwachung prüft; Firmenwagen über die Genehmigung durch die Sachbearbeitung."""

import datetime as dt
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from smartcity.accounts.testing import PASSWORD, make_citizen, make_staff, playwright_login, totp_secret
from smartcity.core.qr_scan import qr_codes_in_pdf
from smartcity.parking.models import Application, Permit
from smartcity.parking.testing import make_address, make_zone, register_resident, register_vehicle
from tests.e2e.conftest import axe_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def erika():
    """Erika Mustermann, gemeldet in der Kaiserstraße 5 (Gebiet GP), Halterin von D-EM 1234."""
    make_zone()
    make_address()
    user = make_citizen(first_name="Erika", last_name="Mustermann", birth_date=dt.date(1964, 8, 12))
    register_resident(user)
    register_vehicle("D-EM 1234", user)
    return user


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def pay_with_simulator(page, live_server) -> None:
    page.get_by_role("button", name="Jetzt 25,00 € bezahlen").click()
    page.get_by_role("heading", name="Zahlungssimulator").wait_for()
    page.get_by_role("button", name="Bezahlen").click()
    page.get_by_text("Ihr Bewohnerparkausweis ist ausgestellt.").wait_for()


def download_pdf(page, tmp_path: Path) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name="Ausweis herunterladen (PDF)").first.click()
    target = tmp_path / "ausweis.pdf"
    info.value.save_as(target)
    return target.read_bytes()


def test_standardfall_von_der_anmeldung_bis_zur_kontrolle(page, live_server, erika, tmp_path):
    playwright_login(page, live_server.url, erika.username, PASSWORD)
    page.get_by_role("button", name="Abmelden").wait_for()
    page.goto(live_server.url + "/parken/")
    assert_accessible(page)
    page.get_by_role("link", name="Bewohnerparkausweis beantragen").click()
    assert_accessible(page)

    # Falsches Format: klare Meldung, nichts geht verloren.
    page.get_by_label("Kennzeichen", exact=True).fill("DEM1234")
    page.get_by_label("Letzte 4 Zeichen der Fahrzeug-Identifizierungsnummer (FIN)").fill("4711")
    page.get_by_label("12 Monate – 25,00 €").check()
    page.get_by_role("button", name="Antrag prüfen lassen").click()
    assert page.get_by_text("Das Kennzeichen hat nicht das deutsche Format").first.is_visible()
    assert page.get_by_label("Letzte 4 Zeichen der Fahrzeug-Identifizierungsnummer (FIN)").input_value() == "4711"
    assert_accessible(page)

    page.get_by_label("Kennzeichen", exact=True).fill("D-EM 1234")
    page.get_by_role("button", name="Antrag prüfen lassen").click()
    page.get_by_text("Alle Voraussetzungen sind erfüllt.").wait_for()
    assert page.get_by_text("§ 35a VwVfG").first.is_visible()
    assert_accessible(page)

    pay_with_simulator(page, live_server)
    assert_accessible(page)
    pdf = download_pdf(page, tmp_path)
    assert pdf.startswith(b"%PDF")
    permit = Permit.objects.get(holder=erika)
    reader = PdfReader(BytesIO(pdf))
    assert permit.number in "".join(p.extract_text() for p in reader.pages)
    [scanned] = qr_codes_in_pdf(pdf)  # the printed QR code, rendered and scanned like a phone camera would

    # Die Verkehrsüberwachung prüft den QR-Code aus genau diesem PDF.
    officer = make_staff("ordnungsamt")
    officer_page = page.context.browser.new_context(locale="de-DE").new_page()
    playwright_login(officer_page, live_server.url, officer.username, PASSWORD, totp_secret(officer))
    officer_page.goto(live_server.url + "/parken/kontrolle/")
    officer_page.get_by_label("Prüfcode aus dem QR-Code").fill(scanned)
    officer_page.get_by_role("button", name="Ausweis prüfen").click()
    result = officer_page.locator(".verification-result")
    assert result.locator("h2").inner_text() == "Gültig"
    assert "D-EM 1234" in result.inner_text() and permit.number in result.inner_text()
    officer_page.context.close()


def test_firmenwagen_ueber_die_sachbearbeitung(page, live_server, erika, tmp_path):
    from smartcity.core.pdf import Letter, Section, render_letter

    register_vehicle("D-FW 500", None, keeper_organisation="Rheinische Leasing GmbH", vin="WBA8E9C50GK640500")
    confirmation = tmp_path / "nutzungsbestaetigung.pdf"
    confirmation.write_bytes(render_letter(Letter(title="Nutzungsbestätigung", sections=[
        Section("Bestätigung", ["Frau Mustermann nutzt D-FW 500 dauerhaft als Dienstwagen."])])))

    playwright_login(page, live_server.url, erika.username, PASSWORD)
    page.get_by_role("button", name="Abmelden").wait_for()
    page.goto(live_server.url + "/parken/antrag/")
    page.get_by_label("Kennzeichen", exact=True).fill("D-FW 500")
    page.get_by_label("Letzte 4 Zeichen der Fahrzeug-Identifizierungsnummer (FIN)").fill("0500")
    page.get_by_label("12 Monate – 25,00 €").check()
    page.get_by_text("Firmenwagen, zweites Kennzeichen oder besondere Umstände").click()
    page.get_by_label("Nutzungsbestätigung des Halters (bei Firmen- oder Leasingwagen)").set_input_files(
        str(confirmation))
    page.get_by_role("button", name="Antrag prüfen lassen").click()
    page.get_by_text("Ihr Antrag wird von der Sachbearbeitung geprüft.").wait_for()
    assert page.get_by_text("hochgeladene Nutzungsbestätigung").first.is_visible()
    assert_accessible(page)
    application = Application.objects.get(applicant=erika)
    from smartcity.cases.models import Case

    case = Case.objects.get(pk=application.case_id)

    caseworker = make_staff("verkehrsmanagement")
    staff_page = page.context.browser.new_context(locale="de-DE").new_page()
    playwright_login(staff_page, live_server.url, caseworker.username, PASSWORD, totp_secret(caseworker))
    staff_page.goto(f"{live_server.url}/backoffice/vorgang/{case.reference}/")
    staff_page.get_by_label("Entscheidung").select_option("approved")
    staff_page.get_by_label("Begründung (erscheint im Bescheid)").fill(
        "Die Nutzungsbestätigung des Halters liegt vor; das Fahrzeug wird dauerhaft genutzt.")
    staff_page.get_by_role("button", name="Bescheid erlassen").click()
    staff_page.get_by_text("Entscheidung getroffen").wait_for()
    staff_page.context.close()

    page.goto(f"{live_server.url}/parken/antrag/{application.pk}/")
    assert page.get_by_text("Von der Sachbearbeitung entschieden").first.is_visible()
    pay_with_simulator(page, live_server)
    assert download_pdf(page, tmp_path).startswith(b"%PDF")
    permit = Permit.objects.get(holder=erika)
    assert permit.plate == "D-FW 500" and not permit.automated
