"""Paying with the simulator in the browser: accessible pages, the round trip, the message on return."""

import pytest

from smartcity.accounts.models import Department, User
from smartcity.accounts.testing import PASSWORD, make_citizen, playwright_login
from smartcity.payments import services

from .conftest import axe_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _payment(user: User):
    subject = Department.objects.create(code="e2e-amt", name="Testamt")
    return services.start_payment(amount_cents=2500, purpose="Bewohnerparken HO 12 Mon.", payer=user,
                                  subject=subject, return_url="/")


def test_pay_with_simulator(page, live_server):
    user = make_citizen()
    payment = _payment(user)
    playwright_login(page, live_server.url, user.username, PASSWORD)
    page.get_by_role("button", name="Abmelden").wait_for()
    page.goto(live_server.url + payment.redirect_url)
    assert page.get_by_role("heading", name="Zahlungssimulator").is_visible()
    assert page.get_by_text("25,00 €").is_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("button", name="Bezahlen").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_text(f"Zahlung ist eingegangen (Kassenzeichen {payment.kassenzeichen})").is_visible()
    payment.refresh_from_db()
    assert payment.status == "paid"


def test_pending_status_page_is_accessible(page, live_server):
    user = make_citizen()
    payment = _payment(user)
    playwright_login(page, live_server.url, user.username, PASSWORD)
    page.get_by_role("button", name="Abmelden").wait_for()
    page.goto(f"{live_server.url}/bezahlen/{payment.pk}/")
    assert page.get_by_text("noch keine Bestätigung").is_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)
