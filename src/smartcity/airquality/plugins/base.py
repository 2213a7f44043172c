"""The adapter interface: a source turns its raw payload into ``Record``s in SI-free, zone-aware terms.

Adapters only translate formats and time conventions; validation (units, ranges), storage, aggregates and
the rejection counters are the shared ingest path's job (``importer.import_records``).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar, Protocol

from ..ingest import Rejection


@dataclass(frozen=True)
class Station:
    key: str  # unique across sources, e.g. "uba:DENW082", "sensor.community:2129"
    name: str
    lon: float | None = None
    lat: float | None = None
    properties: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Record:
    station: Station
    stream: str  # datastream key within the station, e.g. "NO2" or "FLOW-11"
    code: str  # observed property code (catalog.PROPERTIES)
    end: datetime  # aware; end of the averaging period (or the instant)
    value: object  # validated by the ingest path (strings from sensor.community included)
    start: datetime | None = None
    unit: str | None = None  # the unit the source declares, checked against the property's unit
    quality: int = 0
    parameters: dict | None = None


@dataclass
class Parsed:
    records: list[Record] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)


class Adapter(Protocol):
    key: ClassVar[str]  # also the ingest source name in the counters
    data_class: ClassVar[str]  # DataClass value
    licence: ClassVar[str]  # dcat-ap.de licence id for open data

    def parse(self, raw: bytes, **context: object) -> Parsed: ...


def reject_all(items: Iterable[object], reason: str, message: str) -> list[Rejection]:
    return [Rejection(i, reason, message) for i, _ in enumerate(items)]
