import random
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.db import IntegrityError, connection

from smartcity.airquality import ingest, partitions
from smartcity.airquality import models as m
from smartcity.airquality.partitions import add_months


def test_month_arithmetic():
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)


@pytest.mark.postgres
@pytest.mark.django_db
def test_observations_are_partitioned_by_month_with_a_brin_index(no2_stream):
    assert partitions.is_partitioned()
    with connection.cursor() as cur:
        cur.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'airquality_observation'")
        assert any("USING brin (phenomenon_time)" in row[0] for row in cur.fetchall())
    # late data from a month without a partition gets its partition on ingest, not the DEFAULT partition
    t = datetime(2019, 4, 15, 8, tzinfo=UTC)
    ingest.ingest_rows([ingest.Row(no2_stream.pk, t, None, 45.3, None, 0, None, None)], [], source="test")
    with connection.cursor() as cur:
        cur.execute("SELECT tableoid::regclass::text FROM airquality_observation WHERE phenomenon_time = %s", [t])
        assert cur.fetchone()[0] == "airquality_observation_201904"


@pytest.mark.postgres
@pytest.mark.django_db
def test_direct_copy_and_staging_upsert_agree(no2_stream, monkeypatch):
    """A large batch of new data is COPYed straight into the table with latest values and stale marks from
    batch_summary; a batch meeting an existing key takes the staging upsert. Both must leave the same state."""
    paths = []
    copy_new = ingest._copy_new
    monkeypatch.setattr(ingest, "_copy_new", lambda cur, rows: paths.append(copy_new(cur, rows)) or paths[-1])
    other = m.Datastream.objects.create(
        name="NO2 zweite Reihe", thing=no2_stream.thing, sensor=no2_stream.sensor,
        observed_property=no2_stream.observed_property, unit_of_measurement=no2_stream.unit_of_measurement,
    )
    t0 = datetime(2026, 2, 27, 22, 30, tzinfo=UTC)  # 60 hours over four days and two months (partitions)

    def batch(ds: m.Datastream) -> list[ingest.Row]:
        half = timedelta(minutes=30)
        rows = [
            ingest.Row(ds.pk, t0 + i * half, t0 + (i - 1) * half if i % 3 == 0 else None, float(i % 97),
                       t0 + (i + 1) * half if i % 2 else None, 0, None, None)
            for i in range(120)
        ]
        random.Random(7).shuffle(rows)  # the summary must not rely on the order of the rows
        return rows

    ingest.ingest_rows(batch(no2_stream), [], source="test")
    m.Observation.objects.create(datastream=other, phenomenon_time=t0, result=1.0)  # an existing key
    ingest.ingest_rows(batch(other), [], source="test")
    assert paths == [True, False]

    def state(ds: m.Datastream) -> tuple:
        ds.refresh_from_db()
        marks = sorted(m.StaleRange.objects.filter(datastream=ds).values_list("first_hour_end", "last_hour_end"))
        return (ds.latest_time, ds.latest_result, ds.phenomenon_start, ds.phenomenon_end, ds.result_time_start,
                ds.result_time_end, marks, m.Observation.objects.filter(datastream=ds).count())

    direct = state(no2_stream)
    assert direct == state(other)
    assert direct[0] == t0 + 119 * timedelta(minutes=30) and direct[1] == float(119 % 97)
    assert direct[2] == t0 - timedelta(minutes=30) and len(direct[6]) == 4 and direct[7] == 120


def test_batch_summary_of_plain_instants_of_two_interleaved_datastreams():
    t0 = datetime(2026, 3, 1, 23, tzinfo=UTC)
    rows = [ingest.Row(ds, t0 + timedelta(hours=h), None, float(10 * ds + h), None, 0, None, None)
            for h in (2, 0, 1) for ds in (2, 1)]
    latest, stale = ingest.batch_summary(rows)

    def us(*times: datetime) -> list[int]:
        """Times as batch_summary writes them: microseconds since the epoch."""
        return [(t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) for t in times]

    assert latest == [[1, 2], us(t0 + timedelta(hours=2)) * 2, [12.0, 22.0], us(t0, t0), [None, None], [None, None]]
    # 23:00 on 1 March, then 00:00–01:00 on 2 March: two UTC days per datastream
    assert stale == [[1, 1, 2, 2], us(t0, t0 + timedelta(hours=1)) * 2, us(t0, t0 + timedelta(hours=2)) * 2]


def test_batch_summary_marks_the_hour_ending_and_ignores_the_order_and_the_zone():
    """An instant on the hour closes that hour, one a microsecond later opens the next; times given in another
    zone fall into their UTC day."""
    cet = timezone(timedelta(hours=1))
    t0 = datetime(2026, 3, 2, 1, tzinfo=cet)  # 00:00 UTC
    rows = [ingest.Row(1, t, None, 1.0, None, 0, None, None)
            for t in (t0 + timedelta(microseconds=1), t0 - timedelta(minutes=1), t0)]
    latest, stale = ingest.batch_summary(rows)
    hour = 3_600_000_000
    midnight = (t0 - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    assert latest[1] == [midnight + 1] and latest[3] == [midnight - 60_000_000]
    assert stale == [[1, 1], [midnight, midnight], [midnight, midnight + hour]]  # 23:59 on 1 March, then 2 March


@pytest.mark.django_db
@pytest.mark.parametrize("size", [3, 120])  # staging path with ids / direct COPY on PostgreSQL
def test_batch_of_a_datastream_deleted_after_validation_fails_whole(no2_stream, size):
    """No foreign key guards observations (ADR 0080): ingest must find every datastream of the batch."""
    validator = ingest.Validator()
    validator.preload([no2_stream.pk])
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    rows, rejected, _ = ingest.data_array_rows(
        validator, no2_stream.pk, ["phenomenonTime", "result"],
        [[(t0 + timedelta(minutes=i)).isoformat(), 20] for i in range(size)],
    )
    assert len(rows) == size and not rejected
    m.Datastream.objects.filter(pk=no2_stream.pk).delete()
    with pytest.raises(IntegrityError, match="deleted meanwhile"):
        ingest.ingest_rows(rows, [], source="test")
    assert not m.Observation.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_deleting_a_datastream_in_sql_deletes_its_observations(no2_stream):
    """The trigger that replaces the foreign key's guard: also for deletes outside Django's cascade."""
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    ingest.ingest_rows([ingest.Row(no2_stream.pk, t0 + timedelta(minutes=i), None, 20.0, None, 0, None, None)
                        for i in range(60)], [], source="test")
    assert m.Observation.objects.filter(datastream=no2_stream).count() == 60
    with connection.cursor() as cur:
        cur.execute("DELETE FROM airquality_stalerange")
        cur.execute("DELETE FROM airquality_datastream WHERE id = %s", [no2_stream.pk])
        cur.execute("SELECT count(*) FROM airquality_observation")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'airquality_observation_foi'")
        assert cur.fetchone()[0].endswith("WHERE (feature_of_interest_id IS NOT NULL)")
