"""Legal air-quality indicators after Directive 2008/50/EC Annex XI (39. BImSchV).

Conventions:
* Times are CET (UTC+1 all year, no daylight saving). CET hour boundaries coincide with UTC hour boundaries,
  so buckets are computed on UTC instants; CET only matters for labels and for which day an hour belongs to.
* Values are hour-ending: a sample stamped t belongs to the hour (end − 1 h, end] with end = t rounded up to the
  full hour. An instant is read as the end of its averaging period (as UBA/LANUV label hourly values).
* A day is the 24 hours ending 01:00 … 24:00 CET. An 8-hour running mean belongs to the day on which it ends.
* "Not valid" is ``None``, never a number: callers show "nicht gültig" instead of a misleading mean.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

CET = timezone(timedelta(hours=1), "CET")
HOUR = timedelta(hours=1)

HOURLY_COVERAGE = 0.75  # one-hour value: 75 % (45 of 60 minutes)
DAILY_MIN_HOURS = 18  # 24-h value: 75 % of hourly values
EIGHT_HOUR_MIN_HOURS = 6  # 8-h value: 75 % (6 hours)
MAX8H_MIN_MEANS = 18  # max daily 8-h mean: 75 % of the hourly running 8-h means
ANNUAL_CAPTURE = 0.90  # annual mean: 90 % of one-hour (or 24-h) values


@dataclass(frozen=True)
class HourValue:
    end: datetime  # aware, UTC
    mean: float | None  # None = not valid
    n: int
    coverage: float


@dataclass(frozen=True)
class PeriodValue:
    """A daily, 8-hourly or annual value with the number of valid inputs it rests on."""

    mean: float | None  # None = not valid
    n_valid: int
    n_expected: int

    @property
    def valid(self) -> bool:
        return self.mean is not None

    @property
    def capture(self) -> float:
        return self.n_valid / self.n_expected if self.n_expected else 0.0


@dataclass(frozen=True)
class Exceedances:
    count: int
    threshold: float
    allowed: int | None

    @property
    def breached(self) -> bool:
        """True if the count is above the number the limit allows (None: any exceedance breaches)."""
        return self.count > (self.allowed or 0)


def hour_end(ts: datetime) -> datetime:
    """The end (UTC) of the CET hour a sample stamped ``ts`` belongs to, hour-ending convention."""
    if ts.tzinfo is None:
        raise ValueError("timestamp without time zone")
    utc = ts.astimezone(UTC)
    floored = utc.replace(minute=0, second=0, microsecond=0)
    return floored if floored == utc else floored + HOUR


def cet_label(end: datetime) -> str:
    """Hour-ending label as UBA writes it: the last hour of a day is 24:00, not 00:00 of the next day."""
    day = cet_day(end)
    hour = (end.astimezone(CET) - datetime(day.year, day.month, day.day, tzinfo=CET)) // HOUR
    return f"{day.isoformat()} {hour:02d}:00 MEZ"


def cet_day(end: datetime) -> date:
    """The CET day an hour belongs to, given the hour's end (hours ending 01:00 … 24:00 CET)."""
    return (end.astimezone(CET) - HOUR).date()


def hour_value(end: datetime, total: float, n: int, expected: int) -> HourValue:
    """One hourly value from a bucket's sum and count; valid with ≥ 75 % of the expected samples."""
    coverage = min(n / expected, 1.0) if expected else 0.0
    mean = total / n if n and coverage >= HOURLY_COVERAGE else None
    return HourValue(end, mean, n, coverage)


def hourly_values(samples: Iterable[tuple[datetime, float]], *, interval_seconds: int = 3600) -> list[HourValue]:
    """Hourly means from raw samples taken every ``interval_seconds``, sorted by hour end."""
    if not 0 < interval_seconds <= 3600 or 3600 % interval_seconds:
        raise ValueError("interval must divide one hour")
    buckets: dict[datetime, list[float]] = {}
    for ts, value in samples:
        bucket = buckets.setdefault(hour_end(ts), [0.0, 0])
        bucket[0] += value
        bucket[1] += 1
    expected = 3600 // interval_seconds
    return [hour_value(end, total, int(n), expected) for end, (total, n) in sorted(buckets.items())]


def _valid_hours(hours: Iterable[HourValue] | Mapping[datetime, float | None]) -> dict[datetime, float]:
    if isinstance(hours, Mapping):
        return {end: v for end, v in hours.items() if v is not None}
    return {h.end: h.mean for h in hours if h.mean is not None}


def daily_means(hours: Iterable[HourValue] | Mapping[datetime, float | None]) -> dict[date, PeriodValue]:
    """Daily means per CET day; valid with at least 18 valid hourly values."""
    per_day: dict[date, list[float]] = {}
    for end, value in _valid_hours(hours).items():
        per_day.setdefault(cet_day(end), []).append(value)
    return {
        day: PeriodValue(sum(vals) / len(vals) if len(vals) >= DAILY_MIN_HOURS else None, len(vals), 24)
        for day, vals in sorted(per_day.items())
    }


def rolling_8h_means(hours: Iterable[HourValue] | Mapping[datetime, float | None]) -> dict[datetime, PeriodValue]:
    """Running 8-hour means, keyed by the end of their last hour; valid with ≥ 6 valid hours."""
    valid = _valid_hours(hours)
    if not valid:
        return {}
    first, last = min(valid), max(valid)
    result: dict[datetime, PeriodValue] = {}
    end = first
    while end <= last + 7 * HOUR:
        vals = [valid[end - i * HOUR] for i in range(8) if end - i * HOUR in valid]
        if vals:
            mean = sum(vals) / len(vals) if len(vals) >= EIGHT_HOUR_MIN_HOURS else None
            result[end] = PeriodValue(mean, len(vals), 8)
        end += HOUR
    return result


