"""The unmodified ckanapi client (library and command line) against a live server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ckanapi import RemoteCKAN
from ckanapi.errors import NotAuthorized, NotFound, ValidationError

from smartcity.opendata.models import Dataset

pytestmark = pytest.mark.django_db(transaction=True)
CKANAPI = str(Path(sys.executable).with_name("ckanapi"))


def run_cli(*args: str) -> str:
    # ckanapi's worker processes call "ckanapi" through PATH.
    env = {**os.environ, "PATH": f"{Path(CKANAPI).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([CKANAPI, *args], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_library_status_search_show_and_errors(live_server, catalogue):
    ckan = RemoteCKAN(live_server.url, user_agent="smartcity-tests")
    assert ckan.action.status_show()["ckan_version"].startswith("2.")
    result = ckan.action.package_search(q="parkhäuser", rows=10)
    assert [d["name"] for d in result["results"]] == ["parkhaeuser"]
    assert ckan.action.package_show(id="spielplaetze")["organization"]["name"] == "duesseldorf"
    with pytest.raises(NotFound):
        ckan.action.package_show(id="gibt-es-nicht")
    with pytest.raises(ValidationError):
        ckan.action.package_search(fq="organization:(koeln")
    with pytest.raises(NotAuthorized):
        ckan.action.package_create(name="ohne-token", owner_org="duesseldorf")
    assert not Dataset.objects.filter(name="ohne-token").exists()


def test_cli_dump_all_and_search(live_server, catalogue, tmp_path):
    out = tmp_path / "dump.jsonl"
    run_cli("dump", "datasets", "--all", "-p", "1", "-O", str(out), "-r", live_server.url)
    dumped = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(d["name"] for d in dumped) == sorted(d.name for d in catalogue)
    found = run_cli("search", "datasets", "q=baumkataster", "-r", live_server.url)
    assert [json.loads(line)["name"] for line in found.splitlines()] == ["baumkataster-koeln"]


def test_cli_load_jsonl_with_token_and_upload(live_server, orgs, token, tmp_path):
    jsonl = tmp_path / "load.jsonl"
    rows = [{"name": f"geladen-{i}", "title": f"Geladen {i}", "owner_org": "duesseldorf", "notes": "aus JSONL",
             "tags": [{"name": "Import"}], "license_id": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0",
             "resources": [{"url": f"https://example.org/{i}.csv", "format": "CSV", "name": "Daten"}]}
            for i in range(3)]
    jsonl.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    run_cli("load", "datasets", "-I", str(jsonl), "-p", "1", "-r", live_server.url, "-a", token)
    assert set(Dataset.objects.filter(name__startswith="geladen-").values_list("state", flat=True)) == {"active"}
    assert Dataset.objects.filter(name__startswith="geladen-").count() == 3
    # Loading again updates in place instead of duplicating.
    run_cli("load", "datasets", "-I", str(jsonl), "-p", "1", "-r", live_server.url, "-a", token)
    assert Dataset.objects.filter(name__startswith="geladen-").count() == 3

    ckan = RemoteCKAN(live_server.url, apikey=token)
    csv = tmp_path / "zaehlung.csv"
    csv.write_text("ort;anzahl\nKö;12\nRhein;7\n", encoding="utf-8")
    with csv.open("rb") as fh:
        res = ckan.action.resource_create(package_id="geladen-0", name="Zählung", upload=fh)
    assert res["url_type"] == "upload" and res["size"] == csv.stat().st_size
    shown = ckan.action.resource_show(id=res["id"])
    assert shown["datastore_active"] is True
    records = ckan.action.datastore_search(resource_id=res["id"], filters={"ort": "Kö"})["records"]
    assert records == [{"_id": 1, "ort": "Kö", "anzahl": 12}]
