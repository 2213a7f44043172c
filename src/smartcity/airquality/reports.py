"""Read models for the dashboard and the open-data exports: all figures come from the materialised
aggregates and the latest-value columns, never from scanning raw observations."""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db.models import Prefetch

from . import aggregates
from .domain import indicators as ind
from .domain import lqi
from .domain.compare import BeforeAfter, before_after
from .domain.limits import Averaging, Kind, LimitValue, Regime, limit, limits_for
from .models import DailyAggregate, DataClass, Datastream, Thing

POLLUTANTS = ("NO2", "PM10", "PM2.5", "O3")
STALE_AFTER = timedelta(hours=3)


@dataclass
class StationRow:
    thing: Thing
    lon: float | None
    lat: float | None
    latest: dict[str, tuple[float, datetime]] = field(default_factory=dict)
    index: lqi.IndexValue | None = None
    data_class: str = DataClass.OFFICIAL


def stations() -> list[StationRow]:
    """Every station with its latest value per pollutant and the UBA index of those values."""
    rows = []
    streams = Datastream.objects.select_related("observed_property").order_by("pk")
    things = Thing.objects.prefetch_related("locations", Prefetch("datastreams", queryset=streams)).order_by("name")
    fresh_after = datetime.now(UTC) - STALE_AFTER
    for thing in things:
        loc = next(iter(thing.locations.all()), None)
        row = StationRow(thing, loc.lon if loc else None, loc.lat if loc else None)
        for ds in thing.datastreams.all():
            row.data_class = ds.data_class
            if ds.latest_time is not None:
                row.latest[ds.observed_property.code] = (ds.latest_result, ds.latest_time)
        # The index is a "now" view: values older than a few hours do not count.
        row.index = lqi.air_quality_index({k: v for k, (v, t) in row.latest.items() if t >= fresh_after})
        rows.append(row)
    return rows


@dataclass
class AnnualStatus:
    year: int
    value: ind.PeriodValue
    limits: list[LimitValue]


@dataclass
class StreamReport:
    datastream: Datastream
    code: str
    hourly: list[tuple[datetime, float | None]]
    daily: list[tuple[date, float | None, int, float | None]]  # day, mean, valid hours, max 8-h mean
    annual: AnnualStatus
    exceedances: list[tuple[LimitValue, ind.Exceedances]]
    limit_lines: list[LimitValue]
    target_days: list[tuple[LimitValue, ind.TargetDays]] = field(default_factory=list)


def stream_report(ds: Datastream, *, days: int = 7, year: int | None = None) -> StreamReport:
    code = ds.observed_property.code
    now = ds.latest_time or datetime.now(UTC)
    year = year or ind.cet_day(now).year
    y_start, y_end = aggregates.day_bounds(date(year, 1, 1), date(year, 12, 31))
    year_hours = aggregates.hourly_means(ds, y_start, y_end)
    recent_from = now - timedelta(days=days)
    hourly = sorted((h, v) for h, v in year_hours.items() if h > recent_from) if year_hours else []
    if not hourly:
        hourly = sorted(aggregates.hourly_means(ds, recent_from, now).items())
    daily = list(DailyAggregate.objects.filter(datastream=ds).order_by("day")
                 .values_list("day", "mean", "n_hours", "max_8h"))
    annual = AnnualStatus(year, ind.annual_mean(year_hours, year),
                          [lv for lv in limits_for(code) if lv.averaging == Averaging.YEAR])
    return StreamReport(ds, code, hourly, daily, annual, exceedances(code, year, year_hours, daily),
                        [lv for lv in limits_for(code) if lv.averaging in {Averaging.HOUR, Averaging.DAY}
                         and lv.kind in {Kind.LIMIT, Kind.INFORMATION}],
                        target_days(code, year, daily))


def exceedances(
    code: str, year: int, year_hours: dict[datetime, float | None], daily: list[tuple]
) -> list[tuple[LimitValue, ind.Exceedances]]:
    """Hourly and daily limits and thresholds of one calendar year. Alert thresholds that need consecutive
    hours (NO2 400 over 3 hours) count episodes, every other row counts hours or days."""
    result = []
    for lv in limits_for(code, kind=Kind.LIMIT) + limits_for(code, kind=Kind.INFORMATION) + limits_for(
        code, kind=Kind.ALERT
    ):
        if lv.averaging == Averaging.HOUR and lv.consecutive_hours > 1:
            episodes = ind.consecutive_runs(year_hours, lv.value, lv.consecutive_hours)
            result.append((lv, ind.Exceedances(len(episodes), lv.value, lv.allowed_exceedances)))
        elif lv.averaging == Averaging.HOUR:
            result.append((lv, ind.count_exceedances(year_hours.values(), lv.value, lv.allowed_exceedances)))
        elif lv.averaging == Averaging.DAY:
            year_days = [mean for d, mean, *_ in daily if d.year == year]
            result.append((lv, ind.count_exceedances(year_days, lv.value, lv.allowed_exceedances)))
    return result


def target_days(code: str, year: int, daily: list[tuple]) -> list[tuple[LimitValue, ind.TargetDays]]:
    """Days above the max-daily-8-h target values (O3 120), averaged over the years the table says."""
    max8 = {d: m8 for d, _, _, m8 in daily}
    return [
        (lv, ind.target_days(max8, lv.value, year, years=lv.years_averaged, allowed=lv.allowed_exceedances))
        for lv in limits_for(code, kind=Kind.TARGET)
        if lv.averaging == Averaging.MAX_DAILY_8H
    ]


def daily_series(ds: Datastream, start: date, end: date) -> dict[date, float]:
    return dict(DailyAggregate.objects.filter(datastream=ds, day__gte=start, day__lte=end, mean__isnull=False)
                .values_list("day", "mean"))


def compare_before_after(ds: Datastream, pivot: date, window_days: int) -> BeforeAfter:
    before = daily_series(ds, pivot - timedelta(days=window_days), pivot - timedelta(days=1))
    after = daily_series(ds, pivot, pivot + timedelta(days=window_days - 1))
    return before_after(list(before.values()), list(after.values()))


def limit_2008_2030(code: str, averaging: Averaging) -> tuple[LimitValue | None, LimitValue | None]:
    return limit(code, averaging, Regime.EU2008), limit(code, averaging, Regime.EU2030)
