"""Legal indicators against hand-computed fixtures (no database)."""

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from smartcity.airquality.domain import indicators as ind
from smartcity.airquality.domain.limits import LIMITS, Averaging, Kind, Regime, limit

CEST = timezone(timedelta(hours=2))
H = timedelta(hours=1)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def minutes(start: datetime, count: int, value: float = 10.0):
    """``count`` one-minute samples stamped at the end of each minute after ``start``."""
    return [(start + timedelta(minutes=i + 1), value) for i in range(count)]


class TestHourlyCoverage:
    def test_45_of_60_minutes_is_valid(self):
        [hour] = ind.hourly_values(minutes(utc(2026, 1, 5, 9), 45), interval_seconds=60)
        assert hour.end == utc(2026, 1, 5, 10)
        assert hour.coverage == 0.75
        assert hour.mean == 10.0

    def test_44_of_60_minutes_is_not_valid(self):
        [hour] = ind.hourly_values(minutes(utc(2026, 1, 5, 9), 44), interval_seconds=60)
        assert hour.mean is None
        assert hour.n == 44

    def test_hour_ending_sample_on_the_boundary_belongs_to_the_ending_hour(self):
        assert ind.hour_end(utc(2026, 1, 5, 10)) == utc(2026, 1, 5, 10)
        assert ind.hour_end(utc(2026, 1, 5, 10, 0, 1)) == utc(2026, 1, 5, 11)

    def test_naive_timestamp_is_rejected(self):
        with pytest.raises(ValueError, match="time zone"):
            ind.hour_end(datetime(2026, 1, 5, 10))

    def test_mean_of_mixed_values(self):
        samples = [(utc(2026, 1, 5, 9, m), v) for m, v in ((15, 10.0), (30, 20.0), (45, 30.0))]
        samples.append((utc(2026, 1, 5, 10), 40.0))
        [hour] = ind.hourly_values(samples, interval_seconds=900)
        assert hour.mean == 25.0 and hour.coverage == 1.0


class TestHourEndingAcrossDaylightSaving:
    def test_spring_forward_day_still_has_24_cet_hours(self):
        # 29 March 2026: local clocks jump 02:00 → 03:00 CEST, but CET days always have 24 hours.
        hours = {utc(2026, 3, 29, 0) + i * H: 20.0 for i in range(24)}  # 01:00 … 24:00 CET
        days = ind.daily_means(hours)
        assert list(days) == [date(2026, 3, 29)]
        assert days[date(2026, 3, 29)].n_valid == 24

    def test_hourly_values_stamped_in_local_time_on_the_short_day(self):
        # A source that stamps hour ends in local time (01:00 … 24:00 Europe/Berlin) delivers only 23 hours on
        # 29 March; in CET the day's last hour (24:00 CET) is the local 01:00 CEST of 30 March.
        berlin = ZoneInfo("Europe/Berlin")
        midnight = datetime(2026, 3, 29, 0, tzinfo=berlin).astimezone(UTC)
        local_ends = [(midnight + i * H).astimezone(berlin) for i in range(1, 24)]
        assert local_ends[-1].astimezone(berlin).hour == 0  # the local day had 23 hours
        hours = {ind.hour_end(t): 20.0 for t in local_ends}
        days = ind.daily_means(hours)
        assert days[date(2026, 3, 29)].n_valid == 23
        last_cet = ind.hour_end(datetime(2026, 3, 30, 1, tzinfo=berlin))
        assert ind.cet_label(last_cet) == "2026-03-29 24:00 MEZ"

    def test_local_summer_time_stamp_maps_to_cet_hour(self):
        # 03:30 CEST = 01:30 UTC = 02:30 CET → hour ending 03:00 CET.
        end = ind.hour_end(datetime(2026, 3, 29, 3, 30, tzinfo=CEST))
        assert end == utc(2026, 3, 29, 2)
        assert ind.cet_label(end) == "2026-03-29 03:00 MEZ"

    def test_repeated_local_hour_in_autumn_maps_to_two_cet_hours(self):
        # 25 October 2026: local 02:30 happens twice (CEST, then CET).
        first = ind.hour_end(datetime(2026, 10, 25, 2, 30, tzinfo=CEST))
        second = ind.hour_end(datetime(2026, 10, 25, 2, 30, tzinfo=ind.CET))
        assert ind.cet_label(first) == "2026-10-25 02:00 MEZ"
        assert ind.cet_label(second) == "2026-10-25 03:00 MEZ"

    def test_last_hour_of_the_day_is_labelled_24_00(self):
        end = utc(2026, 7, 1, 23)  # 24:00 CET on 1 July
        assert ind.cet_day(end) == date(2026, 7, 1)
        assert ind.cet_label(end) == "2026-07-01 24:00 MEZ"
        assert ind.cet_day(utc(2026, 7, 2, 0)) == date(2026, 7, 2)  # 01:00 CET on 2 July


