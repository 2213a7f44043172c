"""Open data portal in the browser: search with facets, dataset page, CSV table preview, accessibility."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.e2e.conftest import axe_violations, describe

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def portal():
    from smartcity.opendata import datastore, services
    from smartcity.opendata.models import Organization, Resource

    services.ensure_themes()
    Organization.objects.create(name="duesseldorf", title="Landeshauptstadt Düsseldorf")
    Organization.objects.create(name="koeln", title="Stadt Köln")
    ds = services.create_dataset("system:test", {
        "name": "parkhaeuser", "title": "Parkhäuser Düsseldorf", "owner_org": "duesseldorf",
        "notes": "Standorte und Kapazitäten", "tags": [{"name": "Parken"}], "groups": [{"name": "tran"}]})
    services.create_dataset("system:test", {"name": "baeume-koeln", "title": "Bäume in Köln", "owner_org": "koeln",
                                             "groups": [{"name": "envi"}],
                                             "resources": [{"url": "https://example.org/b.csv", "format": "CSV"}]})
    res = services.create_resource("system:test", ds, {"name": "Belegung"},
                                   SimpleUploadedFile("belegung.csv", "name;plaetze\nKö-Galerie;850\n".encode()))
    datastore.load(Resource.objects.get(pk=res.pk))
    return ds, res


def test_search_facets_dataset_and_preview(live_server, page, portal):
    ds, res = portal
    page.goto(live_server.url + "/opendata/")
    assert "2 Datensätze" in page.locator("#od-count").inner_text()
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("link", name="Stadt Köln").click()
    assert "1 Datensatz" in page.locator("#od-count").inner_text()
    page.goto(live_server.url + "/opendata/?q=parkhäuser")
    page.get_by_role("link", name="Parkhäuser Düsseldorf").click()
    assert page.locator("h1").inner_text() == "Parkhäuser Düsseldorf"
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("link", name="Belegung").first.click()
    assert page.locator("table.od-table td").first.inner_text() == "1"
    assert "Kö-Galerie" in page.locator("table.od-table").inner_text()
    violations = axe_violations(page)
    assert not violations, describe(violations)
