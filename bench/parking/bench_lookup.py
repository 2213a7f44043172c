"""Enforcement plate lookup: the service function and the HTTP API (in-process WSGI stack and real HTTP via
gunicorn), on the generated permits. Target: p95 ≤ 5 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_enforce REDIS_URL=redis://127.0.0.1:6379/6 \
        /work/venv/bin/python bench/parking/bench_lookup.py [--n 3000]
"""

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import time
from datetime import date

from common import ROOT, report, setup_django, timed

os.environ.setdefault("PARKING_ENFORCEMENT_RATE", "1000000/min")  # measure the throttle's cost, not its limit
PORT = 8106


def readings(n: int) -> list[str]:
    """Plates as scan cars and officers send them: compact or spelled, valid, expired and unknown."""
    from smartcity.parking.models import Permit

    rng = random.Random(7)
    plates = list(Permit.objects.order_by("?").values_list("plate", flat=True)[: n])
    out = []
    for i, plate in enumerate(plates):
        if i % 5 == 4:
            plate = "ZZ" + plate[plate.index("-"):]  # a district without permits
        out.append(plate.replace("-", "").replace(" ", "") if rng.random() < 0.6 else plate.lower())
    return [p for p in out if _possible(p)]


def _possible(reading: str) -> bool:
    from smartcity.parking.enforcement.lookup import InvalidPlate, plate_candidates

    try:
        plate_candidates(reading)
        return True
    except InvalidPlate:
        return False


def device_token() -> str:
    from smartcity.accounts.models import Department
    from smartcity.parking.enforcement.authentication import register_device

    department, _ = Department.objects.get_or_create(code="ordnungsamt", defaults={"name": "Ordnungsamt"})
    return register_device(name="Benchmark", department=department, actor="bench")[1]


def explain(reading: str) -> None:
    from django.db import connection

    from smartcity.parking.enforcement.lookup import _LOOKUP_SQL, plate_candidates

    candidates = plate_candidates(reading)
    with connection.cursor() as cursor:
        params = [date.today(), date.today(), "", "", *candidates]
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + _LOOKUP_SQL[len(candidates), False], params)
        print("\n".join("    " + row[0] for row in cursor.fetchall()))


def http_bench(token: str, plates: list[str]) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "DJANGO_SETTINGS_MODULE": "smartcity.settings",
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "smartcity.wsgi", "-w", "2", "-b",
                               f"127.0.0.1:{PORT}", "--log-level", "warning"], env=env, cwd=ROOT)
    try:
        deadline = time.monotonic() + 120  # workers import Django first; slow on a busy machine
        while time.monotonic() < deadline:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
                probe.request("GET", "/healthz")
                probe.getresponse().read()
                break
            except OSError:
                time.sleep(0.2)
        connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        samples = []
        for i, plate in enumerate(plates * 2):
            body = json.dumps({"plate": plate})
            started = time.perf_counter()
            connection.request("POST", "/parken/api/kontrolle/kennzeichen/", body, headers)
            response = connection.getresponse()
            response.read()
            if i >= len(plates) // 4:  # after warm-up of both workers
                samples.append((time.perf_counter() - started) * 1000)
            assert response.status == 200, response.status
        return samples
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.test import Client

    from smartcity.parking.enforcement import lookup
    from smartcity.parking.models import Permit

    print(f"permits in database: {Permit.objects.count():,}; cache: {settings.CACHES['default']['BACKEND']}")
    plates = readings(args.n)
    explain(plates[0])
    for plate in plates[:200]:
        lookup.lookup_plate(plate)
    it = iter(plates * 3)
    report("service lookup_plate", timed(lambda: lookup.lookup_plate(next(it)), len(plates)), 5)
    it = iter(plates * 3)
    report("service lookup_plate counted (audit tally in the same statement)", timed(
        lambda: lookup.lookup_plate(next(it), counted_for="device:bench"), len(plates)), 5)

    token = device_token()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    url = "/parken/api/kontrolle/kennzeichen/"
    it = iter(plates * 3)

    def call() -> None:
        response = client.post(url, {"plate": next(it)}, content_type="application/json")
        assert response.status_code == 200, response.status_code

    timed(call, 200)
    report("HTTP API in-process (full middleware, auth, throttle, tally)", timed(call, len(plates)), 5)
    report("HTTP API via gunicorn (2 workers, keep-alive, client-observed)", http_bench(token, plates), 5)


if __name__ == "__main__":
    main()
