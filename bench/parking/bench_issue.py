"""Automated decision plus issue, the permit PDF included, on a database with the generated permits.

Each sample is one standard case: a resident registered in a zone applies for their own car, the registers
(simulators) answer, the rules decide automatically, the fee is recorded as paid, and the permit is issued with
its PDF (fee notice + windscreen permit with signed QR token) stored as a document and the holder notified.
Timed per case: ``services.submit`` (decision) + ``services.record_counter_payment`` (payment confirmed; with
eager Celery this runs the issuing task, the PDF and the notification in the same call). The online payment
provider's redirect is outside the measurement: it waits for the citizen, not for the server.

Targets: p95 ≤ 500 ms per case; at least 50 permits per second on 2 cores (process pool, one per core).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_enforce /work/venv/bin/python bench/parking/bench_issue.py \
        [--cases 400] [--workers 2]
"""

import argparse
import multiprocessing
import time
from datetime import date

from common import percentiles, report, setup_django, timed


def _prepare_zone() -> None:
    from smartcity.parking.testing import make_address, make_zone

    make_zone("BZ", "Benchmark-Zone (synthetisch)", lon=6.7790, lat=51.2335, is_demo=True)
    make_address("Kaiserstraße", "5", "40479", lon=6.7790, lat=51.2335)


def _init_worker() -> None:
    setup_django()
    from django.db import connections

    connections.close_all()


def _case(index: int) -> tuple[float, str]:
    """Prepare one applicant (not timed), then decide and issue (timed). Returns (ms, permit number)."""
    from smartcity.accounts.models import TrustLevel, User
    from smartcity.parking import services
    from smartcity.parking.models import Permit
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
    started = time.perf_counter()
    services.submit(application)
    services.record_counter_payment(application, actor="system:bench")
    elapsed = (time.perf_counter() - started) * 1000
    permit = Permit.objects.get(application=application)
    assert permit.document_id, "the PDF was not stored"
    return elapsed, permit.number


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    setup_django()
    from django.db import connections

    from smartcity.accounts.models import User
    from smartcity.parking.models import Permit

    print(f"permits in database: {Permit.objects.count():,}")
    _prepare_zone()
    # Earlier runs left their permits active; continue numbering after them so plates stay unique.
    last = User.objects.filter(username__startswith="benchissue-").order_by("-username").first()
    first = int(last.username.rsplit("-", 1)[1]) + 1 if last else 10_000
    _case(first)  # warm-up: first key, first PDF
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(args.workers, initializer=_init_worker) as pool:
        pool.map(_case, range(first + 1, first + 1 + 2 * args.workers))  # warm each worker
        first += 1 + 2 * args.workers
        started = time.perf_counter()
        results = pool.map(_case, range(first, first + args.cases), chunksize=4)
        wall = time.perf_counter() - started
    samples = [ms for ms, _ in results]
    from smartcity.parking.permit_pdf import render_permit_pdf

    permit = Permit.objects.select_related("application", "zone", "holder").get(number=results[0][1])
    report("render_permit_pdf alone (sequential)", timed(lambda: render_permit_pdf(permit), 50))
    report(f"decision + issue incl. PDF ({args.workers} processes)", samples, 500)
    p = percentiles(samples)
    rate = len(samples) / wall
    print(f"throughput: {rate:.1f} permits/s over {wall:.1f} s wall time (per case p50 {p['p50']:.0f} ms); "
          f"target ≥ 50/s: {'met' if rate >= 50 else 'MISSED'}")


if __name__ == "__main__":
    main()
