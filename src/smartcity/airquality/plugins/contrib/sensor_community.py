"""sensor.community (formerly luftdaten.info): the JSON feeds and the daily CSV archive files.

Timestamps are UTC without a zone designator (documented by the project), values arrive as strings.
Citizen data is indicative only: its datastreams carry data_class "citizen" and never feed legal indicators.
"""

import csv
import io
import json
from datetime import UTC, datetime

from ...ingest import Reason, Rejection
from ..base import Parsed, Record, Station

VALUE_TYPES = {"P1": "PM10", "P2": "PM2.5", "temperature": "T", "humidity": "RH"}
UNITS = {"PM10": "µg/m³", "PM2.5": "µg/m³", "T": "°C", "RH": "%"}


def _utc(text: str) -> datetime:
    ts = datetime.fromisoformat(text.replace(" ", "T"))
    if ts.tzinfo is not None:
        return ts.astimezone(UTC)
    return ts.replace(tzinfo=UTC)  # the source's documented convention


def _station(sensor_id: object, lat: object, lon: object, sensor_type: str, extra: dict) -> Station:
    return Station(
        key=f"sensor.community:{sensor_id}", name=f"sensor.community {sensor_id} ({sensor_type})",
        lon=float(lon) if lon not in (None, "") else None, lat=float(lat) if lat not in (None, "") else None,
        properties={"dataClass": "citizen", "sensorType": sensor_type, "licence": "ODbL-1.0",
                    "attribution": "Contains information from Sensor.Community", **extra},
    )


class SensorCommunityJson:
    key = "sensor.community"
    data_class = "citizen"
    licence = "odbl"

    def parse(self, raw: bytes, **context: object) -> Parsed:
        out = Parsed()
        try:
            entries = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            out.rejected.append(Rejection(0, Reason.MALFORMED, f"malformed JSON: {exc}"))
            return out
        if not isinstance(entries, list):
            out.rejected.append(Rejection(0, Reason.MALFORMED, "expected a JSON array of measurements"))
            return out
        for i, entry in enumerate(entries):
            try:
                sensor, loc = entry["sensor"], entry["location"]
                if loc.get("indoor"):
                    continue  # indoor sensors say nothing about outdoor air
                station = _station(sensor["id"], loc.get("latitude"), loc.get("longitude"),
                                   sensor["sensor_type"]["name"], {"exactLocation": bool(loc.get("exact_location"))})
                end = _utc(entry["timestamp"])
                for value in entry["sensordatavalues"]:
                    code = VALUE_TYPES.get(value["value_type"])
                    if code:
                        out.records.append(Record(station, code, code, end, value["value"], unit=UNITS[code]))
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                out.rejected.append(Rejection(i, Reason.MALFORMED, f"entry {i}: {exc!r}"[:200]))
        return out


class SensorCommunityArchiveCsv:
    """One file per sensor and day from archive.sensor.community (semicolon-separated)."""

    key = "sensor.community-archive"
    data_class = "citizen"
    licence = "odbl"

    def parse(self, raw: bytes, **context: object) -> Parsed:
        out = Parsed()
        try:
            reader = csv.DictReader(io.StringIO(raw.decode("utf-8")), delimiter=";")
        except UnicodeDecodeError as exc:
            out.rejected.append(Rejection(0, Reason.MALFORMED, f"not UTF-8: {exc}"))
            return out
        for i, row in enumerate(reader):
            try:
                station = _station(row["sensor_id"], row.get("lat"), row.get("lon"), row["sensor_type"],
                                   {"locationId": row.get("location")})
                end = _utc(row["timestamp"])
                for column, code in VALUE_TYPES.items():
                    if row.get(column) not in (None, ""):
                        params = {k: row[k] for k in (f"dur{column}", f"ratio{column}") if row.get(k)}
                        out.records.append(Record(station, code, code, end, row[column], unit=UNITS[code],
                                                  parameters=params or None))
            except (KeyError, TypeError, ValueError) as exc:
                out.rejected.append(Rejection(i, Reason.MALFORMED, f"row {i + 2}: {exc!r}"[:200]))
        return out
