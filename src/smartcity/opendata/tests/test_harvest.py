"""Harvesting from a CKAN API and a DCAT catalogue, with fake transports (recorded responses)."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from smartcity.opendata import harvest
from smartcity.opendata.models import Dataset, HarvestJob, HarvestSource

pytestmark = pytest.mark.django_db


def remote_package(i: int, modified: datetime) -> dict:
    return {
        "id": f"00000000-0000-4000-8000-{i:012d}", "name": f"remote-{i}", "title": f"Remote {i}",
        "notes": "Vom Landesportal", "type": "dataset", "license_id": "http://dcat-ap.de/def/licenses/dl-zero-de/2_0",
        "metadata_modified": modified.replace(tzinfo=None).isoformat(),
        "tags": [{"name": "Verkehr"}, {"name": "x"}], "groups": [{"name": "tran"}, {"name": "unbekannt"}],
        "extras": [{"key": "identifier", "value": f"https://land.example/ds/{i}"},
                   {"key": "harvest_source_id", "value": "intern"}],
        "resources": [{"url": f"https://land.example/{i}.csv", "format": "CSV", "name": "Daten"}],
    }


class FakeCkan:
    """Answers package_search like CKAN: sort=id asc, rows/start paging, fq on metadata_modified."""

    no_backoff = True

    def __init__(self, packages: list[dict]):
        self.packages = packages
        self.calls: list[dict] = []

    def get(self, url, params=None):
        assert url.endswith("/api/3/action/package_search")
        self.calls.append(dict(params))
        items = sorted(self.packages, key=lambda p: p["id"])
        fq = params.get("fq", "")
        if "metadata_modified:[" in fq:
            since = fq.split("metadata_modified:[", 1)[1].split(" TO", 1)[0].rstrip("Z")
            items = [p for p in items if p["metadata_modified"] >= since]
        start, rows = int(params["start"]), int(params["rows"])
        body = {"success": True, "result": {"count": len(items), "results": items[start:start + rows]}}
        return "application/json", json.dumps(body).encode()


@pytest.fixture
def source(orgs):
    return HarvestSource.objects.create(name="open-nrw", title="Open.NRW", url="https://open.nrw.example",
                                        kind="ckan", organization=orgs[1])


def test_full_then_incremental_ckan_harvest(source, monkeypatch):
    monkeypatch.setattr(harvest, "PAGE_ROWS", 10)  # the real 100 needs more data than a unit test should create
    old = datetime(2026, 1, 1, tzinfo=UTC)
    fake = FakeCkan([remote_package(i, old) for i in range(25)])
    job = harvest.run_job(harvest.start(source, incremental=False), fake)
    assert job.status == "finished" and job.created_count == 25, job.log
    assert [c["start"] for c in fake.calls] == [0, 10, 20, 30]
    assert all(c["sort"] == "id asc" and c["rows"] == 10 for c in fake.calls)
    ds = Dataset.objects.get(name="remote-7")
    assert ds.organization == source.organization and ds.harvest_guid.endswith("000000000007")
    assert ds.license_id == "http://dcat-ap.de/def/licenses/dl-zero-de/2.0"
    assert ds.identifier == "https://land.example/ds/7"  # passed on unchanged
    assert [g.name for g in ds.groups.all()] == ["tran"]
    assert "harvest_source_id" not in ds.extras

    source.refresh_from_db()
    fake.packages[3]["title"] = "Remote 3 (neu)"
    fake.packages[3]["metadata_modified"] = (timezone.now() + timedelta(minutes=1)).replace(tzinfo=None).isoformat()
    fake.calls.clear()
    job = harvest.run_job(harvest.start(source), fake)
    assert job.status == "finished" and job.updated_count == 1 and job.created_count == 0, job.log
    assert "metadata_modified:[" in fake.calls[0]["fq"]
    assert Dataset.objects.get(name="remote-3").title == "Remote 3 (neu)"
    assert Dataset.objects.filter(harvest_source=source).count() == 25


class Unreachable:
    no_backoff = True

    def __init__(self):
        self.calls = 0

    def get(self, url, params=None):
        self.calls += 1
        raise harvest.HarvestError("Zeitüberschreitung nach 30 s")


class SamePage(FakeCkan):
    def get(self, url, params=None):
        return super().get(url, {**params, "start": 0})


class NotCkan:
    no_backoff = True

    def get(self, url, params=None):
        return "text/html", b"<html>Wartungsarbeiten</html>"


@pytest.mark.parametrize("transport, message", [
    (Unreachable(), "Zeitüberschreitung"),
    (SamePage([remote_package(i, datetime(2026, 1, 1, tzinfo=UTC)) for i in range(12)]), "Seitenaufteilung"),
    (NotCkan(), "Keine JSON-Antwort"),
])
def test_failures_end_the_job_with_a_log(source, transport, message, settings, monkeypatch):
    monkeypatch.setattr(harvest, "PAGE_ROWS", 10)
    settings.OPENDATA_HARVEST_MAX_ATTEMPTS = 3
    job = harvest.run_job(harvest.start(source), transport)
    assert job.status == "failed" and message in job.log and job.finished_at
    if isinstance(transport, Unreachable):
        assert transport.calls == 3 and "Versuch 3/3" in job.log
    source.refresh_from_db()
    assert source.last_success_at is None


def test_stale_running_jobs_are_failed(source):
    job = HarvestJob.objects.create(source=source, status="running",
                                    started_at=timezone.now() - timedelta(hours=5))
    assert harvest.fail_stale_jobs() == 1
    job.refresh_from_db()
    assert job.status == "failed" and "keine Rückmeldung" in job.log


PAGE1 = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
@prefix hydra: <http://www.w3.org/ns/hydra/core#> . @prefix dcatde: <http://dcat-ap.de/def/dcatde/> .
@prefix vcard: <http://www.w3.org/2006/vcard/ns#> .
<https://bonn.example/catalog> a dcat:Catalog ; dcat:dataset <https://bonn.example/dataset/baeume> .
<https://bonn.example/dataset/baeume> a dcat:Dataset ; dct:title "Bäume in Bonn"@de ;
  dct:description "Baumkataster"@de ; dcat:keyword "Bäume"@de ; dct:identifier "bonn-baeume-1" ;
  dcat:theme <http://publications.europa.eu/resource/authority/data-theme/ENVI> ;
  dcatde:contributorID <http://dcat-ap.de/def/contributors/openNRW> ;
  dcat:contactPoint [ a vcard:Organization ; vcard:hasEmail <mailto:umwelt@bonn.example> ] ;
  dcat:distribution <https://bonn.example/dataset/baeume/csv> .
<https://bonn.example/dataset/baeume/csv> a dcat:Distribution ; dcat:accessURL <https://bonn.example/b.csv> ;
  dct:format <http://publications.europa.eu/resource/authority/file-type/CSV> ;
  dct:license <http://dcat-ap.de/def/licenses/cc-by/4.0> .
<https://bonn.example/catalog.ttl?page=1> a hydra:PagedCollection ; hydra:totalItems 2 ;
  hydra:nextPage <https://bonn.example/catalog.ttl?page=2> .
"""
PAGE2 = """
@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
<https://bonn.example/dataset/parken> a dcat:Dataset ; dct:title "Parken in Bonn"@de ;
  dct:description "Parkplätze"@de .
"""


