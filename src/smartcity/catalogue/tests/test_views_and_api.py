import csv
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from smartcity.audit.models import AuditEvent
from smartcity.catalogue.exchange import CatalogueImportError, export_rows, import_rows
from smartcity.catalogue.models import Category, Service


def test_list_page_searches(client, demo_catalogue):
    response = client.get(reverse("catalogue:list"), {"q": "hund"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hund anmelden (Hundesteuer)" in html
    assert "Wohngeld beantragen" not in html


def test_list_filters_by_category_and_online(client, demo_catalogue):
    response = client.get(reverse("catalogue:list"), {"category": "tiere"})
    names = [s.slug for s in response.context["page"].object_list]
    assert set(names) == {"hund-anmelden-hundesteuer", "hund-abmelden-hundesteuer", "grosser-hund-anzeigen"}
    response = client.get(reverse("catalogue:list"), {"online": "1"})
    assert all(s.online for s in response.context["page"].object_list)


def test_list_paginates_and_survives_bad_page(client, demo_catalogue):
    response = client.get(reverse("catalogue:list"), {"seite": "abc"})
    assert response.status_code == 200
    assert response.context["page"].number == 1
    assert response.context["page"].paginator.num_pages == 2


def test_detail_page_links_online_service(client, demo_catalogue):
    service = Service.objects.get(slug="bewohnerparkausweis-beantragen")
    html = client.get(service.get_absolute_url()).content.decode()
    assert "Jetzt online beantragen" in html
    assert reverse("parking:start") in html
    assert "25,00 € für 1 Jahr (online)" in html


def test_detail_page_offline_service(client, demo_catalogue):
    html = client.get(reverse("catalogue:detail", args=["baugenehmigung"])).content.decode()
    assert "Jetzt online beantragen" not in html
    assert "noch nicht online verfügbar" in html


def test_detail_in_english(client, demo_catalogue):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("catalogue:detail", args=["wohngeld"]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Apply for housing benefit" in html


def test_unknown_service_is_404(client, demo_catalogue):
    assert client.get(reverse("catalogue:detail", args=["gibt-es-nicht"])).status_code == 404


def test_api_lists_filters_and_paginates(client, demo_catalogue):
    url = reverse("catalogue:api-service-list")
    data = client.get(url, {"q": "hund", "limit": 2}).json()
    assert data["count"] == 3
    assert len(data["results"]) == 2
    first = data["results"][0]
    assert first["name_de"] == "Hund anmelden (Hundesteuer)"
    assert first["leika_urn"].startswith("urn:de:fim:leika:leistung:")
    assert first["department"]["code"] == "steueramt"
    data = client.get(url, {"category": "familie"}).json()
    assert data["count"] and all("familie" in [c["slug"] for c in s["categories"]] for s in data["results"])


def test_api_detail_by_leika_key_and_read_only(client, demo_catalogue):
    url = reverse("catalogue:api-service-detail", args=["99115005104000"])
    assert client.get(url).json()["slug"] == "wohnsitz-anmelden"
    assert client.delete(url).status_code in (403, 405)
    assert client.get(reverse("catalogue:api-service-detail", args=["99999999999999"])).status_code == 404


def test_export_downloads(client, demo_catalogue):
    response = client.get(reverse("catalogue:export-json"))
    assert "attachment" in response["Content-Disposition"]
    assert len(json.loads(response.content)["services"]) == Service.objects.count()
    response = client.get(reverse("catalogue:export-csv"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == Service.objects.count()
    parking = next(r for r in rows if r["slug"] == "bewohnerparkausweis-beantragen")
    assert parking["department_code"] == "verkehrsmanagement"
    assert parking["fees"].startswith("2500:")


def test_export_import_round_trip_is_idempotent(demo_catalogue, tmp_path):
    path = tmp_path / "katalog.json"
    call_command("catalogue_export", output=str(path), stderr=io.StringIO())
    data = json.loads(path.read_text())
    data["services"][0]["name_en"] = "Changed"
    path.write_text(json.dumps(data))
    count = Service.objects.count()
    out = io.StringIO()
    call_command("catalogue_import", str(path), stdout=out)
    assert f"0 Leistungen angelegt, {count} aktualisiert" in out.getvalue()
    call_command("catalogue_import", str(path), stdout=io.StringIO())
    assert Service.objects.count() == count
    assert Service.objects.get(leika_key=data["services"][0]["leika_key"]).name_en == "Changed"
    assert AuditEvent.objects.filter(action="catalogue.import").exists()


def test_import_rejects_bad_rows_without_partial_changes(demo_catalogue):
    rows = export_rows()
    rows[0]["name_de"] = "Geändert"
    rows[1]["leika_key"] = "12ab"
    with pytest.raises(CatalogueImportError, match="Eintrag 2.*leika_key"):
        import_rows(rows)
    assert not Service.objects.filter(name_de="Geändert").exists()
    del rows[1]["department"]
    with pytest.raises(CatalogueImportError, match="department"):
        import_rows(rows)
    rows = export_rows()
    rows[0]["fees"] = [{"amount_cents": -5, "text_de": "x"}]
    with pytest.raises(CatalogueImportError, match="fees"):
        import_rows(rows)


def test_import_command_reports_unreadable_file(tmp_path):
    from django.core.management.base import CommandError

    path = tmp_path / "kaputt.json"
    path.write_text("{nicht json")
    with pytest.raises(CommandError, match="nicht lesbar"):
        call_command("catalogue_import", str(path))


def test_demo_load_is_idempotent(demo_catalogue):
    from smartcity.catalogue import demo

    count = Service.objects.count()
    demo.load(io.StringIO())
    assert Service.objects.count() == count >= 30


def _search_slugs(client, **params) -> list[str]:
    response = client.get(reverse("catalogue:list"), params)
    return [s.slug for s in response.context["page"].object_list]


def test_cached_search_follows_every_catalogue_edit(client, demo_catalogue, django_assert_num_queries):
    from smartcity.catalogue.models import Category

    assert _search_slugs(client, q="hund")[0] == "hund-anmelden-hundesteuer"
    with django_assert_num_queries(0):  # ranking, result page and Lebenslagen come from the cache
        assert _search_slugs(client, q="hund")[0] == "hund-anmelden-hundesteuer"
    # A new service, an edited one, a deleted one: each shows up in the very next search.
    service = Service.objects.get(slug="wohngeld")
    service.keywords += " hundefutter"
    service.save()
    assert "wohngeld" in _search_slugs(client, q="hund")
    service.name_de = "Wohngeld (Mietzuschuss)"
    service.save()
    assert "Wohngeld (Mietzuschuss)" in client.get(reverse("catalogue:list"), {"q": "hund"}).content.decode()
    service.delete()
    assert "wohngeld" not in _search_slugs(client, q="hund")
    # Lebenslagen: renamed in the form's list, and a service added to one is found by the category filter.
    tiere = Category.objects.get(slug="tiere")
    tiere.name_de = "Haustiere"
    tiere.save()
    assert "Haustiere" in client.get(reverse("catalogue:list")).content.decode()
    assert "baugenehmigung" not in _search_slugs(client, q="baugenehmigung", category="tiere")
    Service.objects.get(slug="baugenehmigung").categories.add(tiere)
    assert _search_slugs(client, q="baugenehmigung", category="tiere") == ["baugenehmigung"]
    tiere.services.remove(Service.objects.get(slug="baugenehmigung"))
    assert _search_slugs(client, q="baugenehmigung", category="tiere") == []


def test_catalogue_version_is_bumped_again_after_commit(demo_catalogue, django_capture_on_commit_callbacks):
    """A request that read the version while the edit was uncommitted cached the old rows under the bumped
    version; the second bump after the commit makes sure they are never read."""
    from smartcity.catalogue.search import catalogue_version

    before = catalogue_version()
    with django_capture_on_commit_callbacks(execute=True):
        service = Service.objects.get(slug="wohngeld")
        service.save()
        during = catalogue_version()
    assert len({before, during, catalogue_version()}) == 3


def test_search_page_shows_edits_at_once(client, demo_catalogue, django_assert_num_queries):
    """The Lebenslagen and services are kept per process for the catalogue version: a repeated page reads no
    database, and an edit (a new version) is on the next page."""
    url = reverse("catalogue:list")
    client.get(url, {"q": "hund"})
    with django_assert_num_queries(0):
        assert client.get(url, {"q": "hund"}).status_code == 200
    service = Service.objects.get(slug=_search_slugs(client, q="hund")[0])
    service.name_de = "Hund anmelden (neu)"
    service.save()
    Category.objects.create(slug="neu", name_de="Neue Lebenslage")
    body = client.get(url, {"q": "hund"}).content.decode()
    assert "Hund anmelden (neu)</a>" in body and '<option value="neu">Neue Lebenslage</option>' in body
    Category.objects.get(slug="neu").delete()
    assert '<option value="neu">' not in client.get(url, {"q": "hund"}).content.decode()


def test_search_page_reads_the_catalogue_version_once(client, demo_catalogue, monkeypatch):
    """Each read of the version is a round trip to the shared cache: one per page, passed on to the ranking, the
    result page and the Lebenslagen."""
    from django.core.cache import cache

    from smartcity.catalogue.search import VERSION_KEY

    reads = []
    get_or_set = cache.get_or_set
    monkeypatch.setattr(cache, "get_or_set", lambda key, *args, **kwargs: (
        reads.append(key), get_or_set(key, *args, **kwargs))[1])
    assert client.get(reverse("catalogue:list"), {"q": "hund"}).status_code == 200
    assert reads.count(VERSION_KEY) == 1
