"""What the search postings cost a catalogue write (ADR 0091), on the generated catalogue (run generate.py first).

The same writes through the services – package_patch of the title (new lexemes: postings and facet rows change),
of the tags (facet codes change), and a state change to draft and back (all of a dataset's rows go and return) –
once with the triggers of migration 0006 and once with them switched off; then the triggers alone: one UPDATE of
1,000 public datasets' ``metadata_modified`` (postings rewritten) and one of their vectors (postings and facet
deltas), with and without the triggers. Each run is one transaction that is rolled back, so the benchmark
database is left as it was.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_opendata /work/venv/bin/python bench/opendata/bench_writes.py \
        [--n 100]
"""

import argparse
import os
import random
import time

from common import report, setup_django, timed


class _RolledBack(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100)
    args = parser.parse_args()
    setup_django()
    from django.db import connection, transaction
    from django.test.utils import override_settings

    from smartcity.opendata import services
    from smartcity.opendata.models import Dataset

    override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}).enable()
    print(f"load average {os.getloadavg()}")
    names = list(Dataset.objects.filter(name__startswith="bench-", state="active", private=False)
                 .values_list("name", flat=True)[:20_000])
    words = ["Parkhaus", "Luftqualität", "Haushaltsplan", "Radverkehr", "Hochwasserschutz", "Ladesäulen"]

    def writes(rng: random.Random) -> dict:
        def dataset() -> Dataset:
            return Dataset.objects.get(name=rng.choice(names))

        def withdraw_and_publish() -> None:
            ds = dataset()
            services.set_state("bench", ds, Dataset.State.DRAFT)
            services.set_state("bench", ds, Dataset.State.ACTIVE)

        return {
            "package_patch title": lambda: services.update_dataset(
                "bench", dataset(), {"title": f"{rng.choice(words)} {rng.randrange(1000)}"}, partial=True),
            "package_patch tags": lambda: services.update_dataset(
                "bench", dataset(), {"tags": [{"name": rng.choice(words)}]}, partial=True),
            "set_state draft, then active": withdraw_and_publish,
        }

    bulk = {"metadata_modified": "metadata_modified = now()",
            "search_vector": "search_vector = search_vector || 'neuwort:1A'::tsvector"}
    for label, enabled in (("with the postings triggers", True), ("triggers off", False)):
        try:
            with transaction.atomic(), connection.cursor() as cur:
                if not enabled:
                    cur.execute("ALTER TABLE opendata_dataset DISABLE TRIGGER opendata_searchterm_sync")
                for name, write in writes(random.Random(3)).items():
                    report(f"{name}, {label}", timed(write, args.n))
                cur.execute("SELECT id FROM opendata_dataset WHERE state = 'active' AND NOT private "
                            "ORDER BY md5(id::text) LIMIT 1000")
                ids = [row[0] for row in cur.fetchall()]
                for column, assignment in bulk.items():
                    began = time.perf_counter()
                    cur.execute(f"UPDATE opendata_dataset SET {assignment} WHERE id = ANY(%s)", [ids])  # noqa: S608
                    per_row = (time.perf_counter() - began) * 1000 / len(ids)
                    print(f"UPDATE {column} of {len(ids)} datasets, {label}: {per_row:.3f} ms per dataset")
                raise _RolledBack
        except _RolledBack:
            pass


if __name__ == "__main__":
    main()
