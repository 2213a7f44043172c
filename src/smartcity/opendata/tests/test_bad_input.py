"""Bad input at every CKAN action, the upload, datastore_search, the DCAT endpoints, the public pages and the
editor: a clear error in CKAN's envelope (or a re-rendered form), never a 500, and nothing written.

Run these against PostgreSQL too (DATABASE_URL=postgres://…): over-long text and NUL characters only fail
there, SQLite stores them.
"""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.accounts.testing import login_staff
from smartcity.audit.models import AuditEvent
from smartcity.opendata.models import (
    ChangeEvent,
    Dataset,
    DatasetRevision,
    DatastoreTable,
    Organization,
    Resource,
    Tag,
)

from .conftest import make_dataset

pytestmark = pytest.mark.django_db

HUGE = 10**30
NEW = {"name": "radwege", "title": "Radwege", "owner_org": "duesseldorf"}
RES = {"url": "https://example.org/radwege.csv"}
WRITTEN = (Dataset, Resource, Organization, DatasetRevision, ChangeEvent, AuditEvent, Tag, DatastoreTable)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


@pytest.fixture
def world(catalogue, token, sysadmin_token, django_capture_on_commit_callbacks):
    """The catalogue plus one CSV resource loaded into the DataStore."""
    upload = SimpleUploadedFile("belegung.csv", "name;plaetze;anteil\nKö-Galerie;850;0,5\nSchadow;600;0,25\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        from smartcity.opendata import services

        res = services.create_resource("system:test", catalogue[0], {"name": "Belegung"}, upload)
    res.refresh_from_db()
    assert res.datastore_status == "done"
    return {"ds": catalogue[0].name, "res": str(res.pk), "token": token, "sysadmin": sysadmin_token}


def _fill(value, world):
    """Placeholders in the parametrised inputs: {ds}, {res} are only known once the fixture ran."""
    if isinstance(value, str):
        return value.replace("{ds}", world["ds"]).replace("{res}", world["res"])
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    return value


def post(client, action, params, token):
    return client.post(f"/api/3/action/{action}", json.dumps(params), content_type="application/json",
                       HTTP_AUTHORIZATION=token)


def assert_envelope(response, status, error_type, key=None):
    assert response.status_code == status, response.content[:2000]
    assert response["Content-Type"] == "application/json;charset=utf-8"
    body = response.json()
    assert body["success"] is False and body["help"].endswith(response.wsgi_request.path.rsplit("/", 1)[-1])
    assert body["error"]["__type"] == error_type, body
    if key is not None:
        assert key in body["error"], body
        return body["error"][key]
    return body["error"]


# (action, params, field named in the Validation Error, text that must appear in its messages)
BAD_WRITES = [
    # item 3 of the audit: inputs that were HTTP 500
    ("package_create", {**NEW, "extras": 5}, "extras", ""),
    ("package_create", {**NEW, "extras": "7"}, "extras", ""),
    ("package_create", {**NEW, "extras": [{"key": ["issued"], "value": "x"}]}, "extras", ""),
    ("package_create", {**NEW, "extras": [{"key": "issued", "value": "2026-13-45T00:00:00"}]}, "issued", ""),
    ("package_create", {**NEW, "issued": "2026-02-30T10:00:00"}, "issued", ""),
    ("package_create", {**NEW, "modified": "0001-01-01T00:00:00-05:00"}, "modified", ""),
    ("package_create", {**NEW, "modified": "9999-12-31T23:59:59+00:00"}, "modified", ""),
    ("package_create", {**NEW, "temporal_start": "2026-02-30"}, "temporal_start", ""),
    ("package_create", {**NEW, "temporal_end": "2026-13-45"}, "temporal_end", ""),
    ("package_create", {**NEW, "resources": [{**RES, "size": HUGE}]}, "resources", "size"),
    ("package_create", {**NEW, "resources": [{**RES, "size": -1}]}, "resources", "size"),
    ("package_create", {**NEW, "resources": [{**RES, "size": "1e400"}]}, "resources", "size"),
    # item 4: text longer than its column
    ("package_create", {**NEW, "title": "T" * 501}, "title", "500"),
    ("package_create", {**NEW, "version": "1" * 101}, "version", "100"),
    ("package_create", {**NEW, "author": "A" * 201}, "author", "200"),
    ("package_create", {**NEW, "maintainer": "M" * 201}, "maintainer", "200"),
    ("package_create", {**NEW, "url": "https://example.org/" + "a" * 500}, "url", "500"),
    ("package_create", {**NEW, "identifier": "i" * 501}, "identifier", "500"),
    ("package_create", {**NEW, "publisher_name": "P" * 201}, "publisher_name", "200"),
    ("package_create", {**NEW, "extras": [{"key": "publisher_url", "value": "https://example.org/" + "p" * 200}]},
     "publisher_url", "200"),
    ("package_create", {**NEW, "contact_url": "https://example.org/" + "c" * 200}, "contact_url", "200"),
    ("package_create", {**NEW, "spatial_uri": "https://example.org/" + "s" * 200}, "spatial_uri", "200"),
    ("package_create", {**NEW, "politicalGeocodingURI": "http://dcat-ap.de/def/politicalGeocoding/" + "x" * 200},
     "politicalGeocodingURI", "200"),
    ("package_create", {**NEW, "resources": [{**RES, "format": "F" * 51}]}, "resources", "format"),
    ("package_create", {**NEW, "resources": [{**RES, "name": "N" * 501}]}, "resources", "name"),
    ("package_create", {**NEW, "resources": [{**RES, "hash": "h" * 101}]}, "resources", "hash"),
    ("package_create", {**NEW, "resources": [{"url": "https://example.org/" + "r" * 2000}]}, "resources", "url"),
    # wrong types and characters no database column takes
    ("package_create", {**NEW, "title": {"de": "Radwege"}}, "title", ""),
    ("package_create", {**NEW, "notes": ["a", "b"]}, "notes", ""),
    ("package_create", {**NEW, "notes": "Radwege\x00"}, "notes", "NUL"),
    ("package_create", {**NEW, "extras": [{"key": "quelle\x00", "value": "x"}]}, "extras", "NUL"),
    ("package_create", {**NEW, "tags": [{"name": "T" * 101}]}, "tags", ""),
    ("package_create", {**NEW, "groups": 5}, "groups", ""),
    ("package_create", {**NEW, "resources": {"url": "https://example.org/a.csv"}}, "resources", ""),
    ("package_create", {**NEW, "resources": ["https://example.org/a.csv"]}, "resources", "url"),
    ("package_create", {**NEW, "owner_org": ["duesseldorf"]}, "owner_org", ""),
    # the same through update and patch of an existing dataset
    ("package_update", {**NEW, "id": "{ds}", "name": "{ds}", "title": "T" * 501}, "title", "500"),
    ("package_update", {**NEW, "id": "{ds}", "name": "{ds}", "extras": {"issued": "2026-02-30"}}, "issued", ""),
    ("package_patch", {"id": "{ds}", "version": "v" * 101}, "version", "100"),
    ("package_patch", {"id": "{ds}", "extras": 3.5}, "extras", ""),
    ("package_patch", {"id": "{ds}", "temporal_start": "2026-04-31"}, "temporal_start", ""),
    ("package_patch", {"id": "{ds}", "resources": [{**RES, "size": HUGE}]}, "resources", "size"),
    # resources
    ("resource_create", {"package_id": "{ds}", "url": "https://example.org/" + "r" * 2000}, "url", "2000"),
    ("resource_create", {"package_id": "{ds}", **RES, "format": "F" * 51}, "format", "50"),
    ("resource_create", {"package_id": "{ds}", **RES, "size": HUGE}, "size", ""),
    ("resource_create", {"package_id": "{ds}", **RES, "size": "viel"}, "size", ""),
    ("resource_create", {"package_id": "{ds}", **RES, "licenseAttributionByText": "L" * 501},
     "licenseAttributionByText", "500"),
    ("resource_create", {"package_id": "{ds}", **RES, "description": {"de": "x"}}, "description", ""),
    ("resource_update", {"id": "{res}", **RES, "name": "N" * 501}, "name", "500"),
    ("resource_patch", {"id": "{res}", "mimetype": "m" * 201}, "mimetype", "200"),
    ("resource_patch", {"id": "{res}", "size": -5}, "size", ""),
    ("resource_patch", {"id": "{res}", "hash": "h" * 101}, "hash", "100"),
    # organisations (system administrators)
    ("organization_create", {"name": "bonn", "title": "B" * 201}, "title", "200"),
    ("organization_create", {"name": "bonn", "extras": 5}, "extras", ""),
    ("organization_create", {"name": "bonn", "contributorID": "http://dcat-ap.de/" + "c" * 200}, "contributorID",
     "200"),
    ("organization_create", {"name": "bonn", "image_url": "kein Link"}, "image_url", ""),
    ("organization_create", {"name": "bonn", "title": ["Bonn"]}, "title", ""),
]


@pytest.mark.parametrize(("action", "params", "field", "text"), BAD_WRITES,
                         ids=[f"{a}-{i}" for i, (a, *_rest) in enumerate(BAD_WRITES)])
def test_bad_writes_are_validation_errors_and_write_nothing(client, world, action, params, field, text):
    token = world["sysadmin"] if action == "organization_create" else world["token"]
    before = _counts()
    ds_before = Dataset.objects.get(name=world["ds"]).metadata_modified
    response = post(client, action, _fill(params, world), token)
    messages = assert_envelope(response, 409, "Validation Error", field)
    assert text in " ".join(map(str, messages))
    assert _counts() == before
    assert Dataset.objects.get(name=world["ds"]).metadata_modified == ds_before


# (action, params, expected status, expected __type or None for success, error key)
READS = [
    # item 6: paging numbers far beyond the end are capped (empty page), never an overflow
    ("package_search", {"start": str(10**20)}, 200, None, None),
    ("package_search", {"rows": str(HUGE), "start": str(HUGE)}, 200, None, None),
    ("package_search", {"facet.limit": str(HUGE), "facet.mincount": str(HUGE), "facet.field": '["tags"]'},
     200, None, None),
    ("package_search", {"start": "-1"}, 409, "Validation Error", "start"),
    ("package_search", {"rows": "²"}, 409, "Validation Error", "rows"),
    ("package_search", {"rows": "1_000"}, 409, "Validation Error", "rows"),
    ("package_search", {"start": "9" * 5000}, 409, "Validation Error", "start"),
    ("package_search", {"facet.field": "[kaputt"}, 409, "Validation Error", "facet.field"),
    # item 11: a query that cannot run is CKAN's "search" error
    ("package_search", {"q": "title:(Park"}, 409, "Validation Error", "search"),
    ("package_search", {"fq": "organization:(koeln"}, 409, "Validation Error", "search"),
    ("package_search", {"fq_list": '["unbekannt:x"]'}, 409, "Validation Error", "search"),
    ("package_search", {"fq": "metadata_modified:[NOW+99999999999999YEARS TO *]"}, 409, "Validation Error",
     "search"),
    ("package_search", {"fq": "metadata_modified:[0001-01-01T00:00:00+01:00 TO *]"}, 409, "Validation Error",
     "search"),
    ("package_search", {"q": "Park\x00"}, 409, "Validation Error", "q"),
    ("package_search", {"sort": "name; drop table"}, 400, "Search Query Error", None),
    ("package_list", {"offset": str(HUGE)}, 200, None, None),
    ("package_list", {"limit": "-1"}, 409, "Validation Error", "limit"),
    ("current_package_list_with_resources", {"offset": str(HUGE), "limit": str(HUGE)}, 200, None, None),
    ("organization_list", {"offset": str(HUGE), "all_fields": "true"}, 200, None, None),
    ("organization_list", {"sort": "drop"}, 409, "Validation Error", "sort"),
    ("group_list", {"limit": "x"}, 409, "Validation Error", "limit"),
    ("group_list", {"offset": str(HUGE)}, 200, None, None),
    ("tag_list", {"query": "x" * 10000}, 200, None, None),
    ("package_show", {"id": "x" * 10000}, 404, "Not Found Error", None),
    ("package_show", {"id": "park\x00"}, 409, "Validation Error", "id"),
    ("package_show", {}, 409, "Validation Error", "id"),
    ("resource_show", {"id": "keine-uuid"}, 404, "Not Found Error", None),
    ("organization_show", {"id": "\x00"}, 409, "Validation Error", "id"),
    ("group_show", {"id": "x" * 10000}, 404, "Not Found Error", None),
    ("help_show", {}, 409, "Validation Error", "name"),
    # datastore_search
    ("datastore_search", {"resource_id": "{res}", "filters": "{kaputt"}, 409, "Validation Error", "filters"),
    ("datastore_search", {"resource_id": "{res}", "filters": "[1]"}, 409, "Validation Error", "filters"),
    ("datastore_search", {"resource_id": "{res}", "filters": '{"unbekannt": 1}'}, 409, "Validation Error",
     "filters"),
    ("datastore_search", {"resource_id": "{res}", "filters": '{"plaetze": {"gt": 1}}'}, 409, "Validation Error",
     "filters"),
    ("datastore_search", {"resource_id": "{res}", "filters": '{"plaetze": "1e400"}'}, 409, "Validation Error",
     "filters"),
    ("datastore_search", {"resource_id": "{res}", "filters": '{"anteil": "NaN"}'}, 409, "Validation Error",
     "filters"),
    ("datastore_search", {"resource_id": "{res}", "filters": '{"_id": "²"}'}, 409, "Validation Error", "filters"),
    ("datastore_search", {"resource_id": "{res}", "filters": '{"_id": "99999999999999999999999"}'}, 200, None,
     None),
    ("datastore_search", {"resource_id": "{res}", "limit": "-1"}, 409, "Validation Error", "limit"),
    ("datastore_search", {"resource_id": "{res}", "offset": "-5"}, 409, "Validation Error", "offset"),
    ("datastore_search", {"resource_id": "{res}", "offset": str(HUGE), "limit": str(HUGE)}, 200, None, None),
    ("datastore_search", {"resource_id": "{res}", "sort": "name; DROP TABLE opendata_dataset"}, 409,
     "Validation Error", "sort"),
    ("datastore_search", {"resource_id": "{res}", "sort": "name desc nulls first; --"}, 409, "Validation Error",
     "sort"),
    ("datastore_search", {"resource_id": "{res}", "sort": '"name" desc'}, 409, "Validation Error", "sort"),
    ("datastore_search", {"resource_id": "{res}", "fields": "name,unbekannt"}, 409, "Validation Error", "fields"),
    ("datastore_search", {"resource_id": "{res}", "q": '{"unbekannt": "x"}'}, 409, "Validation Error", "q"),
    ("datastore_search", {"resource_id": "{res}", "q": "Kö\x00"}, 409, "Validation Error", "q"),
    ("datastore_search", {"resource_id": "{res}", "records_format": "csv"}, 409, "Validation Error",
     "records_format"),
    ("datastore_search", {"resource_id": "keine-uuid"}, 404, "Not Found Error", None),
    ("datastore_search", {}, 409, "Validation Error", "resource_id"),
    ("datastore_search_sql", {"sql": "SELECT 1"}, 400, "Not Supported", None),
]


@pytest.mark.parametrize(("action", "params", "status", "error_type", "key"), READS,
                         ids=[f"{a}-{i}" for i, (a, *_rest) in enumerate(READS)])
def test_bad_read_parameters_answer_in_the_envelope(client, world, action, params, status, error_type, key):
    params = _fill(params, world)
    url = f"/api/3/action/{action}"
    # GET as harvesters send it; JSON POST (ckanapi) for the parameters whose values are lists or objects.
    json_body = any(isinstance(v, str) and v[:1] in "[{" for v in params.values())
    response = client.post(url, json.dumps(params), content_type="application/json") if json_body else (
        client.get(url, params))
    if error_type is None:
        assert response.status_code == status, response.content[:2000]
        assert response.json()["success"] is True
    else:
        assert_envelope(response, status, error_type, key)


def test_capped_paging_returns_an_empty_page_with_the_true_count(client, world):
    result = client.get("/api/3/action/package_search", {"start": str(10**20)}).json()["result"]
    assert result["count"] == 3 and result["results"] == []
    rows = client.get("/api/3/action/datastore_search", {"resource_id": world["res"],
                                                         "offset": str(HUGE)}).json()["result"]
    assert rows["records"] == [] and rows["total"] == 2
    assert client.get("/api/3/action/package_list", {"offset": str(HUGE)}).json()["result"] == []


@pytest.mark.parametrize(("q", "expected"), [
    ("title:Parkh*", {"parkhaeuser"}), ("name:park*", {"parkhaeuser"}), ("tags:Park*", {"parkhaeuser"}),
    ("organization:koe*", {"baumkataster-koeln"}), ("res_format:JS*", {"spielplaetze"}),
    ("title:Parkh* OR name:spiel*", {"parkhaeuser", "spielplaetze"}), ("-name:park*", {"spielplaetze",
                                                                                         "baumkataster-koeln"}),
    ("title:Xyz*", set()),
])
def test_prefix_wildcard_on_a_field(client, catalogue, q, expected):
    response = client.get("/api/3/action/package_search", {"q": q})
    assert response.status_code == 200, response.content
    assert {d["name"] for d in response.json()["result"]["results"]} == expected


def test_transport_errors_are_bare_strings(client, world):
    for body, content_type in (("{kaputt", "application/json"), ("[1, 2]", "application/json"),
                               ("\"text\"", "application/json")):
        response = client.post("/api/3/action/package_create", body, content_type=content_type,
                               HTTP_AUTHORIZATION=world["token"])
        assert response.status_code == 400 and response.json().startswith("Bad request - JSON Error")
    assert client.get("/api/3/action/package_create").status_code == 400
    assert client.put("/api/3/action/package_show").status_code == 400


@pytest.mark.parametrize(("filename", "content", "problem"), [
    ("kaputt.csv", b"a,b,c\n1,2\n3,4,5,6\n", "Zeile"),
    ("utf16.csv", "name;wert\nKö;1\n".encode("utf-16"), "Binärdaten"),
    ("bild.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Binärdaten"),
    ("lang.csv", b"a,b\n" + b"x" * 300_000 + b",1\n", ""),
    ("nur-kopf.csv", b"\n\n\n", "leer"),
])
def test_broken_uploads_keep_the_file_and_report_the_load_error(client, world, django_capture_on_commit_callbacks,
                                                                filename, content, problem):
    tables = DatastoreTable.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/3/action/resource_create",
                               {"package_id": world["ds"], "upload": SimpleUploadedFile(filename, content)},
                               HTTP_AUTHORIZATION=world["token"])
    assert response.status_code == 200, response.content[:500]
    resource = Resource.objects.get(pk=response.json()["result"]["id"])
    assert resource.datastore_status == "error" and problem in resource.datastore_error
    assert DatastoreTable.objects.count() == tables
    search = client.get("/api/3/action/datastore_search", {"resource_id": str(resource.pk)})
    assert_envelope(search, 409, "Validation Error", "resource_id")