class TestDailyMeans:
    day_start = utc(2026, 2, 9, 23)  # 10 Feb 2026 00:00 CET

    def test_18_valid_hours_make_a_valid_day(self):
        hours = {self.day_start + (i + 1) * H: float(i) for i in range(18)}
        day = ind.daily_means(hours)[date(2026, 2, 10)]
        assert day.n_valid == 18
        assert day.mean == pytest.approx(sum(range(18)) / 18)  # 8.5

    def test_17_valid_hours_are_not_enough(self):
        hours = {self.day_start + (i + 1) * H: 50.0 for i in range(17)}
        hours[self.day_start + 20 * H] = None  # an invalid hour does not count
        day = ind.daily_means(hours)[date(2026, 2, 10)]
        assert day.n_valid == 17 and day.mean is None and not day.valid


class TestEightHourMeans:
    def test_running_mean_needs_six_of_eight_hours(self):
        base = utc(2026, 6, 1, 0)
        hours = {base + i * H: 100.0 + 10 * i for i in range(6)}  # 100 … 150
        means = ind.rolling_8h_means(hours)
        assert means[base + 5 * H].mean == pytest.approx(125.0)  # 6 hours: valid
        assert means[base + 4 * H].mean is None  # 5 hours: not valid
        assert means[base + 7 * H].mean == pytest.approx(125.0)  # hours 0–5 still inside the window
        assert means[base + 8 * H].mean is None  # window 1–8 holds only 5 hours

    def test_max_daily_8h_mean_over_a_full_day(self):
        # 1 June 2026 CET: hour ends 1 June 00:00 UTC … 23:00 UTC; 7 hours before give full windows.
        start = utc(2026, 5, 31, 17)
        hours = {start + i * H: 80.0 for i in range(31)}
        hours[utc(2026, 6, 1, 12)] = 160.0  # one peak hour lifts 8 windows by 10
        days = ind.max_daily_8h_means(hours)
        assert days[date(2026, 6, 1)].mean == pytest.approx(90.0)
        assert days[date(2026, 6, 1)].n_valid == 24