def max_daily_8h_means(hours: Iterable[HourValue] | Mapping[datetime, float | None]) -> dict[date, PeriodValue]:
    """Maximum daily 8-hour mean per CET day (O3, CO), valid with ≥ 18 valid running means in the day."""
    per_day: dict[date, list[float]] = {}
    for end, pv in rolling_8h_means(hours).items():
        if pv.mean is not None:
            per_day.setdefault(cet_day(end), []).append(pv.mean)
    return {
        day: PeriodValue(max(vals) if len(vals) >= MAX8H_MIN_MEANS else None, len(vals), 24)
        for day, vals in sorted(per_day.items())
    }


def hours_in_year(year: int) -> int:
    return 24 * (date(year + 1, 1, 1) - date(year, 1, 1)).days


def annual_mean(
    hours: Iterable[HourValue] | Mapping[datetime, float | None], year: int, *, excluded_hours: int = 0
) -> PeriodValue:
    """Annual mean of valid hourly values of a CET calendar year; valid with ≥ 90 % data capture.

    ``excluded_hours`` are hours lost to regular calibration and maintenance, which Annex XI does not count
    against the capture.
    """
    vals = [v for end, v in _valid_hours(hours).items() if cet_day(end).year == year]
    expected = hours_in_year(year) - excluded_hours
    return _capture_checked(vals, expected)


def annual_mean_from_days(days: Mapping[date, PeriodValue], year: int) -> PeriodValue:
    """Annual mean from daily means when no hourly values exist (e.g. gravimetric PM10)."""
    vals = [pv.mean for day, pv in days.items() if day.year == year and pv.mean is not None]
    return _capture_checked(vals, hours_in_year(year) // 24)


def _capture_checked(vals: list[float], expected: int) -> PeriodValue:
    ok = expected > 0 and len(vals) / expected >= ANNUAL_CAPTURE
    return PeriodValue(sum(vals) / len(vals) if ok and vals else None, len(vals), expected)


def count_exceedances(values: Iterable[float | None], threshold: float, allowed: int | None = None) -> Exceedances:
    """Count valid values strictly above the threshold (the directive says "exceed")."""
    return Exceedances(sum(1 for v in values if v is not None and v > threshold), threshold, allowed)


def hours_above(hours: Iterable[HourValue] | Mapping[datetime, float | None], threshold: float) -> list[datetime]:
    """Hour ends with a valid value above a threshold (O3 information 180 / alert 240)."""
    return sorted(end for end, v in _valid_hours(hours).items() if v > threshold)


def consecutive_runs(
    hours: Iterable[HourValue] | Mapping[datetime, float | None], threshold: float, min_hours: int
) -> list[tuple[datetime, datetime]]:
    """Episodes of at least ``min_hours`` consecutive valid hours above a threshold, as (first, last) hour end.

    Alert thresholds measured "over three consecutive hours" (Annex XII: NO2 400, SO2 500) count episodes; an
    invalid or missing hour ends an episode."""
    episodes: list[tuple[datetime, datetime]] = []
    run: list[datetime] = []
    for end in hours_above(hours, threshold) + [None]:
        if run and (end is None or end - run[-1] != HOUR):
            if len(run) >= min_hours:
                episodes.append((run[0], run[-1]))
            run = []
        if end is not None:
            run.append(end)
    return episodes


# Annex VII: a year of ozone data counts for the target value with 90 % of the daily maximum 8-h means in a month
# (27 days) in at least five of the six summer months (April–September).
O3_MONTH_MIN_DAYS = 27
O3_SUMMER_MONTHS = range(4, 10)
O3_SUMMER_MIN_MONTHS = 5


@dataclass(frozen=True)
class TargetDays:
    """Days above a target value per year and their average over the assessment years (O3: three years).

    ``count`` is the average over the valid years among the last ``years`` (None = no valid year: not
    assessable); Annex VII allows fewer than three years when the full set is missing, but at least one."""

    per_year: dict[int, int]
    valid_years: tuple[int, ...]
    count: float | None
    threshold: float
    allowed: int | None

    @property
    def breached(self) -> bool:
        return self.count is not None and self.count > (self.allowed or 0)


def o3_year_valid(days: Mapping[date, float | None], year: int) -> bool:
    """Annex VII data capture for the yearly number of exceedances of the O3 target value."""
    per_month: dict[int, int] = {}
    for day, value in days.items():
        if day.year == year and value is not None:
            per_month[day.month] = per_month.get(day.month, 0) + 1
    good = sum(1 for month in O3_SUMMER_MONTHS if per_month.get(month, 0) >= O3_MONTH_MIN_DAYS)
    return good >= O3_SUMMER_MIN_MONTHS


def target_days(
    days: Mapping[date, float | None], threshold: float, year: int, *, years: int = 3, allowed: int | None = None
) -> TargetDays:
    """Days with a valid daily value (O3: the max daily 8-h mean) strictly above the threshold, per calendar
    year ``year - years + 1`` … ``year``, averaged over the years with valid data."""
    span = range(year - years + 1, year + 1)
    per_year = {y: 0 for y in span}
    for day, value in days.items():
        if day.year in per_year and value is not None and value > threshold:
            per_year[day.year] += 1
    valid = tuple(y for y in span if o3_year_valid(days, y))
    average = sum(per_year[y] for y in valid) / len(valid) if valid else None
    return TargetDays(per_year, valid, average, threshold, allowed)


def hour_end_of_day(day: date) -> datetime:
    """The end of a CET day (its 24:00 CET hour end), used to place daily values on a time axis."""
    return datetime(day.year, day.month, day.day, tzinfo=CET) + 24 * HOUR
