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


def test_station_page_and_csv_show_alert_episodes_and_ozone_target_days(client, no2_stream,
                                                                        django_capture_on_commit_callbacks):
    from datetime import UTC, datetime, timedelta

    from smartcity.airquality import ingest

    thing = no2_stream.thing
    o3 = m.Datastream.objects.create(
        name="O3 Corneliusstraße", thing=thing, sensor=no2_stream.sensor,
        observed_property=m.ObservedProperty.objects.create(name="O3", code="O3", unit_symbol="µg/m³",
                                                            plausible_min=0, plausible_max=1000),
    )
    start = datetime(2026, 7, 1, 23, tzinfo=UTC)  # 2 July 00:00 CET
    hours = [start + timedelta(hours=h) for h in range(1, 49)]  # 2 and 3 July
    o3_values = [250.0 if h == 14 else 130.0 for h in range(48)]  # every 8-h mean above 120; one alert hour
    no2_values = [410.0 if 10 <= h < 13 else 30.0 for h in range(48)]  # one episode of three hours above 400
    rows = [ingest.Row(o3.pk, t, None, v, None, 0, None, None) for t, v in zip(hours, o3_values, strict=True)]
    rows += [ingest.Row(no2_stream.pk, t, None, v, None, 0, None, None)
             for t, v in zip(hours, no2_values, strict=True)]
    with django_capture_on_commit_callbacks(execute=True):
        ingest.ingest_rows(rows, [], source="test")

    from smartcity.airquality import reports

    no2 = {(lv.kind, lv.value): ex.count for lv, ex in reports.stream_report(no2_stream).exceedances}
    assert no2[("alert", 400)] == 1 and no2[("limit", 200)] == 3
    o3_report = reports.stream_report(o3)
    o3_counts = {(lv.kind, lv.value): ex.count for lv, ex in o3_report.exceedances}
    assert o3_counts[("alert", 240)] == 1 and o3_counts[("information", 180)] == 1
    [(target, days)] = [(lv, td) for lv, td in o3_report.target_days if lv.regime == "2008/50/EG"]
    assert days.per_year == {2024: 0, 2025: 0, 2026: 2}
    assert days.count is None  # two days of one summer are no valid year: not assessable

    page = client.get(f"/luft/station/{thing.pk}/").content.decode()
    assert "Episoden von mindestens 3 Stunden in Folge" in page
    assert "2026: 2 (nicht gültig)" in page and "höchster 8-Stunden-Mittelwert" in page
    csv = client.get(f"/luft/station/{thing.pk}/?format=csv&ds={o3.pk}&res=daily").content.decode().splitlines()
    assert csv[0] == "day_cet;mean_ug_m3;valid_hours;max_8h_mean_ug_m3"
    assert csv[1].startswith("2026-07-02;") and csv[1].split(";")[3] != ""