class FakeDcat:
    no_backoff = True

    def __init__(self):
        self.urls: list[str] = []

    def get(self, url, params=None):
        self.urls.append(url)
        return "text/turtle", (PAGE2 if url.endswith("page=2") else PAGE1).encode()


def test_dcat_harvest_follows_hydra_paging(orgs):
    source = HarvestSource.objects.create(name="bonn", title="Bonn", url="https://bonn.example/catalog.ttl?page=1",
                                          kind="dcat", organization=orgs[1])
    fake = FakeDcat()
    job = harvest.run_job(harvest.start(source, incremental=False), fake)
    assert job.status == "finished" and job.created_count == 2, job.log
    assert fake.urls == ["https://bonn.example/catalog.ttl?page=1", "https://bonn.example/catalog.ttl?page=2"]
    ds = Dataset.objects.get(harvest_guid="https://bonn.example/dataset/baeume")
    assert ds.title == "Bäume in Bonn" and ds.identifier == "bonn-baeume-1"
    assert ds.maintainer_email == "umwelt@bonn.example" and [g.name for g in ds.groups.all()] == ["envi"]
    res = ds.resources.get()
    assert res.format == "CSV" and res.license_id == "http://dcat-ap.de/def/licenses/cc-by/4.0"
    again = harvest.run_job(harvest.start(source), FakeDcat())
    assert again.updated_count == 2 and Dataset.objects.filter(harvest_source=source).count() == 2