class TestAnnualMean:
    def test_too_little_capture_is_not_valid_not_a_number(self):
        year = 2025
        start = utc(2024, 12, 31, 23)
        n = int(ind.hours_in_year(year) * 0.9) - 1  # one hour short of 90 %
        hours = {start + (i + 1) * H: 30.0 for i in range(n)}
        result = ind.annual_mean(hours, year)
        assert result.mean is None and not result.valid
        assert result.capture == pytest.approx(n / 8760)

    def test_exactly_90_percent_is_valid(self):
        start = utc(2024, 12, 31, 23)
        hours = {start + (i + 1) * H: 30.0 + (i % 2) * 10 for i in range(7884)}  # 7884 = 0.9 × 8760
        result = ind.annual_mean(hours, 2025)
        assert result.valid and result.mean == pytest.approx(35.0)

    def test_maintenance_hours_are_not_counted_against_capture(self):
        start = utc(2024, 12, 31, 23)
        hours = {start + (i + 1) * H: 30.0 for i in range(7800)}
        assert not ind.annual_mean(hours, 2025).valid
        assert ind.annual_mean(hours, 2025, excluded_hours=100).valid

    def test_hours_of_the_neighbour_years_are_ignored(self):
        hours = {utc(2024, 12, 31, 23): 999.0, utc(2026, 1, 1, 0): 999.0}  # 24:00 CET 31 Dec / 01:00 1 Jan
        start = utc(2024, 12, 31, 23)
        hours |= {start + (i + 1) * H: 20.0 for i in range(8760)}
        assert ind.annual_mean(hours, 2025).mean == pytest.approx(20.0)

    def test_leap_year_has_8784_hours(self):
        assert ind.hours_in_year(2028) == 8784

    def test_from_daily_means(self):
        days = {date(2025, 1, 1) + timedelta(days=i): ind.PeriodValue(20.0, 24, 24) for i in range(329)}
        assert ind.annual_mean_from_days(days, 2025).valid  # 329/365 = 90.1 %
        days.pop(date(2025, 1, 1))
        assert not ind.annual_mean_from_days(days, 2025).valid


class TestExceedances:
    def test_no2_hourly_strictly_above_200(self):
        values = [200.0, 200.1, 250.0, None, 199.9]
        result = ind.count_exceedances(values, 200, allowed=18)
        assert result.count == 2 and not result.breached

    def test_nineteen_exceedances_breach_the_no2_limit(self):
        lv = limit("NO2", Averaging.HOUR, Regime.EU2008)
        result = ind.count_exceedances([201.0] * 19, lv.value, lv.allowed_exceedances)
        assert result.count == 19 and result.breached

    def test_pm10_daily_35_allowed(self):
        lv = limit("PM10", Averaging.DAY, Regime.EU2008)
        assert not ind.count_exceedances([51.0] * 35 + [50.0] * 10, lv.value, lv.allowed_exceedances).breached
        assert ind.count_exceedances([51.0] * 36, lv.value, lv.allowed_exceedances).breached

    def test_ozone_information_and_alert_thresholds(self):
        info = limit("O3", Averaging.HOUR, Regime.EU2008, Kind.INFORMATION)
        alert = limit("O3", Averaging.HOUR, Regime.EU2008, Kind.ALERT)
        hours = {utc(2026, 7, 1, 12): 185.0, utc(2026, 7, 1, 13): 241.0, utc(2026, 7, 1, 14): 180.0}
        assert ind.hours_above(hours, info.value) == [utc(2026, 7, 1, 12), utc(2026, 7, 1, 13)]
        assert ind.hours_above(hours, alert.value) == [utc(2026, 7, 1, 13)]


class TestAlertThresholds:
    def test_no2_alert_needs_three_consecutive_valid_hours_above_400(self):
        alert = limit("NO2", Averaging.HOUR, Regime.EU2008, Kind.ALERT)
        assert (alert.value, alert.consecutive_hours) == (400, 3)
        t = utc(2026, 1, 5, 8)
        hours = {
            t: 410.0, t + H: 420.0,  # two hours only: no episode
            t + 3 * H: 401.0, t + 4 * H: 450.0, t + 5 * H: 400.5, t + 6 * H: 430.0,  # one episode of four hours
            t + 8 * H: 500.0, t + 9 * H: None, t + 10 * H: 500.0, t + 11 * H: 500.0,  # invalid hour breaks it
            t + 13 * H: 400.0, t + 14 * H: 401.0, t + 15 * H: 402.0,  # 400.0 is not above the threshold
        }
        assert ind.consecutive_runs(hours, alert.value, alert.consecutive_hours) == [(t + 3 * H, t + 6 * H)]
        assert ind.consecutive_runs({t: 401.0, t + H: 401.0, t + 2 * H: 401.0}, 400, 3) == [(t, t + 2 * H)]

    def test_ozone_alert_counts_single_hours(self):
        alert = limit("O3", Averaging.HOUR, Regime.EU2008, Kind.ALERT)
        assert (alert.value, alert.consecutive_hours) == (240, 1)
        hours = {utc(2026, 7, 1, 12): 240.0, utc(2026, 7, 1, 15): 240.5}
        assert ind.consecutive_runs(hours, alert.value, 1) == [(utc(2026, 7, 1, 15), utc(2026, 7, 1, 15))]


