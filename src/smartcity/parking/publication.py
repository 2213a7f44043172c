"""Resident parking as open data: the zones (GeoJSON) and the monthly permit statistics (CSV).

Registered with the open data portal's publisher registry in ``ParkingAppConfig.ready()``; only aggregates
from ``statistics.py`` and zone geometry leave this module, never a permit or a person.
"""

import csv
import io
import json

from smartcity.opendata.publishers import Publication

from .models import Zone
from .statistics import FIELDS, monthly_zone_statistics

_COMMON = {
    "owner_org": "duesseldorf",
    "tags": ["Parken", "Bewohnerparken", "Mobilität"],
    "groups": ["tran"],
    "maintainer": "Amt für Verkehrsmanagement",
    "maintainer_email": "verkehrsmanagement@duesseldorf.de",
}
ZONES_DATASET = {
    **_COMMON,
    "name": "bewohnerparkgebiete",
    "title": "Bewohnerparkgebiete",
    "notes": "Gebiete mit Bewohnerparkvorrechten (§ 45 Abs. 1b Nr. 2a StVO): Kürzel, Name, Regelung, "
             "Bewirtschaftungszeiten und Gültigkeit, als GeoJSON (WGS84). Gebiete mit dem Merkmal "
             "demo=true haben synthetische Geometrie (Demodaten).",
    "frequency": "MONTHLY",
}
STATISTICS_DATASET = {
    **_COMMON,
    "name": "bewohnerparkausweise-statistik",
    "title": "Bewohnerparkausweise: Ausstellungen je Gebiet und Monat",
    "notes": "Je Bewohnerparkgebiet und abgeschlossenem Monat: ausgestellte Ausweise, Anteil der vollautomatisch "
             "entschiedenen Anträge und Median der Minuten vom Antrag bis zur Ausstellung. Felder mit weniger "
             "als fünf Ausweisen werden nicht veröffentlicht (suppressed=true).",
    "frequency": "MONTHLY",
}


def zones_publication() -> Publication:
    features = [
        {
            "type": "Feature",
            "geometry": zone.geometry,
            "properties": {
                "code": zone.code, "name": zone.name, "regime": zone.regime, "hours": zone.hours,
                "active_from": zone.active_from.isoformat(),
                "active_until": zone.active_until.isoformat() if zone.active_until else None,
                "demo": zone.is_demo,
            },
        }
        for zone in Zone.objects.exclude(geometry=None).order_by("code")
    ]
    content = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1)
    return Publication("bewohnerparkgebiete.geojson", "bewohnerparkgebiete.geojson", content.encode(), "GEOJSON",
                       description="Bewohnerparkgebiete als GeoJSON (WGS84)")


def statistics_publication() -> Publication:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, delimiter=";", lineterminator="\n")
    writer.writeheader()
    for row in monthly_zone_statistics():
        writer.writerow({k: ("" if v is None else str(v).lower() if isinstance(v, bool) else v)
                         for k, v in row.items()})
    return Publication("bewohnerparkausweise-statistik.csv", "bewohnerparkausweise-statistik.csv",
                       buffer.getvalue().encode(), "CSV", description="Ausstellungen je Gebiet und Monat")
