"""Materialised hourly and daily aggregates, refreshed incrementally for the hours a batch touched.

Hourly rows hold sum and count (not a mean) so that validity (75 % coverage) is decided when reading and a
late value simply triggers a recompute of its hour from the raw observations. Daily rows follow from the
hourly rows with the rules in domain.indicators. Withdrawn observations are left out.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from django.db import connection

from .domain import indicators as ind
from .models import DailyAggregate, Datastream, HourlyAggregate, Observation, Quality

H = timedelta(hours=1)


def runs(hour_ends: Iterable[datetime]) -> list[tuple[datetime, datetime]]:
    """Runs of nearby hour ends (gaps up to two days are bridged), so a late value from last year does not make
    us rescan the whole year, while a batch with small gaps needs only one query."""
    result: list[tuple[datetime, datetime]] = []
    for end in sorted(set(hour_ends)):
        if result and end - result[-1][1] <= 48 * H:
            result[-1] = (result[-1][0], end)
        else:
            result.append((end, end))
    return result


def refresh(touched: Mapping[int, Iterable[datetime]]) -> None:
    """Recompute the hours (and then the days) containing the given phenomenon times per datastream."""
    if connection.vendor == "postgresql":
        _refresh_postgres(touched)
        return
    for ds_id, times in touched.items():
        hours = {ind.hour_end(t) for t in times}
        for first, last in runs(hours):
            _refresh_hours(ds_id, first, last)
        _refresh_days(ds_id, touched_days(hours))


def touched_days(hour_ends: Iterable[datetime]) -> set[date]:
    """The CET days whose daily rows depend on the given hours: their own day, and the next day when the hour
    is among the last seven of its day (an 8-h mean ending on the next day contains it, and feeds that day's
    max 8-h mean)."""
    return {ind.cet_day(h) for h in hour_ends} | {ind.cet_day(h + 7 * H) for h in hour_ends}


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


def _day_runs(days: set[date]) -> list[tuple[date, date]]:
    result: list[tuple[date, date]] = []
    for day in sorted(days):
        if result and (day - result[-1][1]).days <= 1:
            result[-1] = (result[-1][0], day)
        else:
            result.append((day, day))
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


def _refresh_postgres(touched: Mapping[int, Iterable[datetime]]) -> None:
    hour_runs: list[tuple[int, datetime, datetime]] = []
    day_runs: list[tuple[int, date, date]] = []
    for ds_id, times in touched.items():
        hours = {ind.hour_end(t) for t in times}
        hour_runs += [(ds_id, first - H, last) for first, last in runs(hours)]
        day_runs += [(ds_id, first, last) for first, last in _day_runs(touched_days(hours))]
    h_cols = [list(col) for col in zip(*hour_runs, strict=True)]
    d_cols = [list(col) for col in zip(*day_runs, strict=True)]
    bounds = [day_bounds(first, last) for _, first, last in day_runs]
    with connection.cursor() as cur:
        cur.execute(_HOURS_DELETE, h_cols)
        cur.execute(_HOURS_INSERT, [*h_cols, Quality.WITHDRAWN])
        cur.execute(_DAYS_DELETE, d_cols)
        cur.execute(_DAYS_INSERT, [d_cols[0], [b[0] for b in bounds], [b[1] for b in bounds]])


def _refresh_days(ds_id: int, days: set[date]) -> None:
    ds = Datastream.objects.get(pk=ds_id)
    for first, last in _day_runs(days):
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
