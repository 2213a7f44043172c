"""Which register plugins are in use (settings PARKING_POPULATION_REGISTER / PARKING_VEHICLE_REGISTER).

A setting holds a short name registered here or a dotted path to a class, so a city can plug in its own
connector without touching this package.
"""

from django.conf import settings
from django.utils.module_loading import import_string

from .base import PopulationRegister, VehicleRegister

POPULATION_REGISTERS = {"simulator": "smartcity.parking.registers.contrib.simulator.plugin.SimulatedMelderegister"}
VEHICLE_REGISTERS = {"simulator": "smartcity.parking.registers.contrib.simulator.plugin.SimulatedVehicleRegister"}


def population_register() -> PopulationRegister:
    key = settings.PARKING_POPULATION_REGISTER
    return import_string(POPULATION_REGISTERS.get(key, key))()


def vehicle_register() -> VehicleRegister:
    key = settings.PARKING_VEHICLE_REGISTER
    return import_string(VEHICLE_REGISTERS.get(key, key))()


def timeout() -> float:
    return float(settings.PARKING_REGISTER_TIMEOUT_SECONDS)
