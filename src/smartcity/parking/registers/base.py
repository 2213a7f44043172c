"""Plugin interfaces for the registers a permit decision reads: the Melderegister and the vehicle register.

A city connects its real services (e.g. an XMeld/OSCI gateway for the Melderegister, the local or central
vehicle register via its Kfz-Auskunft interface) by writing one class per register with the method below
and naming it in PARKING_POPULATION_REGISTER / PARKING_VEHICLE_REGISTER (see docs/parking.md).

Rules for implementations:
* answer "not found" with ``found=False``; never raise for that;
* raise ``RegisterUnavailable`` for timeouts, connection errors and server errors: the application then
  waits ("wartet auf Register") and is retried with backoff; it is never rejected because of an outage;
* honour ``timeout`` (seconds) for the whole call.
"""

import datetime as dt
import unicodedata
from abc import ABC, abstractmethod
from dataclasses import dataclass


class RegisterUnavailable(Exception):
    """The register did not answer in time or answered with an error."""


@dataclass(frozen=True)
class PersonQuery:
    family_name: str
    given_names: str
    birth_date: dt.date | None
    external_id: str = ""  # e.g. BundID bPK2, if the register can search by it


@dataclass(frozen=True)
class RegisteredResidence:
    street: str
    house_number: str
    postcode: str
    city: str
    residence_type: str  # "haupt" | "neben"


@dataclass(frozen=True)
class PersonAnswer:
    found: bool
    residences: tuple[RegisteredResidence, ...] = ()
    auskunftssperre: bool = False


@dataclass(frozen=True)
class Keeper:
    family_name: str = ""
    given_names: str = ""
    birth_date: dt.date | None = None
    organisation: str = ""

    @property
    def label(self) -> str:
        return self.organisation or f"{self.given_names} {self.family_name}".strip()


@dataclass(frozen=True)
class VehicleAnswer:
    found: bool
    plate: str = ""
    keeper: Keeper = Keeper()
    vin_suffix: str = ""  # last 4 characters of the VIN
    vehicle_class: str = ""  # EU vehicle category: M1, N1, L3e, O1 …
    length_mm: int | None = None
    district: str = ""  # Unterscheidungszeichen of the registration district, e.g. "D"


class PopulationRegister(ABC):
    name: str = ""

    @abstractmethod
    def lookup_person(self, query: PersonQuery, *, timeout: float) -> PersonAnswer:
        """The person's residences and disclosure block."""


class VehicleRegister(ABC):
    name: str = ""

    @abstractmethod
    def lookup_vehicle(self, plate: str, *, timeout: float) -> VehicleAnswer:
        """The vehicle registered under ``plate`` (canonical form "D-AB 1234")."""


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold().replace("ß", "ss")


def keeper_is(keeper: Keeper, query: PersonQuery) -> bool:
    """Whether the registered keeper is the applicant: same family name, first given name and birth date."""
    if keeper.organisation or not keeper.family_name:
        return False
    first = (_norm(query.given_names).split() or [""])[0]
    return (_norm(keeper.family_name) == _norm(query.family_name)
            and first in _norm(keeper.given_names).split()
            and keeper.birth_date is not None and keeper.birth_date == query.birth_date)
