"""package_search in-process: Python calls, SQL statements and CPU time per request, optionally a profile.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_opendata /work/venv/bin/python bench/opendata/calls.py \
        [--requests 50] [--profile "q=<word>"] [--digest before.txt]

The requests are fixed (the first words, organisations and pages of bench.py's scenarios), so the figures are
deterministic: Python function calls per request (counted by cProfile) and SQL statements do not depend on
what else runs on the machine; the CPU ms of this process do. No cache (Django's dummy cache), as bench.py.
``--digest FILE`` writes the SHA-256 of every response body: two runs (before and after a change) must agree.
"""

import argparse
import cProfile
import hashlib
import json
import pstats
import statistics
import time

from common import setup_django

FACETS = json.dumps(["organization", "groups", "tags", "res_format"])
WORDS = ["parken", "Schulen", "luft", "Haushalt", "bäume", "Lärm", "straße", "Ladesäulen"]


def scenarios() -> dict[str, list[dict]]:
    """Scenario → the query parameters of its requests (package_search with four facets, 20 rows)."""
    base = {"facet.field": FACETS, "rows": 20}
    orgs = [f"bench-org-{i:02d}" for i in range(0, 20, 3)]
    return {
        "*:* (landing page)": [base],
        "q=<word>": [{**base, "q": word} for word in WORDS],
        "q=<two words>": [{**base, "q": pair} for pair in ("parken verkehr", "schule kita", "energie solar")],
        "fq=organization": [{**base, "fq": f"organization:{org}"} for org in orgs],
        "q=<word> fq=organization sort=modified": [
            {**base, "q": word, "fq": f"organization:{org}", "sort": "metadata_modified desc"}
            for word, org in zip(WORDS, orgs, strict=False)],
        "*:* sort=modified desc, start 0..980": [
            {**base, "sort": "metadata_modified desc", "start": start} for start in (0, 200, 980)],
        "rows=100 sort=id asc (harvester)": [{"rows": 100, "sort": "id asc", "start": 500}],
    }


def measure(client, requests: list[dict], n: int) -> tuple[list[float], int, list[bytes]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu, bodies = [], []
    with CaptureQueriesContext(connection) as queries:
        for i in range(n):
            began = time.process_time()
            response = client.get("/api/3/action/package_search", requests[i % len(requests)])
            cpu.append((time.process_time() - began) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{requests[i % len(requests)]}: HTTP {response.status_code}")
            bodies.append(response.content)
    return cpu, len(queries), bodies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="measured requests per scenario (after 3 warm-ups)")
    parser.add_argument("--profile", default="", help="print the profile of the scenarios whose name contains this")
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--sort", default="tottime", choices=["cumulative", "tottime"])
    parser.add_argument("--digest", default="", help="write the SHA-256 of each response body to this file")
    args = parser.parse_args()
    setup_django()
    from django.test import Client
    from django.test.utils import override_settings

    override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}).enable()
    client = Client()
    digests = []
    print(f"{'scenario':42}{'CPU ms':>8}{'SQL':>6}{'calls':>8}")
    for name, requests in scenarios().items():
        measure(client, requests, 3)
        cpu, _queries, _bodies = measure(client, requests, args.requests)
        profiler = cProfile.Profile(time.process_time)  # CPU time, not time spent waiting
        _cpu, queries, bodies = profiler.runcall(measure, client, requests, len(requests))
        stats = pstats.Stats(profiler)
        print(f"{name:42}{statistics.mean(cpu):8.2f}{queries / len(requests):6.1f}"
              f"{stats.total_calls / len(requests):8.0f}", flush=True)
        digests += [f"{name} {params} {hashlib.sha256(body).hexdigest()}"
                    for params, body in zip(requests, bodies, strict=True)]
        if args.profile and args.profile in name:
            stats.sort_stats(args.sort).print_stats(args.lines)
    if args.digest:
        with open(args.digest, "w") as f:
            f.write("\n".join(digests) + "\n")


if __name__ == "__main__":
    main()
