"""Local simulators of the Melderegister and the vehicle register, backed by editable demo tables.

A record's ``simulate`` field provokes an outage ("timeout" or "error") for demos and tests.
"""

from django.db.models import Q

from smartcity.core.rows import RowLoader

from ...base import (
    Keeper,
    PersonAnswer,
    PersonQuery,
    PopulationRegister,
    RegisteredResidence,
    RegisterUnavailable,
    VehicleAnswer,
    VehicleRegister,
)
from .models import SimulatedOutage, SimulatedResident, SimulatedVehicle


def _raise_if_simulated(value: str, register: str) -> None:
    if value == SimulatedOutage.TIMEOUT:
        raise RegisterUnavailable(f"{register}: Zeitüberschreitung (simuliert)")
    if value == SimulatedOutage.ERROR:
        raise RegisterUnavailable(f"{register}: Fehler 503 (simuliert)")


class SimulatedMelderegister(PopulationRegister):
    name = "simulator"

    def lookup_person(self, query: PersonQuery, *, timeout: float) -> PersonAnswer:
        first = (query.given_names.split() or [""])[0]
        rows = list(SimulatedResident.objects.filter(
            Q(given_names__iexact=query.given_names) | Q(given_names__istartswith=f"{first} "),
            family_name__iexact=query.family_name.strip(), birth_date=query.birth_date,
        ))
        for row in rows:
            _raise_if_simulated(row.simulate, "Melderegister")
        if not rows:
            return PersonAnswer(found=False)
        return PersonAnswer(
            found=True,
            residences=tuple(RegisteredResidence(r.street, r.house_number, r.postcode, r.city, r.residence_type)
                             for r in rows),
            auskunftssperre=any(r.auskunftssperre for r in rows),
        )


_VEHICLE_BY_PLATE = RowLoader(SimulatedVehicle, by=("plate",))  # unique; written once per process (core.rows)


class SimulatedVehicleRegister(VehicleRegister):
    name = "simulator"

    def lookup_vehicle(self, plate: str, *, timeout: float) -> VehicleAnswer:
        row = _VEHICLE_BY_PLATE.find(plate)
        if row is None:
            return VehicleAnswer(found=False)
        _raise_if_simulated(row.simulate, "Fahrzeugregister")
        return VehicleAnswer(
            found=True, plate=row.plate,
            keeper=Keeper(row.keeper_family_name, row.keeper_given_names, row.keeper_birth_date,
                          row.keeper_organisation),
            vin_suffix=row.vin[-4:].upper(), vehicle_class=row.vehicle_class, length_mm=row.length_mm,
            district=row.plate.split("-", 1)[0],
        )
