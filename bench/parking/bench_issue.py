"""Automated decision plus issue, the permit PDF included, on a database with the generated permits.

Each sample is one standard case: a resident registered in a zone applies for their own car, the registers
(simulators) answer, the rules decide automatically, the fee is recorded as paid, and the permit is issued with
its PDF (fee notice + windscreen permit with signed QR token) stored as a document and the holder notified.

The applicants (accounts, register entries, draft applications) are prepared first, untimed and outside the
throughput window: they stand for citizens who filled in the form. Timed per case, from submission until the
PDF is stored: ``services.submit`` (decision) + ``services.record_counter_payment`` (payment confirmed; with
eager Celery this runs the issuing task and then the PDF task in the same call). The online payment provider's
redirect is outside the measurement: it waits for the citizen, not for the server.

Targets: p95 ≤ 500 ms per case; at least 50 permits per second on 2 cores. ``--workers`` is the number of
processes issuing at once; the default 4 is what the city deploys on 2 cores (Celery ``--concurrency=4`` in
deploy/systemd/smartcity-worker.service): each case also waits for PostgreSQL round trips and WAL flushes, so
two processes per core keep both cores busy.

``--profile N`` instead runs N cases one after the other in this process and prints the CPU time per case of
this process and of its PostgreSQL backend, the queries per case and the cProfile hot spots.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_enforce /work/venv/bin/python bench/parking/bench_issue.py \
        [--cases 400] [--workers 4] [--profile 50]
"""

import argparse
import cProfile
import multiprocessing
import os
import pstats
import time
from collections import Counter
from datetime import date
from pathlib import Path

from common import percentiles, report, setup_django, timed

CLK_TCK = os.sysconf("SC_CLK_TCK")


def _prepare_zone() -> None:
    from smartcity.parking.testing import make_address, make_zone

    make_zone("BZ", "Benchmark-Zone (synthetisch)", lon=6.7790, lat=51.2335, is_demo=True)
    make_address("Kaiserstraße", "5", "40479", lon=6.7790, lat=51.2335)


def _init_worker() -> None:
    setup_django()
    from django.db import connections

    connections.close_all()


def _prepare(index: int) -> str:
    """One applicant with a draft application (untimed). Returns the application id."""
    from smartcity.accounts.models import TrustLevel, User
    from smartcity.parking import services
    from smartcity.parking.testing import register_resident, register_vehicle

    user = User.objects.create(username=f"benchissue-{index:07d}", email=None, first_name="Bench",
                               last_name=f"Issue {index}",
                               birth_date=date(1980, 1, 1), trust_level=TrustLevel.SUBSTANTIAL, password="!")
    register_resident(user, street="Kaiserstraße", house_number="5", postcode="40479")
    # Düsseldorf plates ("D", the home district) with numbers ≥ 1000, which the generator does not use.
    plate = f"D-Z{chr(65 + index % 26)} {1000 + index // 26 % 9000}"
    register_vehicle(plate, keeper=user, vin=f"WVWZZZ1KZ8W0{index % 100000:05d}")
    application = services.create_application(user, plate=plate, vin_suffix=f"{index % 100000:05d}"[-4:],
                                              months=12)
    return str(application.pk)


def _decide_and_issue(application_id: str) -> tuple[float, str]:
    """Submission until the PDF is stored (timed). Returns (ms, permit number)."""
    from smartcity.parking import services
    from smartcity.parking.models import Application, Permit

    application = Application.objects.get(pk=application_id)
    started = time.perf_counter()
    services.submit(application)
    services.record_counter_payment(application, actor="system:bench")
    elapsed = (time.perf_counter() - started) * 1000
    permit = Permit.objects.get(application_id=application_id)
    assert permit.document_id, "the PDF was not stored"
    return elapsed, permit.number


def _next_index() -> int:
    """Earlier runs left their permits active; continue numbering after them so plates stay unique."""
    from smartcity.accounts.models import User

    last = User.objects.filter(username__startswith="benchissue-").order_by("-username").first()
    return int(last.username.rsplit("-", 1)[1]) + 1 if last else 10_000


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime


def _statement_kind(sql: str) -> str:
    """ "SELECT parking_permit": the verb and the first table a statement reads or writes."""
    words = sql.split()
    verb = words[0].upper() if words else "?"
    lowered = [w.strip('"()').lower() for w in words[:40]]
    positions = [i for i, word in enumerate(lowered[:-1]) if word in ("from", "into", "update")]
    return f"{verb} {lowered[positions[0] + 1]}" if positions else verb


