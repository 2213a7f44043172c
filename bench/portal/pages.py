"""The load test's pages in-process: CPU time and SQL queries per request, optionally a profile.

    DATABASE_URL=postgres://…/sc_bench python bench/portal/pages.py [--requests 50] [--profile queue]

Runs against the data of generate.py with production settings (DEBUG off, cached template loader) through
the whole middleware stack (Django's test client, no network). Prints per page the CPU time of this process
per request (time.process_time; inflated, though less than wall-clock time, when other processes compete
for the cores), wall-clock p50/p95, SQL queries, and Python function calls per request (counted by cProfile:
deterministic, the figure to compare before and after a change on a busy machine). ``--profile NAME``
prints the profile of the pages whose name contains NAME.
"""

import argparse
import cProfile
import pstats
import statistics
import time

from common import BENCH_PREFIX, setup_django
from run import QUEUE_QUERIES, SEARCH_TERMS


def pages(reference: str) -> dict[str, tuple[str, list[str]]]:
    """Page name → (who, URLs): the requests of run.py, the home page as the per-request floor, and the
    case pages behind them (``reference`` is a case of the citizen, in the caseworker's department)."""
    from django.urls import reverse

    queue = reverse("backoffice:queue")
    return {
        "home": ("citizen", ["/"]),
        "catalogue search": ("citizen", [f"{reverse('catalogue:list')}?q={term}" for term in SEARCH_TERMS]),
        "Meine Anträge": ("citizen", [reverse("portal:list")]),
        **{f"queue {query or '(default)'}": ("staff", [queue + query.replace("Müller", "M%C3%BCller")])
           for query in QUEUE_QUERIES},
        "queue search reference": ("staff", [f"{queue}?q={reference}"]),
        "Meine Anträge detail": ("citizen", [reverse("portal:detail", args=[reference])]),
        # Each view writes a case.read audit event, as in production.
        "back-office case view": ("staff", [reverse("backoffice:case", args=[reference])]),
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
    parser.add_argument("--lines", type=int, default=40)
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
    # The newest case of the caseworker's department; its applicant is the citizen (with several cases).
    case = Case.objects.filter(department_id__in=staff_user.staff_roles.values("department_id")).select_related(
        "applicant").order_by("-received_at").first()
    clients = {"citizen": Client(), "staff": Client()}
    login_citizen(clients["citizen"], case.applicant)
    login_staff(clients["staff"], staff_user)

    print(f"{'page':34}{'CPU ms':>8}{'p50 ms':>8}{'p95 ms':>8}{'queries':>8}{'calls':>8}")
    for name, (who, urls) in pages(case.reference).items():
        client = clients[who]
        measure(client, urls, 3)
        cpu, wall, queries = measure(client, urls, args.requests)
        # Python function calls per request: deterministic, so comparable across runs on a busy machine.
        profiler = cProfile.Profile()
        profiler.runcall(measure, client, urls, len(urls))
        stats = pstats.Stats(profiler)
        print(f"{name:34}{statistics.mean(cpu):8.2f}{statistics.median(wall):8.2f}"
              f"{statistics.quantiles(wall, n=20)[-1]:8.2f}{queries:8d}{stats.total_calls / len(urls):8.0f}")
        if args.profile and args.profile in name:
            stats.sort_stats(args.sort).print_stats(args.lines)

if __name__ == "__main__":
    main()
