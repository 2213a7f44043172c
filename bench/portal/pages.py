"""The load test's pages in-process: CPU time and SQL queries per request, optionally a profile.

    DATABASE_URL=postgres://…/sc_bench python bench/portal/pages.py [--requests 50] [--profile queue]

Runs against the data of generate.py with production settings (DEBUG off, cached template loader) through
the whole middleware stack (Django's test client, no network). CPU time of this process per request
(time.process_time) does not depend on what else runs on the machine, so it is the figure to compare
before and after a change; wall-clock p50/p95 are printed too. ``--profile NAME`` prints the cProfile
functions with the most cumulative time for the pages whose name contains NAME.
"""

import argparse
import cProfile
import pstats
import statistics
import time

from common import BENCH_PREFIX, setup_django
from run import QUEUE_QUERIES, SEARCH_TERMS


def pages() -> dict[str, tuple[str, list[str]]]:
    """Page name → (who, URLs): the requests of run.py, and the home page as the per-request floor."""
    from django.urls import reverse

    queue = reverse("backoffice:queue")
    return {
        "home": ("citizen", ["/"]),
        "catalogue search": ("citizen", [f"{reverse('catalogue:list')}?q={term}" for term in SEARCH_TERMS]),
        "Meine Anträge": ("citizen", [reverse("portal:list")]),
        **{f"queue {query or '(default)'}": ("staff", [queue + query.replace("Müller", "M%C3%BCller")])
           for query in QUEUE_QUERIES},
    }


def measure(client, urls: list[str], n: int) -> tuple[list[float], list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cpu, wall = [], []
    for i in range(n):
        url = urls[i % len(urls)]
        with CaptureQueriesContext(connection) as queries:
            began_cpu, began = time.process_time(), time.perf_counter()
            response = client.get(url)
            cpu.append((time.process_time() - began_cpu) * 1000)
            wall.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
    return cpu, wall, len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="measured requests per page (after 3 warm-ups)")
    parser.add_argument("--profile", default="", help="profile the pages whose name contains this text")
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    args = parser.parse_args()
    setup_django()
    from django.test import Client

    from smartcity.accounts.models import User
    from smartcity.accounts.testing import login_citizen, login_staff
    from smartcity.cases.models import Case

    staff_user = User.objects.filter(username__startswith=f"{BENCH_PREFIX}sb-").order_by("username").first()
    if staff_user is None:
        raise SystemExit("No bench data: run bench/portal/generate.py first.")
    # A citizen with several cases, as Meine Anträge shows them.
    applicant = Case.objects.filter(applicant__username__startswith=f"{BENCH_PREFIX}buerger-").values_list(
        "applicant", flat=True).order_by("-received_at").first()
    clients = {"citizen": Client(), "staff": Client()}
    login_citizen(clients["citizen"], User.objects.get(pk=applicant))
    login_staff(clients["staff"], staff_user)

    print(f"{'page':34}{'CPU ms':>8}{'p50 ms':>8}{'p95 ms':>8}{'queries':>8}")
    for name, (who, urls) in pages().items():
        client = clients[who]
        measure(client, urls, 3)
        profiler = cProfile.Profile() if args.profile and args.profile in name else None
        if profiler:
            profiler.enable()
        cpu, wall, queries = measure(client, urls, args.requests)
        if profiler:
            profiler.disable()
        print(f"{name:34}{statistics.mean(cpu):8.2f}{statistics.median(wall):8.2f}"
              f"{statistics.quantiles(wall, n=20)[-1]:8.2f}{queries:8d}")
        if profiler:
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(40)


if __name__ == "__main__":
    main()
