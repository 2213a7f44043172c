"""The CKAN Action API: envelope, errors, read and write actions, the harvester query language."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.opendata.models import ChangeEvent, Dataset, Resource

from .conftest import make_dataset

pytestmark = pytest.mark.django_db


def call(client, name, params=None, *, token=None, method="post", version="3", **extra):
    url = f"/api/{version}/action/{name}" if version else f"/api/action/{name}"
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    if method == "get":
        return client.get(url, params or {}, **headers)
    if extra.get("multipart"):
        return client.post(url, params or {}, **headers)
    return client.post(url, json.dumps(params or {}), content_type="application/json", **headers)


def test_envelope_and_status_show(client):
    for version in ("3", None):
        response = call(client, "status_show", method="get", version=version)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json;charset=utf-8"
        body = response.json()
        assert body["success"] is True
        assert body["help"].endswith("/api/3/action/help_show?name=status_show")
        assert body["result"]["ckan_version"].startswith("2.")
    assert client.get("/api/3").json() == {"version": 3}


def test_unknown_action_and_get_on_write_are_bad_requests(client):
    response = call(client, "nope", method="get")
    assert response.status_code == 400
    assert response.json() == "Bad request - Action name not known: nope"
    assert call(client, "package_create", method="get").status_code == 400
    bad_json = client.post("/api/3/action/package_search", "{nope", content_type="application/json")
    assert bad_json.status_code == 400


def test_package_show_by_name_and_id_ignores_unknown_params(client, catalogue):
    ds = catalogue[0]
    for ref in (ds.name, str(ds.id)):
        body = call(client, "package_show", {"id": ref, "include_datasets": "true", "include_users": "x"},
                    method="get").json()
        result = body["result"]
        assert result["id"] == str(ds.id)
        assert result["organization"]["name"] == "duesseldorf"
        assert result["license_title"] == "Datenlizenz Deutschland – Zero – Version 2.0"
        assert result["resources"][0]["format"] == "CSV"
        assert {t["name"] for t in result["tags"]} == {"Parken", "Verkehr"}
        extras = {e["key"]: e["value"] for e in result["extras"]}
        assert json.loads(extras["contributorID"]) == ["http://dcat-ap.de/def/contributors/openNRW"]
        for key in ("author", "author_email", "maintainer", "maintainer_email", "state", "private", "type"):
            assert key in result


def test_not_found_and_private_dataset(client, orgs, token):
    response = call(client, "package_show", {"id": "gibt-es-nicht"}, method="get")
    assert response.status_code == 404
    assert response.json()["error"] == {"__type": "Not Found Error", "message": "Not found: Dataset"}
    secret = make_dataset(orgs[0], "geheim", private=True)
    denied = call(client, "package_show", {"id": secret.name}, method="get")
    assert denied.status_code == 403
    assert denied.json()["error"]["__type"] == "Authorization Error"
    assert call(client, "package_show", {"id": secret.name}, method="get", token=token).status_code == 200


def test_package_list_and_current_package_list(client, catalogue):
    names = call(client, "package_list", method="get").json()["result"]
    assert names == sorted(d.name for d in catalogue)
    assert call(client, "package_list", {"limit": 1, "offset": 1}, method="get").json()["result"] == [names[1]]
    current = call(client, "current_package_list_with_resources", {"limit": 2}, method="get").json()["result"]
    assert len(current) == 2 and "resources" in current[0]


@pytest.mark.parametrize("params, expected", [
    ({"q": "parkhäuser"}, {"parkhaeuser"}),
    ({"fq": "organization:koeln"}, {"baumkataster-koeln"}),
    ({"fq": "organization:koeln OR organization:duesseldorf"}, {"parkhaeuser", "spielplaetze", "baumkataster-koeln"}),
    ({"fq": "-organization:koeln"}, {"parkhaeuser", "spielplaetze"}),
    ({"fq": "tags:Parken"}, {"parkhaeuser"}),
    ({"fq": "groups:envi"}, {"baumkataster-koeln"}),
    ({"fq": "-groups:envi"}, {"parkhaeuser", "spielplaetze"}),
    ({"fq": "res_format:CSV"}, {"parkhaeuser", "baumkataster-koeln"}),
    ({"q": "res_format:JSON"}, {"spielplaetze"}),
    ({"q": "name:parkhaeuser AND -organization:koeln"}, {"parkhaeuser"}),
    ({"fq": "metadata_modified:[2000-01-01T00:00:00Z TO *]"}, {"parkhaeuser", "spielplaetze", "baumkataster-koeln"}),
    ({"fq": "metadata_modified:[2999-01-01T00:00:00Z TO *]"}, set()),
    ({"fq": "metadata_modified:[2000-01-01T00:00:00Z TO NOW]", "fq_list": ["organization:koeln"]},
     {"baumkataster-koeln"}),
    ({"fq": "license_id:\"http://dcat-ap.de/def/licenses/cc-by/4.0\""}, {"baumkataster-koeln"}),
    ({"fq": "+dataset_type:dataset"}, {"parkhaeuser", "spielplaetze", "baumkataster-koeln"}),
])
def test_package_search_query_language(client, catalogue, params, expected):
    response = call(client, "package_search", params, method="get")
    assert response.status_code == 200, response.content
    result = response.json()["result"]
    assert {d["name"] for d in result["results"]} == expected
    assert result["count"] == len(expected)


def test_package_search_facets(client, catalogue):
    params = {"facet.field": json.dumps(["organization", "res_format", "tags", "groups", "license_id"]),
              "facet.limit": "10"}
    result = call(client, "package_search", params, method="get").json()["result"]
    assert result["facets"]["organization"] == {"duesseldorf": 2, "koeln": 1}
    assert result["facets"]["res_format"] == {"CSV": 2, "JSON": 1}
    items = result["search_facets"]["organization"]["items"]
    assert items[0] == {"name": "duesseldorf", "display_name": "Landeshauptstadt Düsseldorf", "count": 2}
    assert result["search_facets"]["groups"]["items"][0]["display_name"] in ("Verkehr", "Umwelt",
                                                                              "Bevölkerung und Gesellschaft")
    limited = call(client, "package_search", {**params, "facet.limit": "1"}, method="get").json()["result"]
    assert len(limited["facets"]["organization"]) == 1


def test_package_search_paging_sort_and_bad_input(client, catalogue):
    page1 = call(client, "package_search", {"rows": 2, "start": 0, "sort": "id asc"}, method="get").json()["result"]
    page2 = call(client, "package_search", {"rows": 2, "start": 2, "sort": "id asc"}, method="get").json()["result"]
    ids = [d["id"] for d in page1["results"] + page2["results"]]
    assert ids == sorted(str(d.id) for d in catalogue)
    capped = call(client, "package_search", {"rows": 100000}, method="get")
    assert capped.status_code == 200 and capped.json()["result"]["count"] == 3
    for bad in ({"fq": "organization:(koeln"}, {"fq": "metadata_modified:[gestern TO *]"}, {"q": "unbekannt:x"},
                {"rows": "viele"}, {"rows": "-1"}, {"fq": "metadata_modified:[2026-13-45T00:00:00Z TO *]"}):
        response = call(client, "package_search", bad, method="get")
        assert response.status_code == 409, (bad, response.content)
        assert response.json()["error"]["__type"] == "Validation Error"
    bad_sort = call(client, "package_search", {"sort": "drop table"}, method="get")
    assert bad_sort.status_code == 400 and bad_sort.json()["error"]["__type"] == "Search Query Error"


def test_organization_group_tag_license_lists(client, catalogue):
    assert call(client, "organization_list", method="get").json()["result"] == ["duesseldorf", "koeln"]
    full = call(client, "organization_list", {"all_fields": "true", "sort": "package_count desc"},
                method="get").json()["result"]
    assert full[0]["name"] == "duesseldorf" and full[0]["package_count"] == 2
    org = call(client, "organization_show", {"id": "koeln", "include_datasets": "true"}, method="get").json()
    assert org["result"]["package_count"] == 1 and org["result"]["packages"][0]["name"] == "baumkataster-koeln"
    assert "tran" in call(client, "group_list", method="get").json()["result"]
    group = call(client, "group_show", {"id": "tran"}, method="get").json()["result"]
    assert group["title"] == "Verkehr" and group["package_count"] == 1
    assert call(client, "tag_list", {"query": "par"}, method="get").json()["result"] == ["Parken"]
    licenses = call(client, "license_list", method="get").json()["result"]
    assert any(lic["id"] == "http://dcat-ap.de/def/licenses/dl-zero-de/2.0" for lic in licenses)
    res_id = catalogue[0].resources.get().id
    assert call(client, "resource_show", {"id": str(res_id)}, method="get").json()["result"]["format"] == "CSV"
    assert "dataset" in call(client, "help_show", {"name": "package_show"}, method="get").json()["result"]
    assert call(client, "organization_show", {"id": "nirgendwo"}, method="get").status_code == 404


def test_datastore_search_sql_is_not_offered(client):
    response = call(client, "datastore_search_sql", {"sql": "SELECT 1"}, method="get")
    assert response.status_code == 400
    assert response.json()["error"]["__type"] == "Not Supported"


# --- writes -----------------------------------------------------------------------------------

NEW = {"name": "radwege", "title": "Radwege", "owner_org": "duesseldorf", "notes": "Radverkehrsnetz",
       "tags": [{"name": "Radverkehr"}], "groups": [{"name": "tran"}],
       "extras": [{"key": "frequency", "value": "http://publications.europa.eu/resource/authority/frequency/ANNUAL"}],
       "resources": [{"url": "https://example.org/radwege.geojson", "format": "GeoJSON"}]}


def test_package_create_update_patch_delete(client, orgs, token):
    created = call(client, "package_create", NEW, token=token)
    assert created.status_code == 200, created.content
    result = created.json()["result"]
    assert result["name"] == "radwege" and result["state"] == "active"
    assert result["resources"][0]["format"] == "GEOJSON"
    patched = call(client, "package_patch", {"id": "radwege", "title": "Radwege 2026"}, token=token).json()["result"]
    assert patched["title"] == "Radwege 2026" and patched["notes"] == "Radverkehrsnetz"
    updated = call(client, "package_update", {**NEW, "id": result["id"], "notes": ""}, token=token).json()["result"]
    assert updated["notes"] == "" and updated["title"] == "Radwege"
    assert call(client, "package_delete", {"id": "radwege"}, token=token).json()["result"] is None
    assert Dataset.objects.get(name="radwege").state == "deleted"
    assert call(client, "package_show", {"id": "radwege"}, method="get").status_code == 404
    assert ChangeEvent.objects.filter(dataset_name="radwege").last().kind == "deleted"
    feed = client.get("/opendata/changes?since=0").json()
    assert feed["changes"][-1]["change"] == "deleted"
    assert Dataset.objects.get(name="radwege").revisions.count() == 4


def test_writes_need_a_token_of_the_owning_organisation(client, orgs, token):
    missing = call(client, "package_create", NEW)
    assert missing.status_code == 403 and missing.json()["error"]["__type"] == "Authorization Error"
    assert call(client, "package_create", NEW, token="falsch").status_code == 403
    other_org = call(client, "package_create", {**NEW, "owner_org": "koeln"}, token=token)
    assert other_org.status_code == 403
    koeln_ds = make_dataset(orgs[1], "koeln-daten")
    assert call(client, "package_patch", {"id": koeln_ds.name, "title": "x"}, token=token).status_code == 403
    assert call(client, "package_delete", {"id": koeln_ds.name}, token=token).status_code == 403
    assert not Dataset.objects.filter(name="radwege").exists()
    assert Dataset.objects.get(name="koeln-daten").title != "x"


def test_validation_errors_write_nothing(client, orgs, token):
    bad = call(client, "package_create", {**NEW, "name": "Ungültig Name!", "license_id": "proprietaer"}, token=token)
    assert bad.status_code == 409
    error = bad.json()["error"]
    assert error["__type"] == "Validation Error" and "name" in error and "license_id" in error
    assert call(client, "package_create", {"title": "ohne"}, token=token).json()["error"]["owner_org"]
    make_dataset(orgs[0], "radwege")
    duplicate = call(client, "package_create", NEW, token=token)
    assert duplicate.status_code == 409 and duplicate.json()["error"]["name"]
    assert Dataset.objects.count() == 1


def test_organization_create_is_for_sysadmins(client, token, sysadmin_token):
    assert call(client, "organization_create", {"name": "bonn", "title": "Bonn"}, token=token).status_code == 403
    created = call(client, "organization_create", {"name": "bonn", "title": "Bundesstadt Bonn"}, token=sysadmin_token)
    assert created.status_code == 200 and created.json()["result"]["title"] == "Bundesstadt Bonn"
    assert call(client, "organization_create", {"name": "bonn"}, token=sysadmin_token).status_code == 409


def test_resource_upload_link_update_delete(client, catalogue, token, django_capture_on_commit_callbacks):
    ds = catalogue[0]
    upload = SimpleUploadedFile("parkhaeuser.csv", "name;plaetze\nKö-Galerie;850\nSchadow-Arkaden;600\n".encode(),
                                content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/3/action/resource_create", {"package_id": ds.name, "name": "Belegung",
                                                                  "upload": upload}, HTTP_X_CKAN_API_KEY=token)
    assert response.status_code == 200, response.content
    res = response.json()["result"]
    assert res["url_type"] == "upload" and res["size"] > 0 and res["hash"].startswith("sha256:")
    shown = call(client, "resource_show", {"id": res["id"]}, method="get").json()["result"]
    assert shown["datastore_active"] is True  # the load ran after commit (eager Celery in tests)
    download = client.get(res["url"].replace("http://127.0.0.1:8000", ""))
    assert download.status_code == 200 and b"Galerie" in b"".join(download.streaming_content)
    rows = call(client, "datastore_search", {"resource_id": res["id"]}, method="get").json()["result"]
    assert rows["total"] == 2 and rows["records"][0] == {"_id": 1, "name": "Kö-Galerie", "plaetze": 850}
    link = call(client, "resource_create", {"package_id": ds.name, "url": "https://example.org/a.pdf"}, token=token)
    assert link.json()["result"]["format"] == "PDF"
    patched = call(client, "resource_patch", {"id": res["id"], "description": "Stand heute"}, token=token)
    assert patched.json()["result"]["description"] == "Stand heute"
    assert call(client, "resource_delete", {"id": link.json()["result"]["id"]}, token=token).status_code == 200
    assert len(call(client, "package_show", {"id": ds.name}, method="get").json()["result"]["resources"]) == 2


def test_bad_uploads_are_rejected_cleanly(client, catalogue, token, django_capture_on_commit_callbacks):
    ds = catalogue[0]
    before = Resource.objects.count()
    empty = client.post("/api/3/action/resource_create", {"package_id": ds.name,
                                                           "upload": SimpleUploadedFile("leer.csv", b"")},
                        HTTP_AUTHORIZATION=token)
    assert empty.status_code == 409 and "leer" in empty.json()["error"]["upload"][0]
    nothing = call(client, "resource_create", {"package_id": ds.name}, token=token)
    assert nothing.status_code == 409 and nothing.json()["error"]["url"]
    assert Resource.objects.count() == before
    broken = SimpleUploadedFile("kaputt.csv", b"a,b,c\n1,2\n3,4,5,6\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/3/action/resource_create", {"package_id": ds.name, "upload": broken},
                               HTTP_AUTHORIZATION=token)
    assert response.status_code == 200  # the file is kept; the DataStore load failed with a clear error
    resource = Resource.objects.get(pk=response.json()["result"]["id"])
    assert resource.datastore_status == "error" and "Zeile 2" in resource.datastore_error


def test_cached_search_results_follow_every_change(client, catalogue, token):
    def titles():
        result = call(client, "package_search", {"fq": "organization:duesseldorf", "facet.field": '["tags"]'},
                      method="get").json()["result"]
        return {d["name"]: d["title"] for d in result["results"]}, result["facets"]["tags"]

    before, tags = titles()
    assert before["parkhaeuser"] == "Parkhaeuser" and "Neu" not in tags
    call(client, "package_patch", {"id": "parkhaeuser", "title": "Parkhäuser 2026", "tags": [{"name": "Neu"}]},
         token=token)
    after, tags = titles()
    assert after["parkhaeuser"] == "Parkhäuser 2026" and tags.get("Neu") == 1
