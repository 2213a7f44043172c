"""CPU per operation of the plate storage (ADR 0051), before and after, on a database made by generate_permits.py.

Before: the old lookup query over ``parking_permit`` (plate and second_plate, with the old partial indexes made
again inside a transaction that is rolled back) and permit INSERTs without the plate triggers but with the old
plate indexes. After: ``lookup_plate`` over ``parking_permitplate`` and INSERTs with the triggers. CPU time of this
process (``time.process_time``) and of the PostgreSQL backend (``/proc/<pid>/stat``), so a busy shared machine
inflates the figures far less than the wall clock. Nothing is left in the database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_parkfeat_bench \
        /work/venv/bin/python bench/parking/measure_plate_storage.py
"""

import datetime as dt
import os
import time
import uuid
from collections.abc import Callable

from common import setup_django

TICK = os.sysconf("SC_CLK_TCK")
OLD_LOOKUP = ("SELECT p.plate, p.second_plate, z.code, p.valid_from, p.valid_until FROM parking_permit p "
              "JOIN parking_zone z ON z.id = p.zone_id WHERE p.status = 'active' "
              "AND (p.plate IN ({marks}) OR p.second_plate IN ({marks}))")
OLD_INDEXES = ["CREATE UNIQUE INDEX old_uniq_plate ON parking_permit (plate) WHERE status = 'active'",
               "CREATE INDEX old_plate_status ON parking_permit (plate, status)",
               "CREATE INDEX old_second ON parking_permit (second_plate) WHERE status = 'active'"]
INSERTS = 2000


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def backend_cpu(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()  # noqa: SIM115 - one read
    return (int(fields[11]) + int(fields[12])) / TICK


def per_op(label: str, fn: Callable[[str], object], items: list[str]) -> None:
    pid = backend_pid()
    for item in items[:300]:
        fn(item)  # warm-up
    backend, python = backend_cpu(pid), time.process_time()
    for item in items:
        fn(item)
    backend, python = backend_cpu(pid) - backend, time.process_time() - python
    print(f"{label:58s} n={len(items)}  Python {1000 * python / len(items):.3f} ms  "
          f"PostgreSQL {1000 * backend / len(items):.3f} ms per call")


def old_lookup(raw: str) -> list:
    from django.db import connection

    from smartcity.parking.enforcement.lookup import plate_candidates

    candidates = plate_candidates(raw)
    marks = ", ".join(["%s"] * len(candidates))
    with connection.cursor() as cursor:
        cursor.execute(OLD_LOOKUP.format(marks=marks), [*candidates, *candidates])
        return cursor.fetchall()


def insert_permits(label: str, prepare: list[str]) -> None:
    from django.db import connection, transaction

    from smartcity.parking.models import Zone

    zone_id, today = Zone.objects.values_list("pk", flat=True).first(), dt.date.today()
    with transaction.atomic(), connection.cursor() as cursor:
        apps = [uuid.uuid4() for _ in range(INSERTS)]
        for app in apps:
            cursor.execute(
                "INSERT INTO parking_application (id, reference, plate, second_plate, vin_suffix, months, kind, "
                "channel, status, special_circumstances, fee_basis, payment_id, vin_failures, register_attempts, "
                "register_error, hearing_statement, created_at, updated_at) VALUES (%s, %s, 'X', '', '1234', 12, "
                "'new', 'online', 'issued', '', '', '', 0, 0, '', '', now(), now())", [app, f"MEAS-{app.hex[:12]}"])
        for statement in prepare:
            cursor.execute(statement)
        pid = backend_pid()
        started = backend_cpu(pid)
        for i, app in enumerate(apps):
            cursor.execute(
                "INSERT INTO parking_permit (id, number, plate, second_plate, zone_id, valid_from, valid_until, "
                "status, issued_at, revoke_reason, application_id, fee_cents, channel, automated) VALUES "
                "(%s, %s, %s, '', %s, %s, %s, 'active', now(), '', %s, 2500, 'online', true)",
                [uuid.uuid4(), f"MEAS-{i:07d}", f"XQ-Q {i + 1}", zone_id, today, today + dt.timedelta(364), app])
        print(f"{label:58s} n={INSERTS}  PostgreSQL {1000 * (backend_cpu(pid) - started) / INSERTS:.3f} ms per insert")
        transaction.set_rollback(True)


def main() -> None:
    setup_django()
    from django.db import connection, transaction

    from smartcity.parking.enforcement import lookup
    from smartcity.parking.models import Permit

    plates = list(Permit.objects.order_by("?").values_list("plate", flat=True)[:3000])
    readings = [p.replace("-", "").replace(" ", "") if i % 5 else p.lower() for i, p in enumerate(plates)]
    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement in OLD_INDEXES:
                cursor.execute(statement)
            cursor.execute("ANALYZE parking_permit")
        for _ in range(2):
            per_op("before: lookup over parking_permit (plate, second_plate)", old_lookup, readings)
        transaction.set_rollback(True)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN ANALYZE " + lookup._LOOKUP_SQL[2], ["D-AB 1", "DA-B 1"])
        print("after, plan:\n  " + "\n  ".join(row[0] for row in cursor.fetchall()))
    for _ in range(2):
        per_op("after: lookup_plate over parking_permitplate", lookup.lookup_plate, readings)
    for _ in range(2):
        insert_permits("before: permit INSERT, old plate indexes, no trigger",
                       ["ALTER TABLE parking_permit DISABLE TRIGGER USER", *OLD_INDEXES])
        insert_permits("after: permit INSERT, trigger writes parking_permitplate", [])


if __name__ == "__main__":
    main()
