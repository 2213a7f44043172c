"""Open data API timings on the generated catalogue (run generate.py first), in-process through the full
Django stack (middleware, URL routing, the CKAN view, JSON encoding) with Django's test client.

Caches are off by default (Django's dummy cache: no cached counts, facets or package dicts), so every request
computes its result in the database; ``--cache`` measures with the local-memory cache instead.

The requests are those real clients send (docs/performance.md, open data section): the portal UI and CKAN's own
UI (free text incl. umlauts and plurals, facet filters, sort, paging, four facets), ckanapi (``search datasets``
pages with start/rows), ckanext-harvest (rows=100, sort=id asc, incremental ``metadata_modified`` fq,
organisation/group filters), piveau (``q=metadata_modified:[… TO *]``), the portal's HTML search page.

Targets (issue 4): package_search with four facets p95 < 50 ms. Reference: data.gov's CKAN load test,
package_search mean 1,017 ms, package_show mean 392 ms (docs/performance.md).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_opendata /work/venv/bin/python bench/opendata/bench.py \
        [--n 200] [--cache] [--only package_search]
"""

import argparse
import json
import os
import random
import time

from common import report, setup_django, timed

FACETS = json.dumps(["organization", "groups", "tags", "res_format"])
# Free text as citizens type it: lower/upper case, umlauts and ß, plurals and inflections (german stemming).
WORDS = ["parken", "Schulen", "luft", "Haushalt", "radwege", "Hochwasser", "museen", "energie", "Wahl", "bäume",
         "Lärm", "straße", "Brücken", "grünfläche", "Bevölkerung", "Ladesäulen"]
PAIRS = ["parken verkehr", "schule kita", "lärm straße", "bus haltestelle", "energie solar"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--cache", action="store_true", help="local-memory cache (counts, facets, package dicts)")
    parser.add_argument("--only", default="", help="run only scenarios whose name contains this text")
    args = parser.parse_args()
    os.environ.pop("REDIS_URL", None)  # --cache: the local-memory cache of this process
    setup_django()
    from django.core.cache import caches
    from django.test import Client
    from django.test.utils import override_settings

    if not args.cache:
        override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}).enable()
    print(f"cache: {type(caches['default']).__name__}, load average {os.getloadavg()}")

    from smartcity.opendata.models import Dataset, DatastoreTable, Tag

    client = Client()
    rng = random.Random(7)
    total = Dataset.objects.filter(state="active").count()
    print(f"catalogue: {total} public datasets")
    tags = list(Tag.objects.filter(name__contains="-").values_list("name", flat=True)[:50])
    names = list(Dataset.objects.filter(name__startswith="bench-").values_list("name", flat=True)[:5000])

    def org() -> str:
        return f"bench-org-{rng.randrange(20):02d}"

    def get(path: str, params: dict) -> dict:
        response = client.get(path, params)
        assert response.status_code == 200, response.content[:300]
        return response.json()["result"]

    def search(**params):
        return lambda: get("/api/3/action/package_search", {"facet.field": FACETS, "rows": 20, **params})

    def page() -> int:
        return rng.randrange(0, 50) * 20

    faceted = {
        "*:* (landing page)": lambda: search()(),
        "q=<word>": lambda: search(q=rng.choice(WORDS))(),
        "q=<two words>": lambda: search(q=rng.choice(PAIRS))(),
        "q=<word>, start=20..980 (paging)": lambda: search(q=rng.choice(WORDS), start=page() % 200)(),
        "q=<word> fq=organization sort=modified": lambda: search(
            q=rng.choice(WORDS), fq=f"organization:{org()}", sort="metadata_modified desc")(),
        "fq=organization": lambda: search(fq=f"organization:{org()}")(),
        "fq=tags AND res_format:CSV": lambda: search(fq=f"tags:\"{rng.choice(tags)}\" AND res_format:CSV")(),
        "fq=groups + res_format (two facets chosen)": lambda: search(
            fq_list=[f"groups:{rng.choice(['tran', 'envi', 'educ', 'soci'])}", "res_format:JSON"])(),
        "*:* sort=modified desc, start up to 980": lambda: search(sort="metadata_modified desc", start=page())(),
        "*:* sort=title_string asc, start up to 980": lambda: search(sort="title_string asc", start=page())(),
    }
    harvesting = {
        "ckanext-harvest page (rows=100, sort id, modified fq)": lambda: get(
            "/api/3/action/package_search", {"rows": 100, "start": rng.randrange(0, 5000, 100), "sort": "id asc",
                                             "fq": "metadata_modified:[2020-01-01T00:00:00Z TO *]"}),
        "ckanext-harvest org filter (OR, -groups)": lambda: get(
            "/api/3/action/package_search", {"rows": 100, "start": rng.randrange(0, 1000, 100), "sort": "id asc",
                                             "fq": f"(organization:{org()} OR organization:{org()}) -groups:envi"}),
        "piveau (q=metadata_modified range, rows=100)": lambda: get(
            "/api/3/action/package_search", {"rows": 100, "start": rng.randrange(0, 5000, 100),
                                             "q": "metadata_modified:[2026-01-01T00:00:00Z TO *]"}),
        "ckanapi search datasets (rows=1000)": lambda: get(
            "/api/3/action/package_search", {"rows": 1000, "start": rng.randrange(0, 20) * 1000}),
    }
    selected = lambda name: args.only in name  # noqa: E731
    mixed: list[float] = []
    for name, fn in faceted.items():
        if selected("package_search " + name):
            samples = timed(fn, args.n)
            report("package_search 4 facets " + name, samples)
            mixed += samples
    if mixed:
        report("package_search 4 facets, all scenarios above", mixed)
    html = "/opendata/"
    if selected("html search"):
        report("html search page /opendata/?q=<word> (5 facets)", timed(
            lambda: client.get(html, {"q": rng.choice(WORDS)}), args.n))
        report("html search page /opendata/ (5 facets)", timed(lambda: client.get(html), args.n))
    for name, fn in harvesting.items():
        if selected("package_search " + name):
            report("package_search " + name, timed(fn, max(10, args.n // 10)))
    if selected("package_show"):
        report("package_show", timed(lambda: get("/api/3/action/package_show", {"id": rng.choice(names)}), args.n))

    table = DatastoreTable.objects.filter(row_count__gte=100_000).select_related("resource").first()
    if not selected("datastore_search"):
        return
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
    report("datastore_search sort no2 desc", timed(
        lambda: get(ds, {"resource_id": rid, "sort": "no2 desc", "limit": 10}), max(10, args.n // 20)))
    report("datastore_search filters + sort no2 desc", timed(lambda: get(ds, {
        "resource_id": rid, "filters": json.dumps({"station": f"DEDU{rng.randrange(40):03d}"}),
        "sort": "no2 desc", "limit": 10}), max(10, args.n // 20)))
    print(f"load average {os.getloadavg()}, finished {time.strftime('%H:%M:%S', time.gmtime())} UTC")


if __name__ == "__main__":
    main()
