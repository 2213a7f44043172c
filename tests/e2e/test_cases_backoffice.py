"""Back office in the browser: 2FA login, queue, case, Rückfrage; the citizen sees it in Meine Anträge."""

import pytest

from smartcity.accounts.testing import PASSWORD, make_citizen, make_staff, playwright_login, totp_secret
from smartcity.cases import services
from tests.e2e.conftest import axe_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_caseworker_asks_a_question_and_citizen_sees_it(live_server, page, browser):
    case_type = services.ensure_case_type("hundesteuer-anmeldung", name="Hund anmelden (Hundesteuer)",
                                          department_code="steueramt", deadline_working_days=15)
    citizen = make_citizen(first_name="Erika", last_name="Mustermann")
    case = services.create_case(case_type=case_type, applicant=citizen, data={"hund_name": "Bello"},
                                title="Hundesteuer: Bello")
    worker = make_staff("steueramt")

    playwright_login(page, live_server.url, worker.username, PASSWORD, totp_secret=totp_secret(worker))
    page.goto(f"{live_server.url}/backoffice/")
    page.get_by_role("heading", name="Arbeitsliste").wait_for()
    _assert_accessible(page)
    page.get_by_label("Suche nach Aktenzeichen oder Name").fill("Mustermann")
    page.get_by_role("button", name="Filtern").click()
    page.get_by_role("link", name=case.reference).click()

    page.get_by_role("heading", name=f"{case.reference}: Hundesteuer: Bello").wait_for()
    _assert_accessible(page)
    page.get_by_label("Nachricht an die antragstellende Person").fill("Bitte laden Sie den Versicherungsnachweis hoch.")
    page.get_by_label("Als Rückfrage senden (Frist ruht bis zur Antwort)").check()
    page.get_by_role("button", name="Senden").click()
    page.get_by_text("Rückfrage gesendet.").wait_for()
    assert "Frist ruht" in page.content()

    page.goto(f"{live_server.url}/backoffice/uebersicht/")
    page.get_by_role("heading", name="Übersicht").wait_for()
    _assert_accessible(page)

    citizen_page = browser.new_context(locale="de-DE").new_page()
    playwright_login(citizen_page, live_server.url, citizen.username, PASSWORD)
    citizen_page.goto(f"{live_server.url}/meine-antraege/")
    citizen_page.get_by_text("Ihre Antwort wird benötigt").wait_for()
    _assert_accessible(citizen_page)
    citizen_page.get_by_role("link", name="Hundesteuer: Bello").click()
    citizen_page.get_by_role("heading", name="Rückfrage beantworten").wait_for()
    _assert_accessible(citizen_page)
    citizen_page.get_by_label("Ihre Nachricht").fill("Der Nachweis folgt per Post.")
    citizen_page.get_by_role("button", name="Absenden").click()
    citizen_page.get_by_text("Ihre Nachricht wurde gesendet.").wait_for()
    citizen_page.goto(f"{live_server.url}/postfach/")
    _assert_accessible(citizen_page)
    citizen_page.context.close()

    case.refresh_from_db()
    assert case.status == "in_pruefung"
