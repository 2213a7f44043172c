import datetime as dt

import pytest

from smartcity.accounts.models import TrustLevel, User
from smartcity.parking.testing import make_address, make_zone, register_resident, register_vehicle


@pytest.fixture
def zone(db):
    return make_zone()


@pytest.fixture
def citizen(db):
    return User.objects.create_user(username="erika", password="Test-Passwort-1", email="erika@example.org",
                                    first_name="Erika", last_name="Mustermann", birth_date=dt.date(1964, 8, 12),
                                    trust_level=TrustLevel.SUBSTANTIAL, street="Kaiserstraße", house_number="5",
                                    postcode="40479", city="Düsseldorf")


@pytest.fixture
def resident(zone, citizen):
    """Erika registered at Kaiserstraße 5 (in zone GP) with her own car D-EM 1234 (VIN ends 4711)."""
    make_address()
    register_resident(citizen)
    register_vehicle("D-EM 1234", citizen)
    return citizen
