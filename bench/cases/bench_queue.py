"""Back-office queue, case view and Meine Anträge against a seeded database, in-process (no network).

    DATABASE_URL=postgres://…/sc_bench PYTHONPATH=src DJANGO_SETTINGS_MODULE=smartcity.settings \
        $VENV/bin/python bench/cases/bench_queue.py --requests 200

Prints p50/p95/p99 latency per page for a single client (the view + ORM + template cost that a load test
multiplies) and the number of SQL queries per request.
"""

import argparse
import statistics
import time

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from smartcity.accounts.models import User  # noqa: E402
from smartcity.accounts.testing import login_citizen, login_staff  # noqa: E402
from smartcity.cases.models import Case  # noqa: E402

PAGES = {
    "queue (open, newest)": "/backoffice/",
    "queue page 50": "/backoffice/?seite=50",
    "queue overdue, by deadline": "/backoffice/?overdue=on&sort=frist",
    "queue status in_pruefung": "/backoffice/?status=in_pruefung",
    "queue assigned to me": "/backoffice/?mine=on",
    "queue search name": "/backoffice/?q=Person1234",
    "queue search reference": "/backoffice/?q={reference}",
}


def _staff_client() -> Client:
    client = Client()
    login_staff(client, User.objects.get(username="bench-sachbearbeitung"))
    return client


def _measure(client: Client, url: str, n: int) -> tuple[list[float], int]:
    timings = []
    queries = 0
    for _ in range(n):
        reset_queries()
        began = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - began) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(connection.queries)
    return timings, queries


def _pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]


def main(n: int) -> None:
    setup_test_environment()
    settings.DEBUG = True  # count queries
    connection.force_debug_cursor = True
    print(f"cases in database: {Case.objects.count()}  database: {connection.vendor}")
    staff = _staff_client()
    reference = Case.objects.filter(reference__startswith="BEN-").order_by("?").values_list("reference", flat=True)[0]
    citizen = Case.objects.filter(reference=reference).values_list("applicant", flat=True)[0]
    pages = {name: url.format(reference=reference) for name, url in PAGES.items()}
    pages["case view"] = f"/backoffice/vorgang/{reference}/"
    print(f"{'page':32} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'queries':>8}")
    for name, url in pages.items():
        timings, queries = _measure(staff, url, n)
        print(f"{name:32} {_pct(timings, 50):8.1f} {_pct(timings, 95):8.1f} {_pct(timings, 99):8.1f} {queries:8d}")
    owner = Client()
    login_citizen(owner, User.objects.get(pk=citizen))
    citizen_pages = {"Meine Anträge list": "/meine-antraege/", "Meine Anträge detail": f"/meine-antraege/{reference}/"}
    for name, url in citizen_pages.items():
        timings, queries = _measure(owner, url, n)
        print(f"{name:32} {_pct(timings, 50):8.1f} {_pct(timings, 95):8.1f} {_pct(timings, 99):8.1f} {queries:8d}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=100)
    main(parser.parse_args().requests)