@pytest.mark.parametrize("filename", ["daten" + ".teil" * 30 + ".csv", "n" * 300 + ".csv", "ohne-endung",
                                      "x." + "e" * 200, "../../etc/passwd", ".csv"])
def test_any_upload_file_name_is_stored(client, world, filename):
    response = client.post("/api/3/action/resource_create",
                           {"package_id": world["ds"], "upload": SimpleUploadedFile(filename, b"a,b\n1,2\n")},
                           HTTP_AUTHORIZATION=world["token"])
    assert response.status_code == 200, response.content[:500]
    resource = Resource.objects.get(pk=response.json()["result"]["id"])
    assert len(resource.file.name) <= 100 and ".." not in resource.file.name
    assert client.get(response.json()["result"]["url"].replace("http://127.0.0.1:8000", "")).status_code == 200


def test_empty_upload_is_rejected_and_writes_nothing(client, world):
    before = _counts()
    response = client.post("/api/3/action/resource_create",
                           {"package_id": world["ds"], "upload": SimpleUploadedFile("leer.csv", b"")},
                           HTTP_AUTHORIZATION=world["token"])
    assert "leer" in assert_envelope(response, 409, "Validation Error", "upload")[0]
    assert _counts() == before


@pytest.mark.parametrize("query", [
    {"page": str(10**30)}, {"page": "0"}, {"page": "-3"}, {"page": "x"},
    {"modified_since": "gestern"}, {"modified_since": "2026-13-45"}, {"modified_since": "2026-02-30T00:00:00Z"},
    {"modified_since": "NOW+99999999999999YEARS"}, {"modified_since": "0001-01-01T00:00:00+01:00"},
    {"modified_since": "NOW+" + "9" * 5000 + "DAYS"}, {"modified_since": "\x00"},
])
def test_dcat_catalogue_never_fails_on_parameters(client, world, query):
    response = client.get("/opendata/catalog.ttl", query)
    assert response.status_code in (200, 400), response.content[:300]
    if "modified_since" in query:
        assert response.status_code == 400 and "modified_since" in response.content.decode()


