import io

import pytest

from smartcity.airquality import demo
from smartcity.airquality import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_data(monkeypatch):
    monkeypatch.setattr(demo, "DAYS", 8)
    demo.load(io.StringIO())


def test_demo_is_idempotent_and_has_gaps(demo_data):
    count = m.Observation.objects.count()
    demo.load(io.StringIO())
    assert m.Observation.objects.count() == count
    ds = m.Datastream.objects.get(thing__name="Corneliusstraße", observed_property__code="NO2")
    assert ds.observations.count() < 8 * 24  # gaps
    assert m.DailyAggregate.objects.filter(datastream=ds, mean__isnull=True).exists() or \
        m.DailyAggregate.objects.filter(datastream=ds).count() < 8  # the outage invalidates days


def test_dashboard_map_table_and_csv(client, demo_data):
    res = client.get("/luft/")
    assert res.status_code == 200
    assert "Corneliusstraße" in res.content.decode() and 'id="aq-map-data"' in res.content.decode()
    csv = client.get("/luft/?format=csv")
    assert csv["Content-Type"].startswith("text/csv") and b"DENW082" in csv.content


def test_station_page_shows_annual_status_and_csv(client, demo_data):
    thing = m.Thing.objects.get(name="Corneliusstraße")
    page = client.get(f"/luft/station/{thing.pk}/").content.decode()
    assert "nicht gültig" in page  # 8 days cannot reach 90 % capture of the year
    assert "(EU) 2024/2881" in page
    ds = thing.datastreams.first()
    csv = client.get(f"/luft/station/{thing.pk}/?format=csv&ds={ds.pk}&res=hourly")
    assert csv.content.decode().splitlines()[0] == "hour_end_cet;mean_ug_m3"
    assert client.get("/luft/station/999999/").status_code == 404


def test_compare_limits_and_health(client, demo_data):
    page = client.get("/luft/vergleich/?pollutant=NO2&window=7")
    assert page.status_code == 200 and "Lörick" in page.content.decode()
    assert client.get("/luft/vergleich/?pollutant=XX&window=abc").status_code == 200
    assert b"day_cet" in client.get("/luft/vergleich/?format=csv").content
    assert b"2008/50" in client.get("/luft/grenzwerte/?format=csv").content
    m.RejectionCounter.objects.create(source="mqtt", reason="too_large", count=2)
    assert "Nachricht zu groß" in client.get("/luft/datenqualitaet/").content.decode()
