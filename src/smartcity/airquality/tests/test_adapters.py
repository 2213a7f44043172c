"""Adapters against recorded fixture files: formats, time conventions, and bad values counted per source."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from smartcity.airquality import models as m
from smartcity.airquality.importer import import_payload
from smartcity.airquality.plugins.contrib.uba import cet_time, stations_table

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def reasons(source: str) -> dict[str, int]:
    return dict(m.RejectionCounter.objects.filter(source=source).values_list("reason", "count"))


def test_sensor_community_json_feed():
    result = import_payload("sensor.community", read("sensor_community_data.json"))
    assert result.stored == 4  # PM10, PM2.5, T, RH; pressure and indoor sensors ignored
    pm10 = m.Observation.objects.get(datastream__observed_property__code="PM10")
    assert pm10.result == 19.13
    assert pm10.phenomenon_time == datetime(2026, 1, 5, 7, 51, 12, tzinfo=UTC)  # UTC by convention
    assert pm10.datastream.data_class == "citizen"
    assert reasons("sensor.community") == {"out_of_range": 1, "not_numeric": 1, "malformed": 1}
    # re-importing the same feed changes nothing
    import_payload("sensor.community", read("sensor_community_data.json"))
    assert m.Observation.objects.count() == 4


def test_sensor_community_archive_csv():
    result = import_payload("sensor.community-archive", read("sensor_community_2026-01-05_sds011_sensor_2129.csv"))
    assert result.stored == 4 and len(result.rejected) == 1
    assert m.Thing.objects.get().properties["licence"] == "ODbL-1.0"


def test_uba_measures_with_station_table_and_cet_hours():
    stations = stations_table(read("uba_stations.json"))
    result = import_payload("uba", read("uba_measures.json"), stations=stations)
    assert result.stored == 4
    assert reasons("uba") == {"out_of_range": 1}
    cornelius = m.Thing.objects.get(properties__stationCode="DENW082")
    last = cornelius.datastreams.get().observations.order_by("-phenomenon_time").first()
    # "2026-01-05 24:00:00" CET = 23:00 UTC, stored as the interval 22:00–23:00 UTC
    assert last.phenomenon_time == datetime(2026, 1, 5, 23, tzinfo=UTC)
    assert last.phenomenon_start == datetime(2026, 1, 5, 22, tzinfo=UTC)
    assert cet_time("2026-01-05 01:00:00") == datetime(2026, 1, 5, 0, tzinfo=UTC)


def test_traffic_counts_csv():
    result = import_payload("traffic-csv", read("traffic_counts.csv"))
    assert result.stored == 2
    assert reasons("traffic-csv") == {"naive_timestamp": 1}
    assert sorted(m.Observation.objects.values_list("result", flat=True)) == [964.0, 1024.0]


def test_datex2_measured_data():
    result = import_payload("datex2", read("datex2_measured_data.xml"))
    assert result.stored == 3
    assert reasons("datex2") == {"naive_timestamp": 1}
    site = m.Thing.objects.get(properties__datex2Site="DUS-CORN-01")
    assert site.datastreams.count() == 3  # flow 11, speed 12, flow 21
    speed = m.Observation.objects.get(datastream__observed_property__code="SPEED")
    assert speed.result == 31.5


@pytest.mark.parametrize("adapter,payload", [
    ("sensor.community", b"{not json"), ("uba", b"[]"), ("traffic-csv", b"a;b\n1;2"), ("datex2", b"<oops"),
    ("datex2", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'),
])
def test_garbage_is_rejected_not_raised(adapter, payload):
    result = import_payload(adapter, payload)
    assert result.stored == 0 and result.rejected
    assert m.RejectionCounter.objects.filter(source=adapter).exists()
