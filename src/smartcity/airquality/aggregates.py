"""Materialised hourly and daily aggregates, refreshed incrementally for the hours a batch touched.

Hourly rows hold sum and count (not a mean) so that validity (75 % coverage) is decided when reading and a
late value simply triggers a recompute of its hour from the raw observations. Daily rows follow from the
hourly rows with the rules in domain.indicators. Withdrawn observations are left out.

Ingest does not recompute on the request path: it marks the touched hours stale (``StaleRange``, in the
batch's own transaction) and the task ``refresh_aggregates`` recomputes all stale hours after the commit
(eagerly in the embedded default, in a Celery worker otherwise). Writes to one hour between two refreshes
cost one recomputation; ADR 0080 describes the ordering that keeps this exact under concurrency.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.db import connection, transaction

from .domain import indicators as ind
from .models import DailyAggregate, Datastream, HourlyAggregate, Observation, Quality, StaleRange

H = timedelta(hours=1)


Range = tuple[datetime, datetime]  # first and last hour end, inclusive


def runs(ranges: Iterable[Range]) -> list[Range]:
    """Merge hour ranges into runs, bridging gaps up to two days: a late value from last year does not make us
    rescan the whole year, while a batch with small gaps needs only one query."""
    result: list[Range] = []
    for first, last in sorted(ranges):
        if result and first - result[-1][1] <= 48 * H:
            result[-1] = (result[-1][0], max(last, result[-1][1]))
        else:
            result.append((first, last))
    return result


def refresh(touched: Mapping[int, Iterable[datetime]]) -> None:
    """Recompute the hours (and then the days) containing the given phenomenon times per datastream."""
    refresh_ranges({ds_id: [(h, h) for h in {ind.hour_end(t) for t in times}] for ds_id, times in touched.items()})


def refresh_ranges(ranges: Mapping[int, Iterable[Range]]) -> None:
    """Recompute the hours in the given ranges per datastream, and then the CET days containing them."""
    merged = {ds_id: runs(r) for ds_id, r in ranges.items()}
    if connection.vendor == "postgresql":
        _refresh_postgres(merged)
        return
    for ds_id, ds_runs in merged.items():
        for first, last in ds_runs:
            _refresh_hours(ds_id, first, last)
        _refresh_days(ds_id, _day_runs(ds_runs))


def _refresh_hours(ds_id: int, first_end: datetime, last_end: datetime) -> None:
    lo, hi = first_end - H, last_end
    buckets: dict[datetime, list[float]] = defaultdict(list)
    rows = Observation.objects.filter(
        datastream_id=ds_id, phenomenon_time__gt=lo, phenomenon_time__lte=hi
    ).exclude(quality=Quality.WITHDRAWN).values_list("phenomenon_time", "result")
    for t, value in rows:
        buckets[ind.hour_end(t)].append(value)
    HourlyAggregate.objects.filter(datastream_id=ds_id, hour_end__gt=lo, hour_end__lte=hi).delete()
    HourlyAggregate.objects.bulk_create(
        HourlyAggregate(datastream_id=ds_id, hour_end=end, n=len(v), total=sum(v), minimum=min(v), maximum=max(v))
        for end, v in buckets.items()
    )


def hourly_means(ds: Datastream, start: datetime, end: datetime) -> dict[datetime, float | None]:
    """Hourly values (None = not valid) for hour ends in (start, end], from the materialised sums and counts."""
    expected = max(3600 // max(ds.sampling_interval_s, 1), 1)
    return {
        h_end: ind.hour_value(h_end, total, n, expected).mean
        for h_end, total, n in HourlyAggregate.objects.filter(
            datastream=ds, hour_end__gt=start, hour_end__lte=end
        ).values_list("hour_end", "total", "n")
    }


def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """UTC bounds (exclusive start, inclusive end) of hour ends belonging to the CET days first … last."""
    start = datetime(first.year, first.month, first.day, tzinfo=ind.CET)
    end = datetime(last.year, last.month, last.day, tzinfo=ind.CET) + 24 * H
    return start, end


def _day_runs(hour_runs: list[Range]) -> list[tuple[date, date]]:
    """The CET days whose daily rows depend on sorted, disjoint hour runs, adjacent days joined: the hours' own
    days, and the next day when a run reaches into the last seven hours of a day (8-h means ending on the next
    day contain those hours and feed that day's max 8-h mean)."""
    result: list[tuple[date, date]] = []
    for first_hour, last_hour in hour_runs:
        first, last = ind.cet_day(first_hour), ind.cet_day(last_hour + 7 * H)
        if result and (first - result[-1][1]).days <= 1:
            result[-1] = (result[-1][0], max(last, result[-1][1]))
        else:
            result.append((first, last))
    return result


# PostgreSQL: all touched runs of a batch in four statements, whatever the number of datastreams. The daily
# part applies the rules of domain.indicators (valid hour ≥ 75 % of the expected samples, day ≥ 18 valid
# hours, 8-h mean ≥ 6 valid hours, max 8-h mean ≥ 18 valid means); CET days are the hours ending
# 01:00 … 24:00 at UTC+1 ('Etc/GMT-1'). test_aggregates checks it against the Python path.
_HOURS_DELETE = """
DELETE FROM airquality_hourlyaggregate a
USING unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS r(ds, lo, hi)
WHERE a.datastream_id = r.ds AND a.hour_end > r.lo AND a.hour_end <= r.hi
"""
_HOURS_INSERT = """
INSERT INTO airquality_hourlyaggregate (datastream_id, hour_end, n, total, minimum, maximum)
SELECT o.datastream_id, date_trunc('hour', o.phenomenon_time - interval '1 microsecond') + interval '1 hour',
       count(*), sum(o.result), min(o.result), max(o.result)
FROM airquality_observation o
JOIN unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS r(ds, lo, hi)
  ON o.datastream_id = r.ds AND o.phenomenon_time > r.lo AND o.phenomenon_time <= r.hi
WHERE o.quality <> %s
GROUP BY 1, 2
"""
_DAYS_DELETE = """
DELETE FROM airquality_dailyaggregate a USING unnest(%s::bigint[], %s::date[], %s::date[]) AS r(ds, first, last)
WHERE a.datastream_id = r.ds AND a.day >= r.first AND a.day <= r.last
"""
_DAYS_INSERT = """
WITH r AS (
    SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS r(ds, start, hi)
), h AS (
    SELECT a.datastream_id AS ds, r.start, a.hour_end,
           CASE WHEN a.n >= 0.75 * GREATEST(3600 / GREATEST(d.sampling_interval_s, 1), 1) THEN a.total / a.n END AS v
    FROM airquality_hourlyaggregate a
    JOIN r ON a.datastream_id = r.ds AND a.hour_end > r.start - interval '7 hours' AND a.hour_end <= r.hi
    JOIN airquality_datastream d ON d.id = a.datastream_id
), w AS (
    SELECT ds, start, hour_end, v, avg(v) OVER win AS m8, count(v) OVER win AS n8
    FROM h WINDOW win AS (PARTITION BY ds, start ORDER BY hour_end
                          RANGE BETWEEN interval '7 hours' PRECEDING AND CURRENT ROW)
), d AS (
    SELECT ds, ((hour_end - interval '1 hour') AT TIME ZONE 'Etc/GMT-1')::date AS day, v,
           CASE WHEN n8 >= 6 THEN m8 END AS m8
    FROM w WHERE hour_end > start
)
INSERT INTO airquality_dailyaggregate (datastream_id, day, n_hours, mean, max_hour, max_8h)
SELECT ds, day, count(v), CASE WHEN count(v) >= 18 THEN avg(v) END, max(v),
       CASE WHEN count(m8) >= 18 THEN max(m8) END
FROM d GROUP BY ds, day HAVING count(v) > 0
"""


def _refresh_postgres(merged: Mapping[int, list[Range]]) -> None:
    hour_runs: list[tuple[int, datetime, datetime]] = []
    day_runs: list[tuple[int, date, date]] = []
    for ds_id, ds_runs in merged.items():
        hour_runs += [(ds_id, first - H, last) for first, last in ds_runs]
        day_runs += [(ds_id, first, last) for first, last in _day_runs(ds_runs)]
    h_cols = [list(col) for col in zip(*hour_runs, strict=True)]
    d_cols = [list(col) for col in zip(*day_runs, strict=True)]
    bounds = [day_bounds(first, last) for _, first, last in day_runs]
    with connection.cursor() as cur:
        cur.execute(_HOURS_DELETE, h_cols)
        cur.execute(_HOURS_INSERT, [*h_cols, Quality.WITHDRAWN])
        cur.execute(_DAYS_DELETE, d_cols)
        cur.execute(_DAYS_INSERT, [d_cols[0], [b[0] for b in bounds], [b[1] for b in bounds]])


def _refresh_days(ds_id: int, day_runs: list[tuple[date, date]]) -> None:
    ds = Datastream.objects.get(pk=ds_id)
    for first, last in day_runs:
        start, end = day_bounds(first, last)
        hours = hourly_means(ds, start - 7 * H, end)  # 7 earlier hours feed the first day's 8-h means
        own = {h: v for h, v in hours.items() if h > start}
        daily = ind.daily_means(own)
        max8 = ind.max_daily_8h_means(hours)
        max_hour: dict[date, float] = {}
        for h, v in own.items():
            if v is not None:
                day = ind.cet_day(h)
                max_hour[day] = max(v, max_hour.get(day, v))
        DailyAggregate.objects.filter(datastream_id=ds_id, day__gte=first, day__lte=last).delete()
        DailyAggregate.objects.bulk_create(
            DailyAggregate(
                datastream_id=ds_id, day=day, n_hours=pv.n_valid, mean=pv.mean, max_hour=max_hour.get(day),
                max_8h=max8[day].mean if day in max8 else None,
            )
            for day, pv in daily.items()
            if first <= day <= last
        )


# Marks the hours of the batch staged in ingest's temporary table stale: one range per datastream and UTC day
# of the batch (a year of hourly values is 365 marks per series, not 8,760), from its first to its last hour
# end. The hour-end expression is the one of _HOURS_INSERT.
MARK_STALE_FROM_STAGING = """
INSERT INTO airquality_stalerange (datastream_id, first_hour_end, last_hour_end)
SELECT datastream_id, min(h), max(h) FROM (
    SELECT datastream_id, phenomenon_time,
           date_trunc('hour', phenomenon_time - interval '1 microsecond') + interval '1 hour' AS h
    FROM {staging}
) s
GROUP BY datastream_id, date_trunc('day', phenomenon_time)
"""


def mark_stale(touched: Mapping[int, Iterable[datetime]]) -> None:
    """Mark the hours containing the given phenomenon times stale (portable path; PostgreSQL uses
    MARK_STALE_FROM_STAGING)."""
    StaleRange.objects.bulk_create(
        StaleRange(datastream_id=ds_id, first_hour_end=first, last_hour_end=last)
        for ds_id, times in touched.items()
        for first, last in runs((h, h) for h in {ind.hour_end(t) for t in times})
    )


# One refresher at a time (transaction-level advisory lock): concurrent refreshers would only wait for each
# other's row locks on the daily rows, and a waiting refresher finds the marks the running one left.
_REFRESH_LOCK = 0x61715F61676772  # "aq_aggr"
_CLAIM = """
DELETE FROM airquality_stalerange WHERE id IN (SELECT id FROM airquality_stalerange ORDER BY id LIMIT %s)
RETURNING datastream_id, first_hour_end, last_hour_end
"""


def refresh_stale(chunk: int = 20_000) -> int:
    """Recompute all stale hours and their days, ``chunk`` marks per transaction; returns the number of marks.

    Marks written by any number of batches since the last refresh are merged, so an hour costs one
    recomputation however often it was written. The claim (delete of the marks) runs before the
    recomputation in the same transaction, so every observation committed together with a claimed mark is
    visible to the recomputing statements; a batch committing after the claim leaves its own mark."""
    done = 0
    while True:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cur:
                    cur.execute("SELECT pg_advisory_xact_lock(%s)", [_REFRESH_LOCK])
                    cur.execute(_CLAIM, [chunk])
                    claimed = cur.fetchall()
            else:
                marks = list(StaleRange.objects.order_by("id")[:chunk])
                StaleRange.objects.filter(id__in=[m.id for m in marks]).delete()
                claimed = [(m.datastream_id, m.first_hour_end, m.last_hour_end) for m in marks]
            if not claimed:
                return done
            ranges: dict[int, list[Range]] = defaultdict(list)
            for ds_id, first, last in claimed:
                ranges[ds_id].append((first, last))
            refresh_ranges(ranges)
        done += len(claimed)
