import pytest

from tests.e2e.conftest import axe_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_is_accessible_and_switches_language(live_server, page):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Digitales Rathaus"
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("button", name="English").click()
    assert page.locator("h1").inner_text() == "Digital Town Hall"


def test_not_found_page_is_accessible_and_leads_on(live_server, page):
    response = page.goto(live_server.url + "/gibt-es-nicht/")
    assert response.status == 404 and page.locator("h1").inner_text() == "Seite nicht gefunden"
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("link", name="Leistungen suchen").click()
    assert page.locator("h1").inner_text() == "Leistungen von A bis Z"
