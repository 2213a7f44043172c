"""Parking publishes zones and permit statistics through the open data portal's publisher registry."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from smartcity.opendata import publishers
from smartcity.opendata.models import Dataset
from smartcity.opendata.tests.conftest import orgs  # noqa: F401  (fixture)
from smartcity.parking import publication
from smartcity.parking.testing import make_zone

pytestmark = pytest.mark.django_db


def test_both_publishers_are_registered_with_dataset_metadata():
    registered = publishers.registered()
    assert registered["parking-zones"].dataset["name"] == "bewohnerparkgebiete"
    assert registered["parking-permit-statistics"].dataset["name"] == "bewohnerparkausweise-statistik"


def test_zones_are_published_as_geojson_with_demo_flag(orgs, django_capture_on_commit_callbacks):  # noqa: F811
    make_zone("GP", "Golzheimer Platz")
    with django_capture_on_commit_callbacks(execute=True):
        [dataset] = publishers.run("parking-zones")
    resource = dataset.resources.get(state="active")
    assert resource.format == "GEOJSON"
    content = json.loads(publication.zones_publication().content)
    [feature] = content["features"]
    assert feature["properties"]["code"] == "GP" and feature["geometry"]["type"] == "Polygon"
    assert "demo" in feature["properties"]
    assert Dataset.objects.get(name="bewohnerparkgebiete").publisher_key == "parking-zones"


def test_statistics_csv_carries_only_aggregates(monkeypatch):
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    monkeypatch.setattr(publication, "monthly_zone_statistics", lambda: [
        {"month": last_month, "zone": "GP", "permits_issued": 12, "automated_share": 0.92,
         "median_minutes_to_issue": 1.5, "suppressed": False},
        {"month": last_month, "zone": "HO", "permits_issued": None, "automated_share": None,
         "median_minutes_to_issue": None, "suppressed": True},
    ])
    rows = list(csv.DictReader(io.StringIO(publication.statistics_publication().content.decode()), delimiter=";"))
    assert rows[0] == {"month": last_month, "zone": "GP", "permits_issued": "12", "automated_share": "0.92",
                       "median_minutes_to_issue": "1.5", "suppressed": "false"}
    assert rows[1]["permits_issued"] == "" and rows[1]["suppressed"] == "true"
