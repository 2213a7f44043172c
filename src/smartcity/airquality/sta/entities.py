"""Entity sets of SensorThings API 1.1 mapped onto the models: properties, navigation, (de)serialisation."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import models as dj

from .. import models as m
from ..ingest import parse_time
from .odata import ODataError

Getter = Callable[[dj.Model], object]


def iso(ts: datetime | None) -> str | None:
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z") if ts else None


def interval(start: datetime | None, end: datetime | None) -> str | None:
    if end is None:
        return None
    return iso(end) if start is None or start == end else f"{iso(start)}/{iso(end)}"


@dataclass(frozen=True)
class Prop:
    name: str
    field: str | None  # ORM lookup for $filter/$orderby; None = not queryable
    get: Getter
    writable: str | None = None  # model field to set on create/PATCH
    required: bool = False


@dataclass(frozen=True)
class Nav:
    name: str
    target: str  # entity set name
    many: bool
    field: str  # ORM relation name on this model


@dataclass
class EntitySet:
    name: str
    singular: str
    model: type[dj.Model]
    props: dict[str, Prop] = field(default_factory=dict)
    navs: dict[str, Nav] = field(default_factory=dict)


def _attr(name: str) -> Getter:
    return lambda obj: getattr(obj, name)


def _p(name: str, fld: str, *, required: bool = False, writable: bool = True) -> Prop:
    return Prop(name, fld, _attr(fld), fld if writable else None, required)


_COMMON = (_p("name", "name", required=True), _p("description", "description", required=True))
_PROPS = _p("properties", "properties")

QUALITY_NAME = {q.value: q.name.lower() for q in m.Quality}

ENTITY_SETS: dict[str, EntitySet] = {
    es.name: es
    for es in (
        EntitySet("Things", "Thing", m.Thing, {p.name: p for p in (*_COMMON, _PROPS)}, {
            "Locations": Nav("Locations", "Locations", True, "locations"),
            "HistoricalLocations": Nav("HistoricalLocations", "HistoricalLocations", True, "historical_locations"),
            "Datastreams": Nav("Datastreams", "Datastreams", True, "datastreams"),
        }),
        EntitySet("Locations", "Location", m.Location, {p.name: p for p in (
            *_COMMON, _p("encodingType", "encoding_type", required=True), _p("location", "location", required=True),
            _PROPS)}, {
            "Things": Nav("Things", "Things", True, "things"),
            "HistoricalLocations": Nav("HistoricalLocations", "HistoricalLocations", True, "historical_locations"),
        }),
        EntitySet("HistoricalLocations", "HistoricalLocation", m.HistoricalLocation, {
            "time": Prop("time", "time", lambda o: iso(o.time), "time", True)}, {
            "Thing": Nav("Thing", "Things", False, "thing"),
            "Locations": Nav("Locations", "Locations", True, "locations"),
        }),
        EntitySet("Datastreams", "Datastream", m.Datastream, {p.name: p for p in (
            *_COMMON, _p("unitOfMeasurement", "unit_of_measurement", required=True),
            _p("observationType", "observation_type", required=True), _p("observedArea", "observed_area"),
            Prop("phenomenonTime", "phenomenon_end", lambda o: interval(o.phenomenon_start, o.phenomenon_end)),
            Prop("resultTime", "result_time_end", lambda o: interval(o.result_time_start, o.result_time_end)),
            _PROPS)}, {
            "Thing": Nav("Thing", "Things", False, "thing"),
            "Sensor": Nav("Sensor", "Sensors", False, "sensor"),
            "ObservedProperty": Nav("ObservedProperty", "ObservedProperties", False, "observed_property"),
            "Observations": Nav("Observations", "Observations", True, "observations"),
        }),
        EntitySet("Sensors", "Sensor", m.Sensor, {p.name: p for p in (
            *_COMMON, _p("encodingType", "encoding_type", required=True), _p("metadata", "metadata", required=True),
            _PROPS)}, {"Datastreams": Nav("Datastreams", "Datastreams", True, "datastreams")}),
        EntitySet("ObservedProperties", "ObservedProperty", m.ObservedProperty, {p.name: p for p in (
            _p("name", "name", required=True), _p("definition", "definition", required=True),
            _p("description", "description", required=True), _PROPS)},
            {"Datastreams": Nav("Datastreams", "Datastreams", True, "datastreams")}),
        EntitySet("Observations", "Observation", m.Observation, {p.name: p for p in (
            Prop("phenomenonTime", "phenomenon_time", lambda o: interval(o.phenomenon_start, o.phenomenon_time)),
            Prop("resultTime", "result_time", lambda o: iso(o.result_time)),
            Prop("result", "result", _attr("result")),
            Prop("resultQuality", None, lambda o: QUALITY_NAME[o.quality]),
            Prop("parameters", None, _attr("parameters")),
        )}, {
            "Datastream": Nav("Datastream", "Datastreams", False, "datastream"),
            "FeatureOfInterest": Nav("FeatureOfInterest", "FeaturesOfInterest", False, "feature_of_interest"),
        }),
        EntitySet("FeaturesOfInterest", "FeatureOfInterest", m.FeatureOfInterest, {p.name: p for p in (
            *_COMMON, _p("encodingType", "encoding_type", required=True), _p("feature", "feature", required=True),
            _PROPS)}, {"Observations": Nav("Observations", "Observations", True, "observations")}),
    )
}
SINGULAR = {es.singular: es for es in ENTITY_SETS.values()}


def entity_set_for_model(model: type[dj.Model]) -> EntitySet:
    for es in ENTITY_SETS.values():
        if es.model is model:
            return es
    raise KeyError(model)


def orm_path(es: EntitySet, parts: tuple[str, ...]) -> tuple[str, EntitySet, Prop | None]:
    """Resolve ``Datastream/Thing/name`` to ``datastream__thing__name``; returns the final property too."""
    lookups: list[str] = []
    current = es
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part in {"id", "@iot.id"} and last:
            return "__".join([*lookups, "pk"]), current, None
        if part in current.navs and not last:
            nav = current.navs[part]
            lookups.append(nav.field)
            current = ENTITY_SETS[nav.target]
            continue
        if part in current.navs and last:
            return "__".join([*lookups, current.navs[part].field]), ENTITY_SETS[current.navs[part].target], None
        prop = current.props.get(part)
        if prop is None or (not last and prop.field not in {"properties", "unit_of_measurement", "parameters"}):
            raise ODataError(f"{current.singular} has no property {part!r}")
        if prop.field is None:
            raise ODataError(f"{current.singular}/{part} cannot be used in queries")
        rest = list(parts[i + 1:])  # JSON keys inside properties/unitOfMeasurement
        return "__".join([*lookups, prop.field, *rest]), current, prop
    raise ODataError("empty property path")


def coerce(prop: Prop | None, value: object) -> object:
    """Literals for time properties may come as strings."""
    if prop is not None and prop.name in {"phenomenonTime", "resultTime", "time"} and isinstance(value, str):
        try:
            return parse_time(value)
        except ValueError as exc:
            raise ODataError(str(exc))
    return value