@pytest.mark.parametrize(("path", "query"), [
    ("/opendata/", {"page": str(10**30)}), ("/opendata/", {"page": "-1"}), ("/opendata/", {"q": "title:(Park"}),
    ("/opendata/", {"q": "Park\x00"}), ("/opendata/", {"q": "title:Parkh*"}),
    ("/opendata/", {"tags": "x" * 5000, "organization": "\x00"}),
    ("/opendata/changes", {"since": str(10**30)}), ("/opendata/changes", {"limit": str(10**30)}),
    ("/opendata/dataset/{ds}/resource/{res}/", {"offset": str(10**30)}),
    ("/opendata/dataset/{ds}/resource/{res}/", {"offset": "-50"}),
])
def test_public_pages_never_fail_on_parameters(client, world, path, query):
    response = client.get(path.format(**world), query)
    assert response.status_code == 200, response.content[:300]


def test_change_feed_rejects_non_numbers(client, world):
    response = client.get("/opendata/changes", {"since": "gestern"})
    assert response.status_code == 400 and "ganze Zahlen" in response.json()["error"]


EDITOR_FORM = {"title": "Wochenmärkte", "name": "wochenmaerkte", "owner_org": "duesseldorf", "notes": "Märkte",
               "license_id": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"}


@pytest.mark.parametrize(("changes", "field"), [
    ({"title": "T" * 501}, "title"), ({"url": "https://example.org/" + "u" * 500}, "url"),
    ({"political_geocoding_uri": "http://dcat-ap.de/def/politicalGeocoding/" + "x" * 200},
     "political_geocoding_uri"),
    ({"maintainer": "M" * 201}, "maintainer"), ({"temporal_start": "2026-02-30"}, "temporal_start"),
    ({"temporal_start": "0999-01-01"}, "temporal_start"),
    ({"notes": "Märkte\x00"}, "notes"), ({"tag_string": "a" * 101}, "tag_string"),
    ({"groups": ["keine-kategorie"]}, "groups"), ({"owner_org": "koeln"}, "owner_org"),
])
def test_editor_dataset_form_shows_errors_and_writes_nothing(client, editor, world, changes, field):
    login_staff(client, editor)
    before = _counts()
    for url in ("/opendata/redaktion/neu/", f"/opendata/redaktion/{world['ds']}/"):
        data = {**EDITOR_FORM, **changes}
        if url != "/opendata/redaktion/neu/":
            data["name"] = world["ds"]
        response = client.post(url, data)
        assert response.status_code == 200, (url, response.status_code)
        assert response.context["form"].errors, url
        assert field in response.context["form"].errors or "__all__" in response.context["form"].errors
    assert _counts() == before


@pytest.mark.parametrize("data", [
    {"url": "https://example.org/" + "r" * 2000}, {"format": "F" * 51, "url": "https://example.org/a.csv"},
    {"name": "N" * 501, "url": "https://example.org/a.csv"}, {"name": "a\x00", "url": "https://example.org/a.csv"},
    {"upload": SimpleUploadedFile("leer.csv", b"")}, {"url": "kein Link"},
])
def test_editor_resource_form_shows_errors_and_writes_nothing(client, editor, world, data):
    login_staff(client, editor)
    before = _counts()
    response = client.post(f"/opendata/redaktion/{world['ds']}/ressource/", data)
    assert response.status_code == 200 and response.context["form"].errors
    assert _counts() == before


def test_editor_state_and_token_forms_ignore_garbage(client, editor, world):
    login_staff(client, editor)
    before = _counts()
    assert client.post(f"/opendata/redaktion/{world['ds']}/status/", {"state": "x" * 1000}).status_code == 302
    assert client.post("/opendata/redaktion/tokens/", {"revoke": "\x00"}).status_code == 302
    response = client.post("/opendata/redaktion/tokens/", {"name": "n" * 101})
    assert response.status_code == 200 and response.context["form"].errors
    assert _counts() == before


def test_long_values_within_the_limits_are_stored(client, world):
    """The limits are the columns' own: exactly max_length still works (on PostgreSQL too)."""
    data = {**NEW, "title": "T" * 500, "version": "1" * 100, "author": "A" * 200,
            "url": "https://example.org/" + "a" * 480, "identifier": "i" * 500,
            "resources": [{"url": "https://example.org/" + "r" * 1980, "format": "F" * 50, "name": "N" * 500}]}
    response = post(client, "package_create", data, world["token"])
    assert response.status_code == 200, response.content[:500]
    result = response.json()["result"]
    assert result["title"] == "T" * 500 and result["resources"][0]["format"] == "F" * 50
    make_dataset(Organization.objects.get(name="koeln"), "noch-einer", version="2" * 100)
