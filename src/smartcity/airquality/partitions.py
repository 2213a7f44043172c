"""Monthly range partitions of the observations table on PostgreSQL (ADR 0080).

Migration 0002 turns the table into a partitioned one. Partitions must exist before rows for their month
arrive, otherwise rows land in the DEFAULT partition (which then blocks creating that month's partition
until the rows are moved). Two safeguards: the Celery beat job ``airquality.ensure_partitions`` creates the
current month plus ``AIRQUALITY_PARTITIONS_AHEAD`` months each day, and ingest creates the months a batch
touches (late data from long ago) on first sight.
"""

from collections.abc import Iterable
from datetime import date

from django.db import connection, transaction

TABLE = "airquality_observation"
_known: set[str] = set()


def month_start(d: date) -> date:
    return date(d.year, d.month, 1)


def add_months(d: date, months: int) -> date:
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid WHERE relname = %s",
                    [TABLE])
        return cur.fetchone() is not None


def partition_name(month: date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def ensure_months(months: Iterable[date]) -> list[str]:
    """Create the monthly partitions (first day of each month given) that do not exist yet."""
    if connection.vendor != "postgresql":
        return []
    created = []
    for month in sorted({month_start(m) for m in months}):
        name = partition_name(month)
        if name in _known:
            continue
        with connection.cursor() as cur:
            cur.execute("SELECT to_regclass(%s)", [name])
            if cur.fetchone()[0] is None:
                # Names and bounds come from dates, never from user input.
                cur.execute(
                    f'CREATE TABLE IF NOT EXISTS "{name}" PARTITION OF "{TABLE}" '  # noqa: S608
                    f"FOR VALUES FROM ('{month.isoformat()}T00:00:00+00:00') "
                    f"TO ('{add_months(month, 1).isoformat()}T00:00:00+00:00')"
                )
                created.append(name)
                # remember it only once committed: a rolled-back batch takes its new partition with it
                transaction.on_commit(lambda name=name: _known.add(name))
                continue
        _known.add(name)
    return created


def ensure_ahead(today: date, ahead: int) -> list[str]:
    start = month_start(today)
    return ensure_months(add_months(start, i) for i in range(-1, ahead + 1))
