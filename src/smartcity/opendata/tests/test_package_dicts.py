"""package_dicts (rows, ADR 0073) must give byte for byte the JSON of package_dict (model instances)."""

import json
import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartcity.opendata import search, services
from smartcity.opendata.ckan import packages
from smartcity.opendata.ckan.dictize import package_dict, package_dicts, prefetch
from smartcity.opendata.models import Dataset, Organization, Resource

from .conftest import make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied(catalogue, orgs, editor, django_capture_on_commit_callbacks):
    """Datasets covering every branch of the dict: uploads, DataStore, licences and extras of resources,
    deleted resources, dataset extras and DCAT-AP.de columns, private, draft, deleted, no relations."""
    dus, koe = orgs
    full = make_dataset(dus, "haushalt", tags=[{"name": "Zöll"}, {"name": "Abgaben"}, {"name": "haushalt"}],
                        groups=[{"name": "gove"}, {"name": "econ"}],
                        resources=[{"url": "https://example.org/h.csv", "format": "CSV"},
                                   {"url": "https://example.org/h.pdf", "format": "PDF"}])
    upload = SimpleUploadedFile("daten 2026.csv", b"a;b\n1;2\n", content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        services.create_resource(editor, full, {"name": "Upload"}, upload)
    first, second, _upload = Resource.objects.filter(dataset=full).order_by("position")
    Resource.objects.filter(pk=first.pk).update(license_id="http://dcat-ap.de/def/licenses/cc-by/4.0",
                                                license_attribution="Stadt Düsseldorf", size=123,
                                                extras={"z": 1, "a": {"b": [1, 2]}, "name": "not overwritten"},
                                                last_modified=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    services.delete_resource(editor, second)
    Dataset.objects.filter(pk=full.pk).update(
        contributor_ids=["http://dcat-ap.de/def/contributors/openNRW"], identifier="urn:x", version="1.0",
        issued=datetime(2020, 1, 2, 3, 4, 5, 6, tzinfo=UTC), modified=datetime(2026, 1, 1, tzinfo=UTC),
        frequency="MONTHLY", temporal_start=date(2020, 1, 1), temporal_end=date(2025, 12, 31),
        spatial_uri="http://example.org/spatial", political_geocoding_uri="http://example.org/geo",
        publisher_name="Kämmerei", maintainer_email="k@example.org", extras={"zeta": "1", "alpha": [1, "ä"]},
        license_id="unknown-licence", author="A", url="https://example.org/haushalt", creator_user=editor)
    bare = make_dataset(koe, "ohne-alles")
    private = make_dataset(dus, "intern", private=True, tags=[{"name": "Parken"}])
    draft = services.create_dataset("system:test", {"name": "entwurf", "title": "Entwurf", "owner_org": dus.name},
                                    default_state=Dataset.State.DRAFT)
    gone = make_dataset(koe, "geloescht")
    services.set_state("system:test", gone, Dataset.State.DELETED)
    return [*catalogue, full, bare, private, draft, gone]


def _dumps(data) -> str:  # key order matters for byte-identical responses
    return json.dumps(data, ensure_ascii=False)


def _instance_dicts(ids) -> list[dict]:
    by_id = {ds.id: ds for ds in prefetch(Dataset.objects.filter(id__in=ids))}
    return [package_dict(by_id[i]) for i in ids]


def test_rows_give_the_same_json_as_instances(varied):
    ids = [ds.id for ds in varied]
    assert Dataset.objects.get(name="geloescht").state == Dataset.State.DELETED
    rows = package_dicts(ids)
    assert _dumps(rows) == _dumps(_instance_dicts(ids))
    haushalt = rows[3]
    assert [r["url_type"] for r in haushalt["resources"]] == [None, "upload"]
    assert haushalt["resources"][0]["licenseAttributionByText"] == "Stadt Düsseldorf"
    assert haushalt["resources"][1]["datastore_active"] is True
    assert [t["name"] for t in haushalt["tags"]] == [t["name"] for t in _instance_dicts([ids[3]])[0]["tags"]]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares the PostgreSQL statement with the ORM")
def test_postgresql_statement_and_orm_queries_agree(varied, monkeypatch):
    ids = [ds.id for ds in reversed(varied)]
    statement = _dumps(package_dicts(ids))
    monkeypatch.setattr(packages, "_load_postgresql", packages._load_orm)
    assert _dumps(package_dicts(ids)) == statement


def test_order_missing_ids_and_constant_queries(varied):
    ids = [varied[2].id, uuid.uuid4(), varied[0].id]
    assert [d["name"] for d in package_dicts(ids)] == [varied[2].name, varied[0].name]
    assert package_dicts([]) == []
    with CaptureQueriesContext(connection) as few:
        package_dicts([varied[0].id])
    with CaptureQueriesContext(connection) as many:
        package_dicts([ds.id for ds in varied])
    assert len(many) == len(few) <= 5


def test_package_show_and_search_results_are_the_instance_dicts(client, varied):
    expected = _instance_dicts([varied[3].id])[0]
    shown = client.get("/api/3/action/package_show", {"id": "haushalt"}).json()["result"]
    found = client.get("/api/3/action/package_search", {"q": "name:haushalt"}).json()["result"]["results"]
    assert _dumps(shown) == _dumps(found[0]) == _dumps(expected)


def test_facet_labels_without_postgresql_statement_agree(varied, monkeypatch):
    raw = {"organization": {str(varied[0].organization_id): 3, str(varied[2].organization_id): 1},
           "groups": {"gove": 2, "unbekannt": 1}, "tags": {"Parken": 1},
           "license_id": {"http://dcat-ap.de/def/licenses/cc-by/4.0": 1, "x": 1}}
    labels = search._facet_labels(raw)
    assert labels["organization"][str(varied[0].organization_id)] == ("duesseldorf", "Landeshauptstadt Düsseldorf")
    assert labels["groups"]["unbekannt"] == ("unbekannt", "unbekannt") and labels["tags"] == {"Parken": ("Parken",
                                                                                                        "Parken")}
    monkeypatch.setattr(search, "_is_pg", lambda: False)
    assert search._facet_labels(raw) == labels
    assert search._facet_labels({"tags": {}}) == {"tags": {}}


BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def time_edges(orgs):
    """Timestamps that a formatting slip would show: local times whose UTC date (and year) is the day before,
    summer time, microseconds 0 and not 0, a year before 1000, and None."""
    ds = make_dataset(orgs[0], "zeitgrenzen", resources=[{"url": "https://example.org/a.csv"},
                                                         {"url": "https://example.org/b.csv"}])
    Dataset.objects.filter(pk=ds.pk).update(
        metadata_created=datetime(2026, 1, 1, 0, 30, tzinfo=BERLIN),  # 23:30 UTC on New Year's Eve
        metadata_modified=datetime(2026, 3, 1, 23, 30, 0, 5, tzinfo=BERLIN),
        issued=datetime(2026, 7, 1, 0, 15, tzinfo=BERLIN),  # summer time: UTC+2
        modified=datetime(2026, 1, 1, 0, 0, 0, 120000, tzinfo=UTC),
        temporal_start=date(999, 1, 1), temporal_end=None)
    first, second = Resource.objects.filter(dataset=ds).order_by("position")
    Resource.objects.filter(pk=first.pk).update(created=datetime(2025, 10, 26, 2, 30, tzinfo=UTC),
                                                last_modified=datetime(999, 5, 6, 7, 8, 9, tzinfo=UTC))
    Resource.objects.filter(pk=second.pk).update(last_modified=None, size=None)
    Organization.objects.filter(pk=orgs[0].pk).update(created=datetime(2024, 12, 31, 23, 59, 59, 999999,
                                                                       tzinfo=BERLIN))
    return ds


def test_timestamps_at_the_edges(time_edges):
    shown = package_dicts([time_edges.id])[0]
    assert (shown["metadata_created"], shown["metadata_modified"]) == ("2025-12-31T23:30:00.000000",
                                                                        "2026-03-01T22:30:00.000005")
    extras = {e["key"]: e["value"] for e in shown["extras"]}
    assert (extras["issued"], extras["modified"]) == ("2026-06-30T22:15:00+00:00", "2026-01-01T00:00:00.120000+00:00")
    assert extras["temporal_start"] == "0999-01-01" and "temporal_end" not in extras
    assert shown["organization"]["created"] == shown["organization"]["revision_timestamp"] == \
        "2024-12-31T22:59:59.999999"
    first, second = shown["resources"]
    assert (first["created"], first["last_modified"]) == ("2025-10-26T02:30:00.000000", "999-05-06T07:08:09.000000")
    assert (second["last_modified"], second["size"]) == (None, None)
    assert _dumps(shown) == _dumps(_instance_dicts([time_edges.id])[0])


@pytest.mark.skipif(connection.vendor != "postgresql", reason="compares the PostgreSQL statement with the ORM")
def test_postgresql_statement_and_orm_agree_field_by_field(varied, time_edges, monkeypatch):
    ids = [ds.id for ds in [*varied, time_edges]]
    statement = package_dicts(ids)
    monkeypatch.setattr(packages, "_load_postgresql", packages._load_orm)
    orm = package_dicts(ids)
    assert len(statement) == len(orm) == len(ids) and statement[-1]["name"] == "zeitgrenzen"
    for ours, theirs in zip(statement, orm, strict=True):
        assert list(ours) == list(theirs)
        for key, value in ours.items():
            assert _dumps(value) == _dumps(theirs[key]), (ours["name"], key)
            assert type(value) is type(theirs[key]), (ours["name"], key)
