"""Bring adapter records into the SensorThings model: find or create the station (Thing + Location) and the
datastream per (station, stream key), validate each value, then store through the shared ingest path."""

from django.db import transaction

from . import catalog, ingest
from .models import Datastream, Location, Sensor, Thing
from .plugins import registry
from .plugins.base import Parsed, Record, Station


def _thing(station: Station) -> Thing:
    thing = Thing.objects.filter(properties__sourceKey=station.key).first()
    if thing is None:
        thing = Thing.objects.create(name=station.name[:200], description=station.key,
                                     properties={**station.properties, "sourceKey": station.key})
        if station.lon is not None and station.lat is not None:
            loc = Location.objects.create(name=station.name[:200], description=station.key, lon=station.lon,
                                          lat=station.lat,
                                          location={"type": "Point", "coordinates": [station.lon, station.lat]})
            thing.locations.add(loc)
    return thing


def _datastream(record: Record, source: str, data_class: str, cache: dict) -> Datastream:
    key = (record.station.key, record.stream)
    if key not in cache:
        thing = _thing(record.station)
        ds = Datastream.objects.filter(thing=thing, properties__streamKey=record.stream).first()
        if ds is None:
            sensor, _ = Sensor.objects.get_or_create(name=f"Datenquelle {source}",
                                                     defaults={"description": f"Import über den Adapter {source}"})
            ds = Datastream.objects.create(
                thing=thing, sensor=sensor, observed_property=catalog.observed_property(record.code),
                name=f"{record.code} {thing.name}"[:200], description=f"{record.code} ({source})",
                unit_of_measurement=catalog.unit_json(record.code), data_class=data_class, source=source,
                properties={"streamKey": record.stream},
            )
        cache[key] = ds
    return cache[key]


def import_records(adapter_key: str, parsed: Parsed) -> ingest.IngestResult:
    adapter = registry.get(adapter_key)
    rows, rejected = [], list(parsed.rejected)
    cache: dict = {}
    with transaction.atomic():
        for i, record in enumerate(parsed.records):
            ds = _datastream(record, adapter.key, adapter.data_class, cache)
            try:
                ingest.Validator.unit(ds, record.unit)
                value = ingest.Validator.result(ds, record.value)
            except ingest.InvalidValue as exc:
                rejected.append(ingest.Rejection(i, exc.reason, f"{record.station.key}: {exc}"))
                continue
            rows.append(ingest.Row(ds.pk, record.end, record.start, value, None, record.quality, None,
                                   record.parameters))
        return ingest.ingest_rows(rows, rejected, source=adapter.key)


def import_payload(adapter_key: str, raw: bytes, **context: object) -> ingest.IngestResult:
    return import_records(adapter_key, registry.get(adapter_key).parse(raw, **context))
