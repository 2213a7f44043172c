"""Materialised aggregates agree with the pure indicator functions (on SQLite and, in CI, on PostgreSQL)."""

from datetime import UTC, datetime, timedelta

import pytest

from smartcity.airquality import ingest
from smartcity.airquality import models as m
from smartcity.airquality.domain import indicators as ind

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def rows(ds, samples):
    return [ingest.Row(ds.pk, t, None, v, None, 0, None, None) for t, v in samples]


def test_daily_aggregates_match_the_domain_rules_with_gaps_and_late_data(no2_stream):
    ds = no2_stream
    ds.sampling_interval_s = 1800  # two samples per hour expected
    ds.save()
    start = datetime(2026, 1, 4, 23, tzinfo=UTC)  # 5 Jan 00:00 CET
    samples = []
    for h in range(72):
        end = start + (h + 1) * H
        if 30 <= h < 37:
            continue  # 7 hours missing on 6 January: 17 valid hours → day not valid
        samples.append((end - timedelta(minutes=30), 20.0 + h % 24))
        if h % 5:
            samples.append((end, 30.0 + h % 24))  # every 5th hour has only one of two samples: 50 % → invalid
    ingest.ingest_rows(rows(ds, samples), [], source="test")
    expected_hours = {hv.end: hv.mean for hv in ind.hourly_values(samples, interval_seconds=1800)}
    expected_days = ind.daily_means(expected_hours)
    expected_8h = ind.max_daily_8h_means(expected_hours)
    stored = {d.day: d for d in m.DailyAggregate.objects.filter(datastream=ds)}
    assert set(stored) == set(expected_days)
    for day, pv in expected_days.items():
        assert stored[day].n_hours == pv.n_valid
        assert stored[day].mean == (pytest.approx(pv.mean) if pv.mean is not None else None)
        want8 = expected_8h[day].mean if day in expected_8h else None
        assert stored[day].max_8h == (pytest.approx(want8) if want8 is not None else None)
    assert stored[datetime(2026, 1, 6).date()].mean is None

    # a late value fills the gap: only that hour and day are recomputed, and the day becomes valid
    late = [(start + (h + 1) * H - timedelta(minutes=m_), 25.0) for h in range(30, 37) for m_ in (0, 30)]
    ingest.ingest_rows(rows(ds, late), [], source="test")
    day6 = m.DailyAggregate.objects.get(datastream=ds, day=datetime(2026, 1, 6).date())
    assert day6.n_hours >= 18 and day6.mean is not None
    ds.refresh_from_db()
    assert ds.latest_time == start + 72 * H  # late data does not move the latest value back


def test_withdrawn_values_leave_the_aggregates(no2_stream):
    t = datetime(2026, 1, 5, 10, tzinfo=UTC)
    ingest.ingest_rows(rows(no2_stream, [(t, 40.0)]), [], source="test")
    assert m.HourlyAggregate.objects.get(datastream=no2_stream).n == 1
    ingest.ingest_rows([ingest.Row(no2_stream.pk, t, None, 40.0, None, m.Quality.WITHDRAWN, None, None)], [],
                       source="test")
    assert not m.HourlyAggregate.objects.filter(datastream=no2_stream).exists()


def test_late_evening_hours_recompute_the_next_days_max_8h_mean(no2_stream, django_capture_on_commit_callbacks):
    """An 8-h mean ending early on 7 January contains hours of the evening of 6 January: values arriving late
    for those hours must refresh 7 January's max 8-h mean, not only 6 January's row."""
    ds = no2_stream
    start = datetime(2026, 1, 4, 23, tzinfo=UTC)  # 5 Jan 00:00 CET
    late_hours = {start + (24 + h) * H for h in (20, 21, 22)}  # hours ending 20:00, 21:00, 22:00 CET on 6 Jan
    samples = [(start + h * H, 20.0) for h in range(1, 73)]
    first = [(t, v) for t, v in samples if t not in late_hours]
    late = [(t, 100.0) for t in sorted(late_hours)]

    def ingest_now(batch):  # also runs a refresh that ingest defers until after the commit
        with django_capture_on_commit_callbacks(execute=True):
            ingest.ingest_rows(rows(ds, batch), [], source="test")

    ingest_now(first)
    ingest_now(late)
    expected = ind.max_daily_8h_means({t: v for t, v in first + late})
    jan7 = datetime(2026, 1, 7).date()
    assert expected[jan7].mean == pytest.approx(50.0)  # (5 × 20 + 3 × 100) / 8, the mean ending 7 Jan 01:00
    stored = {d.day: d.max_8h for d in m.DailyAggregate.objects.filter(datastream=ds)}
    assert set(stored) == {jan7 - timedelta(days=2), jan7 - timedelta(days=1), jan7}
    assert stored == {day: pytest.approx(expected[day].mean) for day in stored}
