"""Issue 2, "What done looks like": the whole citizen and caseworker journey in the browser, in German.

A new user registers, logs in, finds the dog-tax service by searching "hund", applies with an upload and sees the
case in Meine Anträge. The demo caseworker (with TOTP) sees it in the queue and asks a question (Rückfrage); the
citizen answers with an upload; the caseworker approves with a decision PDF; the citizen downloads it and the
first retrieval is recorded (§ 41 Abs. 2a VwVfG).
"""

import io
import re
from datetime import date

import pytest
from django.core import mail

from smartcity.accounts import demo as accounts_demo
from smartcity.accounts.models import User
from smartcity.accounts.testing import playwright_login, totp_secret
from smartcity.cases.models import Case
from smartcity.catalogue import demo as catalogue_demo
from smartcity.core.pdf import Letter, render_letter
from smartcity.documents.models import Document
from smartcity.eforms import demo as eforms_demo
from tests.e2e.conftest import axe_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Rheinufer-Promenade-7"


@pytest.fixture
def demo(db):
    for module in (accounts_demo, catalogue_demo):
        module.load(io.StringIO())
    eforms_demo.load_definitions(io.StringIO())


@pytest.fixture
def staff_page(browser):
    context = browser.new_context(locale="de-DE", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def pdf(tmp_path, name: str, title: str) -> str:
    path = tmp_path / name
    path.write_bytes(render_letter(Letter(title=title)))
    return str(path)


def register_and_log_in(page, base: str) -> None:
    page.goto(base + "/konto/registrieren/")
    page.get_by_label("Vorname").fill("Jana")
    page.get_by_label("Nachname").fill("Nowak")
    page.get_by_label("E-Mail-Adresse").fill("jana.nowak@example.org")
    page.get_by_label("Passwort", exact=True).fill(PASSWORD)
    page.get_by_label("Passwort wiederholen").fill(PASSWORD)
    page.get_by_label("Ich habe die Datenschutzhinweise gelesen.").check()
    page.get_by_role("button", name="Registrieren").click()
    page.get_by_role("heading", name="Bitte prüfen Sie Ihr Postfach").wait_for()
    link = re.search(r"/konto/registrieren/bestaetigen/\S+/", mail.outbox[-1].body).group(0)
    page.goto(base + link)
    page.get_by_role("heading", name="Ihre E-Mail-Adresse ist bestätigt").wait_for()
    playwright_login(page, base, "jana.nowak@example.org", PASSWORD)
    page.get_by_role("button", name="Abmelden").wait_for()


def apply_for_dog_tax(page, base: str, tmp_path) -> str:
    page.goto(base + "/")
    page.get_by_label("Leistung suchen").fill("hund")
    page.get_by_role("button", name="Suchen").click()
    page.get_by_role("link", name="Hund anmelden (Hundesteuer)").click()
    page.get_by_role("link", name="Jetzt online beantragen").click()
    page.get_by_role("button", name="Antrag starten").click()

    page.get_by_role("heading", name="Halterin oder Halter").wait_for()
    assert page.get_by_label("Vorname").input_value() == "Jana"  # from the account
    page.get_by_label("Geburtsdatum").fill("03.08.1991")
    page.get_by_label("Straße").fill("Ackerstraße")
    page.get_by_label("Hausnummer").fill("12")
    page.get_by_label("Postleitzahl").fill("40233")
    page.get_by_label("Wie viele weitere Hunde").fill("0")
    page.get_by_role("button", name="Weiter").click()

    page.get_by_role("heading", name="Ihr Hund").wait_for()
    page.get_by_label("Name des Hundes").fill("Frieda")
    page.get_by_label("Rasse").select_option(label="Labrador Retriever")
    page.get_by_label("Hündin").check()
    page.get_by_label("Wurfdatum").fill("01.04.2024")
    page.get_by_label("Beginn der Haltung").fill(date.today().strftime("%d.%m.%Y"))
    page.get_by_label("Nachweis über den Hund").set_input_files(pdf(tmp_path, "abgabevertrag.pdf", "Abgabevertrag"))
    page.get_by_role("button", name="Weiter").click()

    page.get_by_role("heading", name="Zusammenfassung").wait_for()
    assert page.get_by_text("abgabevertrag.pdf").is_visible()
    page.get_by_label("Ich versichere").check()
    page.get_by_role("button", name="Antrag absenden").click()
    page.get_by_role("heading", name="Vielen Dank, Ihr Antrag ist eingegangen").wait_for()
    return page.locator("#aktenzeichen").inner_text().strip()


def test_citizen_and_caseworker_journey(live_server, page, staff_page, demo, tmp_path):
    base = live_server.url
    register_and_log_in(page, base)
    reference = apply_for_dog_tax(page, base, tmp_path)
    case = Case.objects.get(reference=reference)
    assert case.department.code == "steueramt" and case.documents.filter(original_name="abgabevertrag.pdf").exists()

    # Meine Anträge lists the case.
    page.get_by_role("link", name="Meine Anträge").first.click()
    page.get_by_role("heading", name="Meine Anträge").wait_for()
    assert page.get_by_role("cell", name=reference).is_visible()
    assert_accessible(page)

    # The demo caseworker signs in with the second factor and finds the case in the queue.
    caseworker = User.objects.get(username="sachbearbeitung")
    playwright_login(staff_page, base, "sachbearbeitung", accounts_demo.PASSWORD, totp_secret=totp_secret(caseworker))
    staff_page.goto(base + "/backoffice/")
    staff_page.get_by_role("link", name=re.compile(reference)).first.click()
    staff_page.get_by_role("heading", name=re.compile(reference)).wait_for()
    staff_page.get_by_label("Nachricht an die antragstellende Person").fill(
        "Bitte laden Sie noch den Heimtierausweis von Frieda hoch.")
    staff_page.get_by_label("Als Rückfrage senden").check()
    staff_page.get_by_role("button", name="Senden").click()
    staff_page.get_by_text("Bitte laden Sie noch den Heimtierausweis").first.wait_for()
    case.refresh_from_db()
    assert case.status == "rueckfrage"

    # The citizen answers the question in the portal with an upload.
    page.goto(f"{base}/meine-antraege/{reference}/")
    page.get_by_text("Beantworten Sie die Rückfrage der Behörde.").wait_for()
    page.get_by_label("Ihre Nachricht").fill("Anbei der Heimtierausweis.")
    page.get_by_label("Datei anhängen").set_input_files(pdf(tmp_path, "heimtierausweis.pdf", "Heimtierausweis"))
    page.get_by_role("button", name="Absenden").click()
    page.get_by_text("Anbei der Heimtierausweis.").first.wait_for()
    case.refresh_from_db()
    assert case.status == "in_pruefung"

    # The caseworker sees the answer and the upload, then approves with a decision PDF.
    staff_page.reload()
    staff_page.get_by_role("link", name="heimtierausweis.pdf").first.wait_for()
    staff_page.get_by_label("Entscheidung").select_option(label="Genehmigen")
    staff_page.get_by_label("Begründung (erscheint im Bescheid)").fill(
        "Der Hund ist ab dem Beginn der Haltung zur Hundesteuer angemeldet.")
    staff_page.get_by_role("button", name="Bescheid erlassen").click()
    staff_page.get_by_text("Genehmigt").first.wait_for()
    case.refresh_from_db()
    assert case.status == "genehmigt"
    decision = Document.objects.get(case=case, kind="decision")
    assert decision.first_retrieved_at is None

    # The citizen downloads the decision; the first retrieval is recorded.
    page.goto(f"{base}/meine-antraege/{reference}/")
    page.get_by_text("noch nicht abgerufen").wait_for()
    with page.expect_download() as download_info:
        page.locator("#dokumente").get_by_role("link", name=decision.original_name).click()
    assert download_info.value.path().read_bytes().startswith(b"%PDF")
    decision.refresh_from_db()
    assert decision.first_retrieved_at is not None
