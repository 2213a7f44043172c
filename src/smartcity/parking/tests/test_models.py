import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from smartcity.accounts.models import User
from smartcity.parking.models import Address, Application, Permit, Zone

pytestmark = pytest.mark.django_db


def _zone() -> Zone:
    return Zone.objects.create(code="HO", name="Hauptbahnhof Ost", active_from=dt.date(2021, 6, 1),
                               applications_open_from=dt.date(2021, 5, 1))


def _permit(holder: User, plate: str, zone: Zone, n: int) -> Permit:
    app = Application.objects.create(reference=f"T-{n}", applicant=holder, plate=plate, vin_suffix="1234", months=12)
    return Permit.objects.create(number=f"P-{n}", holder=holder, plate=plate, zone=zone, application=app,
                                 valid_from=dt.date(2026, 1, 1), valid_until=dt.date(2026, 12, 31),
                                 issued_at=timezone.now())


def test_address_stores_utm32_coordinates():
    a = Address.objects.create(street="Kaiserstr.", house_number="5", postcode="40479", lon=6.7794, lat=51.2335)
    assert a.street_key == "kaiserstrasse"
    assert 344_000 < a.easting < 346_000
    assert 5_677_000 < a.northing < 5_679_000


def test_one_active_permit_per_person_and_per_plate():
    zone = _zone()
    erika = User.objects.create(username="erika")
    max_ = User.objects.create(username="max")
    first = _permit(erika, "D-EM 1234", zone, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _permit(erika, "D-EM 9999", zone, 2)
    with pytest.raises(IntegrityError), transaction.atomic():
        _permit(max_, "D-EM 1234", zone, 3)
    Permit.objects.filter(pk=first.pk).update(status=Permit.Status.REPLACED)
    _permit(erika, "D-EM 1234", zone, 4)  # the old one is no longer active