class TestOzoneTargetDays:
    @staticmethod
    def summer(year: int, high_days: int, *, months=range(4, 10), per_month: int = 30) -> dict[date, float]:
        """Daily max 8-h means for the summer months; the first ``high_days`` days are above 120."""
        days = {}
        for month in months:
            for d in range(1, per_month + 1):
                days[date(year, month, d)] = 100.0
        for day in sorted(days)[:high_days]:
            days[day] = 125.0
        return days

    def test_days_above_120_averaged_over_three_years(self):
        lv = limit("O3", Averaging.MAX_DAILY_8H, Regime.EU2008, Kind.TARGET)
        assert (lv.value, lv.allowed_exceedances, lv.years_averaged) == (120, 25, 3)
        days = {**self.summer(2024, 20), **self.summer(2025, 30), **self.summer(2026, 28)}
        days[date(2026, 7, 31)] = 120.0  # equal is not above
        result = ind.target_days(days, lv.value, 2026, years=lv.years_averaged, allowed=lv.allowed_exceedances)
        assert result.per_year == {2024: 20, 2025: 30, 2026: 28}
        assert result.valid_years == (2024, 2025, 2026)
        assert result.count == pytest.approx(26.0) and result.breached

    def test_years_without_summer_capture_do_not_count(self):
        days = {**self.summer(2024, 60, per_month=26),  # 26 of ~30 days a month: below 27, not valid
                **self.summer(2025, 30, months=range(4, 8)),  # only four summer months: not valid
                **self.summer(2026, 10, months=range(5, 10))}  # five of six months: valid
        result = ind.target_days(days, 120, 2026, years=3, allowed=25)
        assert result.valid_years == (2026,) and result.count == 10 and not result.breached
        assert result.per_year[2024] == 60  # shown, but not part of the average

    def test_no_valid_year_is_not_assessable(self):
        result = ind.target_days(self.summer(2026, 40, per_month=20), 120, 2026, years=3, allowed=25)
        assert result.count is None and not result.breached and result.per_year[2026] == 40


def test_limit_table_has_both_regimes_and_flags():
    no2_year = {lv.regime: lv.value for lv in LIMITS if lv.pollutant == "NO2" and lv.averaging == Averaging.YEAR}
    assert no2_year == {Regime.EU2008: 40, Regime.EU2030: 20}
    assert all(lv.source for lv in LIMITS)
    assert limit("PM10", Averaging.DAY, Regime.EU2030).needs_verification
    keys = [(lv.pollutant, lv.averaging, lv.regime, lv.kind) for lv in LIMITS]
    assert len(keys) == len(set(keys))


def test_before_after_statistics_by_hand():
    from smartcity.airquality.domain.compare import before_after

    result = before_after([40.0, 42.0, 38.0, 40.0], [30.0, 32.0, 28.0, 30.0])
    assert result.mean_before == 40.0 and result.mean_after == 30.0
    assert result.difference == -10.0 and result.relative_change == -0.25
    # se = sqrt(8/3/4 + 8/3/4) = 1.1547; z = 8.66 → p far below 0.05
    assert result.significant
    same = before_after([40.0, 41.0, 39.0], [40.0, 39.0, 41.0])
    assert same.difference == 0 and not same.significant
    assert before_after([], [1.0]).difference is None
