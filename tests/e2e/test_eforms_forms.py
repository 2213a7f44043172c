"""Declarative online applications in the browser: accessible pages (axe) and a service done by keyboard alone."""

import io
from datetime import date

import pytest

from smartcity.accounts.testing import PASSWORD, make_citizen, playwright_login
from smartcity.catalogue import demo as catalogue_demo
from smartcity.eforms import demo as eforms_demo
from smartcity.eforms.models import Submission
from tests.e2e.conftest import axe_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The accessible name of the focused element: its label (inputs), legend+label (radios) or text (buttons, links).
FOCUSED_NAME = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "";
  if (el.labels && el.labels.length) return el.labels[0].innerText.trim();
  return (el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
}"""


@pytest.fixture
def services(db):
    catalogue_demo.load(io.StringIO())
    eforms_demo.load_definitions(io.StringIO())


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def tab_to(page, name: str, limit: int = 80) -> None:
    """Press Tab until the element with this accessible name has the focus (keyboard only)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_NAME).startswith(name):
            return
    raise AssertionError(f"„{name}“ is not reachable with the Tab key")


def test_catalogue_pages_are_accessible(live_server, page, services):
    page.goto(live_server.url + "/leistungen/?q=hund")
    page.get_by_role("link", name="Hund anmelden (Hundesteuer)").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Hund anmelden (Hundesteuer)").click()
    page.get_by_role("heading", name="Hund anmelden (Hundesteuer)").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Jetzt online beantragen").click()
    page.get_by_role("link", name="Anmelden und Antrag starten").wait_for()
    assert_accessible(page)
    page.goto(live_server.url + "/leistungen/")
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Services from A to Z").wait_for()
    assert_accessible(page)


def test_form_pages_are_accessible_also_with_errors(live_server, page, services, tmp_path):
    from smartcity.core.pdf import Letter, render_letter

    user = make_citizen(first_name="Erika", last_name="Mustermann")
    playwright_login(page, live_server.url, user.username, PASSWORD)
    page.get_by_role("button", name="Abmelden").wait_for()
    page.goto(live_server.url + "/antrag/hund-anmelden/")
    assert_accessible(page)
    page.get_by_role("button", name="Antrag starten").click()
    page.get_by_role("heading", name="Halterin oder Halter").wait_for()
    assert_accessible(page)
    assert page.get_by_label("Vorname").input_value() == "Erika"
    page.get_by_label("Postleitzahl").fill("50667")
    page.get_by_role("button", name="Weiter").click()
    page.get_by_text("Bitte eine Düsseldorfer Postleitzahl angeben").first.wait_for()
    assert page.get_by_label("Postleitzahl").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Postleitzahl").input_value() == "50667"
    assert_accessible(page)
    page.get_by_label("Postleitzahl").fill("40479")
    page.get_by_label("Geburtsdatum").fill("17.05.1980")
    page.get_by_label("Wie viele weitere Hunde").fill("0")
    page.get_by_role("button", name="Weiter").click()
    page.get_by_role("heading", name="Ihr Hund").wait_for()
    page.get_by_label("Name des Hundes").fill("Bello")
    page.get_by_label("Rasse").select_option("rottweiler")
    page.get_by_label("Rüde").check()
    page.get_by_label("Wurfdatum").fill("01.04.2023")
    page.get_by_label("Beginn der Haltung").fill(date.today().strftime("%d.%m.%Y"))
    proof = tmp_path / "kaufvertrag.pdf"
    proof.write_bytes(render_letter(Letter(title="Kaufvertrag")))
    page.get_by_label("Nachweis über den Hund").set_input_files(str(proof))
    page.get_by_role("button", name="Weiter").click()
    page.get_by_role("heading", name="Zusatzangaben nach dem Landeshundegesetz").wait_for()
    page.get_by_role("button", name="Weiter").click()
    page.get_by_role("alert").filter(has_text="Bitte korrigieren Sie").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Zurück").click()
    page.get_by_label("Rasse").select_option("labrador")
    page.get_by_role("button", name="Weiter").click()
    page.get_by_role("heading", name="Zusammenfassung").wait_for()
    assert page.get_by_text("kaufvertrag.pdf").is_visible()
    assert_accessible(page)
    page.get_by_label("Ich versichere").check()
    page.get_by_role("button", name="Antrag absenden").click()
    page.get_by_role("heading", name="Vielen Dank, Ihr Antrag ist eingegangen").wait_for()
    assert_accessible(page)
    submission = Submission.objects.get(applicant=user)
    assert page.locator("#aktenzeichen").inner_text() == submission.case.reference


def test_certificate_request_with_the_keyboard_alone(live_server, page, services):
    user = make_citizen(first_name="Erika", last_name="Mustermann")
    page.goto(live_server.url + "/konto/anmelden/?next=/antrag/personenstandsurkunde/")
    tab_to(page, "E-Mail-Adresse oder Benutzername")
    page.keyboard.type(user.username)
    tab_to(page, "Passwort")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Personenstandsurkunde anfordern").wait_for()

    tab_to(page, "Antrag starten")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Urkunde", exact=True).wait_for()
    tab_to(page, "Geburtsurkunde")
    page.keyboard.press("Space")
    tab_to(page, "Name der Person laut Urkunde")
    page.keyboard.type("Erika Mustermann")
    tab_to(page, "Datum des Ereignisses")
    page.keyboard.type("17.05.1980")
    tab_to(page, "Ich selbst")
    page.keyboard.press("Space")
    tab_to(page, "Wofür benötigen Sie die Urkunde?")
    page.keyboard.type("Rente")
    tab_to(page, "Weiter")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Anzahl der Exemplare").wait_for()
    tab_to(page, "Anzahl der Exemplare")
    page.keyboard.type("2")
    page.keyboard.press("Enter")  # the first submit button of the form is "Weiter"

    page.get_by_role("heading", name="Versand per Post").wait_for()
    tab_to(page, "Weiter")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Zusammenfassung").wait_for()
    assert page.get_by_text("Zu zahlen: 18,00 €").is_visible()
    tab_to(page, "Ich versichere")
    page.keyboard.press("Space")
    tab_to(page, "Absenden und bezahlen")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="Zahlungssimulator").wait_for()
    tab_to(page, "Bezahlen")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Vielen Dank, Ihr Antrag ist eingegangen").wait_for()

    submission = Submission.objects.get(applicant=user)
    assert submission.status == Submission.Status.SUBMITTED
    assert submission.fee_cents == 1800
    assert submission.case.status == "eingegangen"
    assert submission.data["urkundenart"] == "geburt" and submission.data["datum_ereignis"] == "1980-05-17"
