"""Test and demo helpers: a zone with an address, a registered resident and their car in the simulators."""

import datetime as dt
from typing import Any

from .models import Address, SimulatedResident, SimulatedVehicle, Zone


def square(lon: float, lat: float, half: float = 0.004) -> dict[str, Any]:
    """A small square polygon (GeoJSON, WGS84) around a point."""
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_zone(code: str = "GP", name: str = "Golzheimer Platz", lon: float = 6.7790, lat: float = 51.2335,
              **fields: Any) -> Zone:
    values = {"name": name, "geometry": square(lon, lat), "active_from": dt.date(2021, 6, 1),
              "applications_open_from": dt.date(2021, 5, 1), "hours": "Mo–Sa 9–20 Uhr"}
    values.update(fields)
    zone, _ = Zone.objects.update_or_create(code=code, defaults=values)
    return zone


def make_address(street: str = "Kaiserstraße", house_number: str = "5", postcode: str = "40479",
                 lon: float = 6.7790, lat: float = 51.2335) -> Address:
    from .zones import assign_zone, find_address

    address = find_address(street, house_number, postcode) or Address(street=street, house_number=house_number,
                                                                      postcode=postcode, lon=lon, lat=lat)
    address.lon, address.lat = lon, lat
    assign_zone(address, save=False)
    address.save()
    return address


def register_resident(user: Any, *, street: str = "Kaiserstraße", house_number: str = "5", postcode: str = "40479",
                      residence_type: str = "haupt", **fields: Any) -> SimulatedResident:
    return SimulatedResident.objects.create(
        family_name=user.last_name, given_names=user.first_name, birth_date=user.birth_date, street=street,
        house_number=house_number, postcode=postcode, residence_type=residence_type, **fields)


def register_vehicle(plate: str, keeper: Any = None, *, vin: str = "WVWZZZ1KZ8W004711", **fields: Any
                     ) -> SimulatedVehicle:
    values: dict[str, Any] = {"vin": vin, "vehicle_class": "M1", "length_mm": 4250, "make": "VW Golf"}
    if keeper is not None:
        values.update(keeper_family_name=keeper.last_name, keeper_given_names=keeper.first_name,
                      keeper_birth_date=keeper.birth_date)
    values.update(fields)
    vehicle, _ = SimulatedVehicle.objects.update_or_create(plate=plate, defaults=values)
    return vehicle
