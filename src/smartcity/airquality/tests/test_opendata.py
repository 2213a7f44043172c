import io

import pytest

from smartcity.airquality import demo
from smartcity.airquality.opendata import publish_all
from smartcity.opendata.models import Dataset

pytestmark = pytest.mark.django_db


def test_daily_and_annual_aggregates_published_with_the_source_licence(monkeypatch,
                                                                      django_capture_on_commit_callbacks):
    monkeypatch.setattr(demo, "DAYS", 4)
    monkeypatch.setattr(demo, "series", lambda code, level, hours, rng: [(t, level) for t in hours])
    with django_capture_on_commit_callbacks(execute=True):  # the aggregate refresh queued by ingest
        demo.load(io.StringIO())
    publish_all()
    publish_all()  # refreshing replaces the resource, no duplicates
    official = Dataset.objects.get(name="luftqualitaet-tagesmittel-amtlich")
    citizen = Dataset.objects.get(name="luftqualitaet-tagesmittel-buergersensoren")
    annual = Dataset.objects.get(name="luftqualitaet-jahreskenngroessen-amtlich")
    assert official.license_id.endswith("dl-zero-de/2.0") and citizen.license_id.endswith("odbl")
    assert official.resources.filter(state="active").count() == 1
    daily = official.resources.get(state="active").file.read().decode()
    assert daily.splitlines()[0] == "station;pollutant;day_cet;mean_ug_m3;valid_hours;valid"
    assert "Corneliusstraße;NO2;" in daily and "sensor.community" not in daily
    yearly = annual.resources.get(state="active").file.read().decode()
    assert "Corneliusstraße;NO2;" in yearly and ";nein;" in yearly  # a few days are far from 90 % capture
