"""Open data API timings on the generated catalogue (run generate.py first), in-process through the full
Django stack (middleware, URL routing, the CKAN view, JSON encoding) with Django's test client.

``--cold`` switches the count/facet cache off, so every search computes its facets in the database.

Targets (issue 4): package_search with four facets p95 < 50 ms. Reference: data.gov's CKAN load test,
package_search mean 1,017 ms, package_show mean 392 ms (docs/performance.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_opendata /work/venv/bin/python bench/opendata/bench.py [--n 200]
"""

import argparse
import json
import random

from common import report, setup_django, timed

FACETS = json.dumps(["organization", "groups", "tags", "res_format"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--cold", action="store_true", help="switch off the per-version cache of counts/facets")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client

    if args.cold:
        settings.OPENDATA_FACET_CACHE_SECONDS = 0
    print(f"count/facet cache: {'off (cold)' if args.cold else f'{settings.OPENDATA_FACET_CACHE_SECONDS} s'}")

    from smartcity.opendata.models import Dataset, DatastoreTable, Tag

    client = Client()
    rng = random.Random(7)
    total = Dataset.objects.filter(state="active").count()
    print(f"catalogue: {total} public datasets")
    words = ["parken", "schule", "luft", "haushalt", "radweg", "hochwasser", "museum", "energie", "wahl", "baum"]
    tags = list(Tag.objects.filter(name__contains="-").values_list("name", flat=True)[:50])
    names = list(Dataset.objects.filter(name__startswith="bench-").values_list("name", flat=True)[:5000])

    def get(path: str, params: dict) -> dict:
        response = client.get(path, params)
        assert response.status_code == 200, response.content[:300]
        return response.json()["result"]

    def search(params: dict):
        return lambda: get("/api/3/action/package_search", {"facet.field": FACETS, "rows": 10, **params})

    scenarios = {
        "package_search *:* + 4 facets": lambda: search({})(),
        "package_search q=<word> + 4 facets": lambda: search({"q": rng.choice(words)})(),
        "package_search fq=organization + 4 facets": lambda: search(
            {"fq": f"organization:bench-org-{rng.randrange(20):02d}"})(),
        "package_search fq=tags + res_format + 4 facets": lambda: search(
            {"fq": f"tags:\"{rng.choice(tags)}\" AND res_format:CSV"})(),
        "package_search harvester page (sort id, start)": lambda: get(
            "/api/3/action/package_search", {"rows": 100, "start": rng.randrange(0, 5000, 100), "sort": "id asc",
                                             "fq": "metadata_modified:[2020-01-01T00:00:00Z TO *]"}),
    }
    mixed: list[float] = []
    for name, fn in scenarios.items():
        samples = timed(fn, args.n)
        report(name, samples)
        if "facets" in name:
            mixed += samples
    report("package_search, all four-facet scenarios", mixed)
    report("package_show", timed(lambda: get("/api/3/action/package_show", {"id": rng.choice(names)}), args.n))

    table = DatastoreTable.objects.filter(row_count__gte=100_000).select_related("resource").first()
    if table is None:
        print("no large DataStore table; run generate.py --rows 1000000")
        return
    rid = str(table.resource_id)
    print(f"datastore table: {table.row_count} rows")
    ds = "/api/3/action/datastore_search"
    report("datastore_search first page (100 rows)", timed(lambda: get(ds, {"resource_id": rid}), args.n))
    report("datastore_search offset up to 500k", timed(
        lambda: get(ds, {"resource_id": rid, "offset": rng.randrange(0, 500_000)}), max(20, args.n // 4)))
    report("datastore_search filters station+jahr", timed(lambda: get(ds, {
        "resource_id": rid, "filters": json.dumps({"station": f"DEDU{rng.randrange(40):03d}",
                                                   "jahr": 2000 + rng.randrange(26)})}), args.n))
    report("datastore_search sort no2 desc (full scan)", timed(
        lambda: get(ds, {"resource_id": rid, "sort": "no2 desc", "limit": 10}), max(10, args.n // 20)))


if __name__ == "__main__":
    main()
