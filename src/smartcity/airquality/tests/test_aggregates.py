"""Materialised aggregates agree with the pure indicator functions (on SQLite and, in CI, on PostgreSQL)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction

from smartcity.airquality import aggregates, ingest
from smartcity.airquality import models as m
from smartcity.airquality.domain import indicators as ind

pytestmark = pytest.mark.django_db
H = timedelta(hours=1)


def rows(ds, samples):
    return [ingest.Row(ds.pk, t, None, v, None, 0, None, None) for t, v in samples]


@pytest.fixture
def ingest_and_refresh(django_capture_on_commit_callbacks):
    """Ingest as a request does, then run what it queued after the commit (the aggregate refresh)."""
    def run(batch):
        with django_capture_on_commit_callbacks(execute=True) as queued:
            ingest.ingest_rows(batch, [], source="test")
        return queued
    return run


def test_daily_aggregates_match_the_domain_rules_with_gaps_and_late_data(no2_stream, ingest_and_refresh):
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
    ingest_and_refresh(rows(ds, samples))
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
    ingest_and_refresh(rows(ds, late))
    day6 = m.DailyAggregate.objects.get(datastream=ds, day=datetime(2026, 1, 6).date())
    assert day6.n_hours >= 18 and day6.mean is not None
    ds.refresh_from_db()
    assert ds.latest_time == start + 72 * H  # late data does not move the latest value back


def test_withdrawn_values_leave_the_aggregates(no2_stream, ingest_and_refresh):
    t = datetime(2026, 1, 5, 10, tzinfo=UTC)
    ingest_and_refresh(rows(no2_stream, [(t, 40.0)]))
    assert m.HourlyAggregate.objects.get(datastream=no2_stream).n == 1
    ingest_and_refresh([ingest.Row(no2_stream.pk, t, None, 40.0, None, m.Quality.WITHDRAWN, None, None)])
    assert not m.HourlyAggregate.objects.filter(datastream=no2_stream).exists()


def test_refresh_is_deferred_coalesced_and_exact(no2_stream, ingest_and_refresh):
    """Ingest marks hours stale and queues the refresh after the commit; the latest value is current at once.
    Batches landing before the refresh runs cost one recomputation per hour, and the result equals the
    recomputation from all raw values."""
    ds = no2_stream
    start = datetime(2026, 3, 1, 23, tzinfo=UTC)  # 2 March 00:00 CET
    first = [(start + timedelta(minutes=10 * i + 5), 10.0 + i) for i in range(12)]  # two hours, 6 values each
    with transaction.atomic():  # nothing committed yet: no refresh has run
        ingest.ingest_rows(rows(ds, first[:6]), [], source="test")
        ingest.ingest_rows(rows(ds, first[6:]), [], source="test")
        ingest.ingest_rows(rows(ds, first[:3]), [], source="test")  # re-sent: same hour, same marks
        assert not m.HourlyAggregate.objects.filter(datastream=ds).exists()
        marked = m.StaleRange.objects.filter(datastream=ds).values_list("first_hour_end", "last_hour_end")
        assert {h for first, last in marked for h in (first, last)} == {start + H, start + 2 * H}
        ds.refresh_from_db()
        assert (ds.latest_time, ds.latest_result) == first[-1]
    assert aggregates.refresh_stale() == len(marked)
    assert aggregates.refresh_stale() == 0  # nothing left: a second queued refresh is cheap
    assert not m.StaleRange.objects.exists()
    hours = {a.hour_end: a for a in m.HourlyAggregate.objects.filter(datastream=ds)}
    assert {h: (a.n, a.total) for h, a in hours.items()} == {
        start + H: (6, sum(v for _, v in first[:6])), start + 2 * H: (6, sum(v for _, v in first[6:]))}
    queued = ingest_and_refresh(rows(ds, [(first[0][0], 99.0)]))  # a correction replaces a value of hour 1
    assert len(queued) == 1
    assert m.HourlyAggregate.objects.get(datastream=ds, hour_end=start + H).total == pytest.approx(
        99.0 + sum(v for _, v in first[1:6]))
    ds.refresh_from_db()
    assert ds.latest_time == first[-1][0]  # the correction is older: the latest value stays


def test_a_batch_repeating_a_key_stores_one_value(no2_stream, ingest_and_refresh):
    t = datetime(2026, 3, 2, 10, tzinfo=UTC)
    ingest_and_refresh(rows(no2_stream, [(t, 1.0), (t + H, 2.0), (t, 1.0)]))
    assert m.Observation.objects.filter(datastream=no2_stream).count() == 2
    assert m.HourlyAggregate.objects.get(datastream=no2_stream, hour_end=t).n == 1


def test_late_evening_hours_recompute_the_next_days_max_8h_mean(no2_stream, ingest_and_refresh):
    """An 8-h mean ending early on 7 January contains hours of the evening of 6 January: values arriving late
    for those hours must refresh 7 January's max 8-h mean, not only 6 January's row."""
    ds = no2_stream
    start = datetime(2026, 1, 4, 23, tzinfo=UTC)  # 5 Jan 00:00 CET
    late_hours = {start + (24 + h) * H for h in (20, 21, 22)}  # hours ending 20:00, 21:00, 22:00 CET on 6 Jan
    samples = [(start + h * H, 20.0) for h in range(1, 73)]
    first = [(t, v) for t, v in samples if t not in late_hours]
    late = [(t, 100.0) for t in sorted(late_hours)]

    ingest_and_refresh(rows(ds, first))
    ingest_and_refresh(rows(ds, late))
    expected = ind.max_daily_8h_means({t: v for t, v in first + late})
    jan7 = datetime(2026, 1, 7).date()
    assert expected[jan7].mean == pytest.approx(50.0)  # (5 × 20 + 3 × 100) / 8, the mean ending 7 Jan 01:00
    stored = {d.day: d.max_8h for d in m.DailyAggregate.objects.filter(datastream=ds)}
    assert set(stored) == {jan7 - timedelta(days=2), jan7 - timedelta(days=1), jan7}
    assert stored == {day: pytest.approx(expected[day].mean) for day in stored}

