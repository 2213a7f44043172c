import io

import pytest

from smartcity.airquality import demo
from smartcity.airquality.models import Thing
from tests.e2e.conftest import axe_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_data(monkeypatch):
    monkeypatch.setattr(demo, "DAYS", 8)
    demo.load(io.StringIO())


def test_dashboard_map_charts_and_accessibility(live_server, page, demo_data):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" and "tile" not in msg.text else None)
    page.route("https://*.tile.openstreetmap.org/**", lambda route: route.abort())  # offline CI
    page.goto(live_server.url + "/luft/")
    page.wait_for_selector("#aq-map path.leaflet-interactive")
    assert page.locator("#aq-map path.leaflet-interactive").count() >= 8  # stations and citizen sensors
    assert page.get_by_role("table").first.is_visible()
    violations = axe_violations(page)
    assert not violations, describe(violations)

    thing = Thing.objects.get(name="Corneliusstraße")
    page.goto(f"{live_server.url}/luft/station/{thing.pk}/")
    page.wait_for_selector(".aq-chart canvas")
    assert page.locator(".aq-chart canvas").count() >= 2
    violations = axe_violations(page)
    assert not violations, describe(violations)
    # our scripts run under the strict CSP (htmx's own indicator <style> is the base template's business)
    assert not [e for e in errors if "script-src" in e], errors

    page.goto(f"{live_server.url}/luft/vergleich/")
    page.wait_for_selector("[data-compare] canvas")
    violations = axe_violations(page)
    assert not violations, describe(violations)
