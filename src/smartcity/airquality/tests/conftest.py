import base64

import pytest
from django.contrib.auth.models import Permission

from smartcity.airquality import models as m


@pytest.fixture
def sta_auth(django_user_model):
    user = django_user_model.objects.create_user(username="gateway", password="Sensor-Passwort-1")
    user.user_permissions.add(Permission.objects.get(codename="add_observation"))
    token = base64.b64encode(b"gateway:Sensor-Passwort-1").decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


@pytest.fixture
def no2_stream(db):
    thing = m.Thing.objects.create(name="Corneliusstraße", description="DENW082")
    loc = m.Location.objects.create(
        name="Corneliusstraße", location={"type": "Point", "coordinates": [6.7936, 51.2123]}, lon=6.7936, lat=51.2123
    )
    thing.locations.add(loc)
    op = m.ObservedProperty.objects.create(
        name="NO2", code="NO2", definition="http://dd.eionet.europa.eu/vocabulary/aq/pollutant/8",
        unit_symbol="µg/m³", plausible_min=0, plausible_max=1000,
    )
    sensor = m.Sensor.objects.create(name="Chemilumineszenz", metadata="https://example.org")
    return m.Datastream.objects.create(
        name="NO2 Corneliusstraße", thing=thing, sensor=sensor, observed_property=op,
        unit_of_measurement={"name": "microgram per cubic metre", "symbol": "µg/m³"},
    )
