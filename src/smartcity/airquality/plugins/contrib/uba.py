"""UBA air data API v3 (``/measures/json`` plus ``/stations/json`` for the station table).

The API speaks CET with hours 1–24: ``data[station_id]["<start CET>"] = [component, scope, value,
"<end CET>", index]``. Start and end become a UTC interval, stored by its end (hour-ending). Official data
under dl-de/zero-2-0 (LANUV); the current year's values are provisional until validated in Q2.
"""

import json
from datetime import datetime, timedelta

from ...domain.indicators import CET
from ...ingest import Reason, Rejection
from ..base import Parsed, Record, Station

# Component ids of the API's /components/json (5 = NO2 per the reference's example) [verify others there].
COMPONENTS = {1: "PM10", 3: "O3", 4: "SO2", 5: "NO2", 9: "PM2.5"}
HOURLY_SCOPE = 2  # "1SMW", one-hour average


def cet_time(text: str) -> datetime:
    """'2026-01-05 24:00:00' is the end of 5 January (UBA writes hour 24)."""
    day, _, clock = text.partition(" ")
    hour, minute, *_ = (clock or "00:00:00").split(":")
    base = datetime.fromisoformat(day).replace(tzinfo=CET)
    return base + timedelta(hours=int(hour), minutes=int(minute))


def stations_table(raw: bytes) -> dict[str, Station]:
    """Station id → Station from ``/stations/json`` (positional arrays: id, code, name, city, …, lon, lat)."""
    data = json.loads(raw).get("data", {})
    table = {}
    for sid, fields in data.items():
        table[str(sid)] = Station(
            key=f"uba:{fields[1]}", name=f"{fields[2]}", lon=float(fields[7]), lat=float(fields[8]),
            properties={"stationCode": fields[1], "city": fields[3], "network": "UBA/Länder",
                        "licence": "dl-de/zero-2-0"},
        )
    return table


class UbaAirData:
    key = "uba"
    data_class = "official"
    licence = "dl-zero-de/2.0"

    def parse(self, raw: bytes, *, stations: dict[str, Station] | None = None, **context: object) -> Parsed:
        out = Parsed()
        try:
            data = json.loads(raw)["data"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            out.rejected.append(Rejection(0, Reason.MALFORMED, f"not a measures response: {exc!r}"[:200]))
            return out
        stations = stations or {}
        i = 0
        for sid, series in data.items():
            station = stations.get(str(sid)) or Station(key=f"uba:{sid}", name=f"UBA-Station {sid}")
            for start_text, values in series.items():
                i += 1
                try:
                    component, scope, value, end_text = values[0], values[1], values[2], values[3]
                    code = COMPONENTS.get(int(component))
                    if code is None or int(scope) != HOURLY_SCOPE or value is None:
                        continue
                    out.records.append(Record(station, code, code, cet_time(end_text), value,
                                              start=cet_time(start_text), unit="µg/m³"))
                except (IndexError, TypeError, ValueError) as exc:
                    out.rejected.append(Rejection(i, Reason.MALFORMED, f"{sid}/{start_text}: {exc!r}"[:200]))
        return out
