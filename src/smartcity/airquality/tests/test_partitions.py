from datetime import UTC, date, datetime

import pytest
from django.db import connection

from smartcity.airquality import ingest, partitions
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
