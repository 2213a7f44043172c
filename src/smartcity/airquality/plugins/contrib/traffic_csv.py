"""Traffic counts as CSV: ``site_id;site_name;lat;lon;interval_end;interval_minutes;vehicles``.

``interval_end`` must carry a zone (ISO 8601 with offset); counts become a flow rate in vehicles per hour.
"""

import csv
import io
from datetime import timedelta

from ...ingest import InvalidValue, Reason, Rejection, parse_time
from ..base import Parsed, Record, Station

COLUMNS = {"site_id", "site_name", "lat", "lon", "interval_end", "interval_minutes", "vehicles"}


class TrafficCountsCsv:
    key = "traffic-csv"
    data_class = "traffic"
    licence = "dl-zero-de/2.0"

    def parse(self, raw: bytes, **context: object) -> Parsed:
        out = Parsed()
        text = raw.decode("utf-8-sig", errors="replace")
        reader = csv.DictReader(io.StringIO(text), delimiter=";")
        if not COLUMNS <= set(reader.fieldnames or ()):
            out.rejected.append(Rejection(0, Reason.MALFORMED, f"CSV needs the columns {', '.join(sorted(COLUMNS))}"))
            return out
        for i, row in enumerate(reader):
            try:
                minutes = int(row["interval_minutes"])
                if minutes <= 0:
                    raise ValueError("interval_minutes must be positive")
                end = parse_time(row["interval_end"], "interval_end")
                station = Station(key=f"traffic:{row['site_id']}", name=row["site_name"] or row["site_id"],
                                  lon=float(row["lon"]), lat=float(row["lat"]), properties={"type": "traffic-counter"})
                flow = float(row["vehicles"]) * 60 / minutes
                out.records.append(Record(station, "FLOW", "FLOW", end, flow, start=end - timedelta(minutes=minutes),
                                          unit="Kfz/h", parameters={"vehicles": int(row["vehicles"])}))
            except InvalidValue as exc:
                out.rejected.append(Rejection(i, exc.reason, f"row {i + 2}: {exc}"))
            except (KeyError, TypeError, ValueError) as exc:
                out.rejected.append(Rejection(i, Reason.MALFORMED, f"row {i + 2}: {exc}"[:200]))
        return out
