"""Replays how real harvesters page through package_search; every dataset must come back exactly once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from smartcity.opendata.models import Dataset

pytestmark = pytest.mark.django_db
TOTAL = 230


@pytest.fixture
def many(orgs):
    base = timezone.now() - timedelta(days=10)
    Dataset.objects.bulk_create([
        Dataset(name=f"ds-{i:04d}", title=f"Datensatz {i}", organization=orgs[i % 2], state="active",
                metadata_created=base, metadata_modified=base + timedelta(minutes=i))
        for i in range(TOTAL)])
    return base


def _page(client, **params):
    response = client.get("/api/3/action/package_search", params)
    assert response.status_code == 200, response.content
    return response.json()["result"]


def test_ckanext_harvest_pattern_full_and_incremental(client, many):
    """ckanext-harvest: rows=100, start, sort=id asc, fq=metadata_modified:[<ISO>Z TO *]; stop on an empty page."""
    def harvest(fq: str, modify_during: bool = False) -> list[str]:
        ids, start, previous = [], 0, None
        while True:
            result = _page(client, fq=fq, rows=100, start=start, sort="id asc")
            assert result["results"] != previous, "The paging doesn't seem to work"
            if not result["results"]:
                return ids
            ids += [d["id"] for d in result["results"]]
            if modify_during and start == 0:
                # Another editor changes a dataset between two pages; id order keeps paging stable.
                Dataset.objects.filter(pk=result["results"][-1]["id"]).update(metadata_modified=timezone.now())
            previous, start = result["results"], start + 100

    full = harvest("metadata_modified:[2000-01-01T00:00:00Z TO *]", modify_during=True)
    assert len(full) == len(set(full)) == TOTAL
    cutoff = many + timedelta(minutes=200)
    incremental = harvest(f"metadata_modified:[{cutoff:%Y-%m-%dT%H:%M:%SZ} TO *]")
    # The 30 datasets modified at or after the cut-off, plus the one touched during the full run (unless it
    # was one of them already: ids are random UUIDs).
    expected = {str(pk) for pk in Dataset.objects.filter(metadata_modified__gte=cutoff).values_list("id", flat=True)}
    assert len(expected) in (30, 31)
    assert len(incremental) == len(set(incremental)) and set(incremental) == expected
    orgs_only = harvest("organization:koeln OR organization:duesseldorf")
    assert len(orgs_only) == TOTAL
    assert len(harvest("-organization:koeln")) == TOTAL // 2


def test_piveau_pattern(client, many):
    """piveau: package_search?rows&start with q=metadata_modified:[<yyyy-MM-ddTHH:mm:ssZ> TO *], reads count."""
    since = (many - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    first = _page(client, q=f"metadata_modified:[{since} TO *]", rows=50, start=0)
    count = first["count"]
    ids = [d["id"] for d in first["results"]]
    for start in range(50, count, 50):
        ids += [d["id"] for d in _page(client, q=f"metadata_modified:[{since} TO *]", rows=50, start=start)["results"]]
    assert count == TOTAL and len(ids) == len(set(ids)) == TOTAL


def test_dkan_dialect_and_package_list(client, many):
    ids = []
    for offset in range(0, TOTAL, 100):
        response = client.get("/api/3/action/current_package_list_with_resources", {"limit": 100, "offset": offset})
        ids += [d["id"] for d in response.json()["result"]]
    assert len(ids) == len(set(ids)) == TOTAL
    names = client.get("/api/action/package_list").json()["result"]
    assert len(names) == len(set(names)) == TOTAL
