"""Generate a synthetic catalogue for the benchmarks: N datasets (default 100,000) in 20 organisations,
3 tags of 300, 1–2 themes and 1–2 resources each; and a DataStore table with M rows (default 1,000,000).

Bulk inserts bypass the service layer on purpose (the services write history and audit per dataset); the
search and facet columns and the facet counts are filled afterwards as ``services.reindex`` fills them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_opendata /work/venv/bin/python bench/opendata/generate.py \
        [--datasets 100000] [--rows 1000000]
"""

import argparse
import importlib
import random
import time
import uuid
from datetime import timedelta

from common import setup_django

WORDS = ("Parken Verkehr Radweg Schule Kita Spielplatz Baum Luft Lärm Haushalt Wahl Bevölkerung Wetter Rhein "
         "Hochwasser Energie Solar Ladesäule Bus Bahn Haltestelle Müll Wertstoff Friedhof Sport Museum Bibliothek "
         "Markt Gewerbe Tourismus Hotel Kultur Denkmal Bebauungsplan Baustelle Straße Brücke Grünfläche").split()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from smartcity.opendata import search, services, vocab
    from smartcity.opendata.models import (
        Dataset,
        DatastoreRow,
        DatastoreTable,
        Group,
        Organization,
        Resource,
        Tag,
    )

    rng = random.Random(42)
    services.ensure_themes()
    t0 = time.perf_counter()
    orgs = [Organization.objects.get_or_create(name=f"bench-org-{i:02d}", defaults={"title": f"Bench-Kommune {i}"})[0]
            for i in range(20)]
    tags = [Tag.objects.get_or_create(name=f"{rng.choice(WORDS)}-{i}")[0] for i in range(300)]
    groups = list(Group.objects.all())
    licenses = list(vocab.LICENSES)[:8]
    formats = ["CSV", "JSON", "GEOJSON", "PDF", "XLSX", "XML"]
    now = timezone.now()
    existing = Dataset.objects.filter(name__startswith="bench-").count()
    batch = 5000
    for start in range(existing, args.datasets, batch):
        with transaction.atomic():
            datasets = []
            for i in range(start, min(start + batch, args.datasets)):
                words = rng.sample(WORDS, 4)
                datasets.append(Dataset(
                    name=f"bench-{i:06d}", title=f"{words[0]} und {words[1]} {i}",
                    notes=f"Synthetischer Datensatz über {words[2]}, {words[3]} und {words[0]} (Benchmark).",
                    organization=orgs[i % 20], state="active", license_id=rng.choice(licenses),
                    frequency=rng.choice(["ANNUAL", "MONTHLY", "DAILY", ""]),
                    metadata_created=now - timedelta(days=rng.randint(0, 2000)),
                    metadata_modified=now - timedelta(minutes=rng.randint(0, 500_000))))
            Dataset.objects.bulk_create(datasets)
            Dataset.tags.through.objects.bulk_create([
                Dataset.tags.through(dataset_id=d.id, tag_id=t.id) for d in datasets for t in rng.sample(tags, 3)])
            Dataset.groups.through.objects.bulk_create([
                Dataset.groups.through(dataset_id=d.id, group_id=g.id)
                for d in datasets for g in rng.sample(groups, rng.randint(1, 2))])
            Resource.objects.bulk_create([
                Resource(dataset_id=d.id, position=p, name=f"Ressource {p}", format=rng.choice(formats),
                         url=f"https://example.org/{d.name}/{p}")
                for d in datasets for p in range(rng.randint(1, 2))])
        print(f"{min(start + batch, args.datasets)} Datensätze", flush=True)
    print(f"datasets generated in {time.perf_counter() - t0:.0f} s", flush=True)

    t1 = time.perf_counter()
    with connection.cursor() as cur:
        # Statistics first: without them the planner expects one dataset and re-aggregates all tags per
        # dataset in a nested loop (quadratic: an hour instead of a minute for 100,000 datasets).
        cur.execute("ANALYZE opendata_dataset, opendata_dataset_tags, opendata_tag")
        # Bulk updates with the postings trigger off, then the postings rebuilt in one statement (migration 0006).
        cur.execute("ALTER TABLE opendata_dataset DISABLE TRIGGER opendata_searchterm_sync")
        cur.execute("""
            UPDATE opendata_dataset d SET
              search_text = lower(d.name || ' ' || d.title || ' ' || coalesce(t.names, '') || ' ' || d.notes),
              search_vector = setweight(to_tsvector('german', d.title || ' ' || d.name), 'A')
                           || setweight(to_tsvector('german', coalesce(t.names, '')), 'B')
                           || setweight(to_tsvector('german', d.notes), 'C')
            FROM (SELECT dt.dataset_id, string_agg(tag.name, ' ') AS names
                  FROM opendata_dataset_tags dt JOIN opendata_tag tag ON tag.id = dt.tag_id
                  GROUP BY dt.dataset_id) t
            WHERE t.dataset_id = d.id AND d.name LIKE 'bench-%%' AND d.search_vector IS NULL""")
        # Facet columns as migration 0003 fills them (services.reindex keeps them for single changes); then
        # compact the table, which the bulk updates left at twice its size.
        cur.execute(importlib.import_module("smartcity.opendata.migrations.0003_dataset_facet_columns").PG_FILL)
        cur.execute("ALTER TABLE opendata_dataset ENABLE TRIGGER opendata_searchterm_sync")
        for sql in importlib.import_module("smartcity.opendata.migrations.0006_search_terms").PG_REBUILD:
            cur.execute(sql)
        cur.execute("VACUUM FULL ANALYZE opendata_dataset")
        cur.execute("VACUUM ANALYZE opendata_dataset_tags")
        cur.execute("VACUUM ANALYZE opendata_dataset_groups")
        cur.execute("VACUUM ANALYZE opendata_resource")
        cur.execute("VACUUM ANALYZE opendata_searchterm")
    search.refresh_facet_counts(Organization.objects.values_list("pk", flat=True))
    with connection.cursor() as cur:  # without statistics the FacetCount sums are sorted, not hashed
        cur.execute("ANALYZE opendata_facetcount")
    print(f"search columns in {time.perf_counter() - t1:.0f} s", flush=True)

    # One tabular resource with M rows.
    t2 = time.perf_counter()
    host = Dataset.objects.get(name="bench-000000")
    resource, _ = Resource.objects.get_or_create(dataset=host, name="Messwerte (1 Mio. Zeilen)",
                                                 defaults={"format": "CSV", "url": "https://example.org/m.csv",
                                                           "datastore_status": "done"})
    table = DatastoreTable.objects.filter(resource=resource).first()
    if table is None or table.row_count != args.rows:
        DatastoreTable.objects.filter(resource=resource).delete()
        table = DatastoreTable.objects.create(resource=resource, row_count=args.rows, fields=[
            {"id": "station", "type": "text"}, {"id": "jahr", "type": "int"}, {"id": "monat", "type": "int"},
            {"id": "no2", "type": "numeric"}, {"id": "bezirk", "type": "text"}])
        stations = [f"DEDU{n:03d}" for n in range(40)]
        for start in range(0, args.rows, 20_000):
            DatastoreRow.objects.bulk_create([
                DatastoreRow(table=table, row_no=n + 1, data={
                    "station": stations[n % 40], "jahr": 2000 + (n // 40) % 26, "monat": 1 + n % 12,
                    "no2": round(rng.uniform(5, 60), 1), "bezirk": f"Stadtbezirk {1 + n % 10}"})
                for n in range(start, min(start + 20_000, args.rows))])
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE opendata_datastorerow")
    Resource.objects.filter(pk=resource.pk).update(datastore_status="done")
    print(f"datastore rows in {time.perf_counter() - t2:.0f} s; resource_id={resource.pk}", flush=True)
    print(f"uuid check {uuid.UUID(str(resource.pk))}")


if __name__ == "__main__":
    main()