def _print_chain_head_size() -> None:
    """The audit chain head is one row updated by every event. While any transaction in the cluster stays open
    (a generator, an idle-in-transaction session) its old versions cannot be pruned, and every event then walks
    them: PostgreSQL CPU per case grows run after run (0.9 instead of 0.1–0.5 ms per event at ~230 pages)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_relation_size('audit_chainhead') / current_setting('block_size')::int")
        pages = cursor.fetchone()[0]
    if pages > 8:
        print(f"note: audit_chainhead has {pages} pages for its one row (dead versions): PostgreSQL CPU per case is "
              "inflated; VACUUM audit_chainhead with no long transaction open, then measure again")


def profile(cases: int) -> None:
    """Sequential cases in this process: CPU (Python and PostgreSQL backend), queries, cProfile hot spots."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    index = _next_index()
    _decide_and_issue(_prepare(index))  # warm-up: first key, first PDF, imports
    ids = [_prepare(i) for i in range(index + 1, index + 1 + cases)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    profiler = cProfile.Profile(time.process_time)  # CPU, not waiting for the database or other processes
    with CaptureQueriesContext(connection) as queries:
        profiler.enable()
        for application_id in ids:
            _decide_and_issue(application_id)
        profiler.disable()
    # The CPU figures come from fresh cases without the profiler and query capture, which inflate Python's time.
    ids = [_prepare(i) for i in range(index + 1 + cases, index + 1 + 2 * cases)]
    cpu, db_cpu, wall = time.process_time(), _cpu_seconds(backend), time.perf_counter()
    for application_id in ids:
        _decide_and_issue(application_id)
    cpu, db_cpu = time.process_time() - cpu, _cpu_seconds(backend) - db_cpu
    wall = time.perf_counter() - wall
    _print_chain_head_size()
    print(f"per case, sequential, no profiler: wall {wall / cases * 1000:.1f} ms, "
          f"CPU Python {cpu / cases * 1000:.1f} ms, "
          f"CPU PostgreSQL backend {db_cpu / cases * 1000:.1f} ms → CPU ceiling on 2 cores ≈ "
          f"{2 / ((cpu + db_cpu) / cases):.0f} permits/s")
    kinds = Counter(_statement_kind(q["sql"]) for q in queries.captured_queries)
    print(f"queries per case: {len(queries.captured_queries) / cases:.1f}")
    for kind, count in kinds.most_common():
        print(f"  {count / cases:5.1f}  {kind}")
    profiler.dump_stats("/tmp/bench_issue.prof")
    print("cProfile data: /tmp/bench_issue.prof (python -m pstats)")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="profile N sequential cases instead")
    args = parser.parse_args()
    setup_django()
    from django.db import connections

    from smartcity.parking.models import Permit

    print(f"permits in database: {Permit.objects.count():,}")
    _prepare_zone()
    if args.profile:
        profile(args.profile)
        return
    first = _next_index()
    _decide_and_issue(_prepare(first))  # warm-up: first key, first PDF
    connections.close_all()
    context = multiprocessing.get_context("fork")
    warm = range(first + 1, first + 1 + 2 * args.workers)
    timed_range = range(warm.stop, warm.stop + args.cases)
    with context.Pool(args.workers, initializer=_init_worker) as pool:
        warm_ids = pool.map(_prepare, warm)
        ids = pool.map(_prepare, timed_range, chunksize=8)
        pool.map(_decide_and_issue, warm_ids)  # warm each worker
        started = time.perf_counter()
        results = pool.map(_decide_and_issue, ids, chunksize=1)
        wall = time.perf_counter() - started
    samples = [ms for ms, _ in results]
    from smartcity.parking.permit_pdf import render_permit_pdf

    permit = Permit.objects.select_related("application", "zone", "holder").get(number=results[0][1])
    report("render_permit_pdf alone (sequential)", timed(lambda: render_permit_pdf(permit), 50))
    report(f"decision + issue incl. PDF ({args.workers} processes)", samples, 500)
    p = percentiles(samples)
    rate = len(samples) / wall
    print(f"throughput: {rate:.1f} permits/s over {wall:.1f} s wall time (per case p50 {p['p50']:.0f} ms); "
          f"target ≥ 50/s: {'met' if rate >= 50 else 'MISSED'}; load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
