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
    for ds_id, times in touched.items():
        hours = {ind.hour_end(t) for t in times}
        for first, last in runs(hours):
            _refresh_hours(ds_id, first, last)
        _refresh_days(ds_id, {ind.cet_day(h) for h in hours})


def _refresh_hours(ds_id: int, first_end: datetime, last_end: datetime) -> None:
    lo, hi = first_end - H, last_end
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(
                "DELETE FROM airquality_hourlyaggregate WHERE datastream_id = %s AND hour_end > %s AND hour_end <= %s",
                [ds_id, lo, hi],
            )
            cur.execute(
                "INSERT INTO airquality_hourlyaggregate (datastream_id, hour_end, n, total, minimum, maximum) "
                "SELECT %s, date_trunc('hour', phenomenon_time - interval '1 microsecond') + interval '1 hour', "
                "count(*), sum(result), min(result), max(result) FROM airquality_observation "
                "WHERE datastream_id = %s AND phenomenon_time > %s AND phenomenon_time <= %s AND quality <> %s "
                "GROUP BY 2",
                [ds_id, ds_id, lo, hi, Quality.WITHDRAWN],
            )
        return
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
