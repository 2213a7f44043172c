"""Import zones (GeoJSON), street ranges and addresses (CSV) with validation and clear German errors.

Every import is all-or-nothing: it validates every row first and writes nothing if one row is wrong.
"""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from shapely.geometry import shape
from shapely.validation import explain_validity

from .geo import utm32_to_wgs84
from .models import Address, StreetRange, Zone
from .rules.addresses import house_number_value
from .zones import assign_zone, find_address, reassign_all_addresses, zone_index

# Generous bounding box around NRW: catches swapped lon/lat and UTM coordinates given as degrees.
_LON_RANGE, _LAT_RANGE = (5.5, 9.6), (50.3, 52.6)


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    addresses_reassigned: int = 0
    warnings: list[str] = field(default_factory=list)


def _date(value: object, label: str, where: str, errors: list[str]) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        errors.append(f"{where}: „{label}“ muss ein Datum im Format JJJJ-MM-TT sein (gefunden: {value!r}).")
        return None


def _check_geometry(geometry: object, where: str, errors: list[str]) -> None:
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        errors.append(f"{where}: die Geometrie muss ein Polygon oder MultiPolygon sein.")
        return
    try:
        geom = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        errors.append(f"{where}: die Geometrie ist nicht lesbar ({exc}).")
        return
    if geom.is_empty:
        errors.append(f"{where}: die Geometrie ist leer.")
        return
    if not geom.is_valid:
        errors.append(f"{where}: die Geometrie ist ungültig ({explain_validity(geom)}).")
    minx, miny, maxx, maxy = geom.bounds
    if not (_LON_RANGE[0] <= minx <= maxx <= _LON_RANGE[1] and _LAT_RANGE[0] <= miny <= maxy <= _LAT_RANGE[1]):
        errors.append(f"{where}: die Koordinaten liegen nicht in NRW. Erwartet wird WGS84 in der Reihenfolge "
                      "Längengrad, Breitengrad (GeoJSON, RFC 7946).")


def import_zones_geojson(text: str, *, dry_run: bool = False) -> ImportResult:
    """Create or update zones from a GeoJSON FeatureCollection (properties: code, name, active_from, …)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed([f"Die Datei ist kein gültiges JSON (Zeile {exc.lineno}, Spalte {exc.colno})."]) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ImportFailed(["Erwartet wird eine GeoJSON-FeatureCollection."])
    errors: list[str] = []
    rows: list[dict] = []
    seen: set[str] = set()
    regimes = set(Zone.Regime.values)
    for n, feature in enumerate(data.get("features") or [], start=1):
        props = (feature or {}).get("properties") or {}
        where = f"Feature {n} ({props.get('code', '?')})"
        code = str(props.get("code", "")).strip().upper()
        if len(code) != 2 or not code.isalpha():
            errors.append(f"{where}: „code“ muss aus genau zwei Buchstaben bestehen.")
        elif code in seen:
            errors.append(f"{where}: das Kürzel {code} kommt mehrfach vor.")
        seen.add(code)
        if not str(props.get("name", "")).strip():
            errors.append(f"{where}: „name“ fehlt.")
        regime = props.get("regime", Zone.Regime.EXEMPTION)
        if regime not in regimes:
            errors.append(f"{where}: „regime“ muss eines von {sorted(regimes)} sein.")
        active_from = _date(props.get("active_from"), "active_from", where, errors)
        opens = _date(props.get("applications_open_from", props.get("active_from")), "applications_open_from",
                      where, errors)
        _check_geometry(feature.get("geometry"), where, errors)
        rows.append({"code": code, "defaults": {
            "name": str(props.get("name", "")).strip(), "geometry": feature.get("geometry"), "regime": regime,
            "hours": str(props.get("hours", "")), "tariff_zone": str(props.get("tariff_zone", "")),
            "active_from": active_from, "applications_open_from": opens, "is_demo": bool(props.get("demo", False)),
        }})
    if not rows and not errors:
        errors.append("Die FeatureCollection enthält keine Gebiete.")
    if errors:
        raise ImportFailed(errors)
    result = ImportResult()
    if dry_run:
        return result
    with transaction.atomic():
        for row in rows:
            _, created = Zone.objects.update_or_create(code=row["code"], defaults=row["defaults"])
            result.created += created
            result.updated += not created
    zone_index.invalidate()
    result.addresses_reassigned = reassign_all_addresses()
    return result


def _csv_rows(text: str, required: Iterable[str]) -> tuple[list[dict], list[str]]:
    sample = text[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), dialect=dialect)
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        return [], [f"Es fehlen die Spalten: {', '.join(missing)} (vorhanden: {', '.join(reader.fieldnames or [])})."]
    return list(reader), []


def import_street_ranges_csv(text: str, *, replace: bool = False, dry_run: bool = False) -> ImportResult:
    """Columns: zone;street;postcode;number_from;number_to;parity (all/even/odd). Replaces a zone's rows if asked."""
    rows, errors = _csv_rows(text, ["zone", "street", "number_from", "number_to"])
    if errors:
        raise ImportFailed(errors)
    zones = {z.code: z for z in Zone.objects.all()}
    entries: list[StreetRange] = []
    for n, row in enumerate(rows, start=2):
        where = f"Zeile {n}"
        code = (row.get("zone") or "").strip().upper()
        zone = zones.get(code)
        if zone is None:
            errors.append(f"{where}: unbekanntes Gebiet „{code}“ (erst die Gebiete importieren).")
        street = (row.get("street") or "").strip()
        if not street:
            errors.append(f"{where}: „street“ fehlt.")
        try:
            low, high = int(row.get("number_from") or 1), int(row.get("number_to") or 9999)
            if not 1 <= low <= high:
                raise ValueError
        except ValueError:
            errors.append(f"{where}: Hausnummern von/bis müssen ganze Zahlen mit von ≤ bis sein.")
            continue
        parity = (row.get("parity") or "all").strip().lower()
        if parity not in StreetRange.Parity.values:
            errors.append(f"{where}: „parity“ muss all, even oder odd sein.")
        postcode = (row.get("postcode") or "").strip()
        if postcode and not (len(postcode) == 5 and postcode.isdigit()):
            errors.append(f"{where}: die Postleitzahl muss fünf Ziffern haben.")
        if zone:
            entries.append(StreetRange(zone=zone, street=street, postcode=postcode, number_from=low,
                                       number_to=high, parity=parity))
    if errors:
        raise ImportFailed(errors)
    result = ImportResult()
    if dry_run:
        return result
    with transaction.atomic():
        if replace:
            StreetRange.objects.filter(zone__in={e.zone for e in entries}).delete()
        for entry in entries:
            entry.save()
            result.created += 1
    zone_index.invalidate()
    result.addresses_reassigned = reassign_all_addresses()
    return result


def import_addresses_csv(text: str, *, dry_run: bool = False) -> ImportResult:
    """Columns: street;house_number;postcode and either lon;lat (WGS84) or easting;northing (EPSG:25832)."""
    rows, errors = _csv_rows(text, ["street", "house_number", "postcode"])
    if errors:
        raise ImportFailed(errors)
    parsed: list[dict] = []
    for n, row in enumerate(rows, start=2):
        where = f"Zeile {n}"
        street, number, postcode = ((row.get(k) or "").strip() for k in ("street", "house_number", "postcode"))
        if not street or house_number_value(number) is None:
            errors.append(f"{where}: Straße und Hausnummer (mit Ziffer) sind nötig.")
        if not (len(postcode) == 5 and postcode.isdigit()):
            errors.append(f"{where}: die Postleitzahl muss fünf Ziffern haben.")
        try:
            if row.get("lon") and row.get("lat"):
                lon, lat = float(row["lon"].replace(",", ".")), float(row["lat"].replace(",", "."))
            else:
                lon, lat = utm32_to_wgs84(float(row["easting"].replace(",", ".")),
                                          float(row["northing"].replace(",", ".")))
        except (KeyError, TypeError, ValueError, AttributeError):
            errors.append(f"{where}: Koordinaten fehlen (lon/lat in WGS84 oder easting/northing in EPSG:25832).")
            continue
        if not (_LON_RANGE[0] <= lon <= _LON_RANGE[1] and _LAT_RANGE[0] <= lat <= _LAT_RANGE[1]):
            errors.append(f"{where}: die Koordinaten ({lon}, {lat}) liegen nicht in NRW; Längen- und Breitengrad "
                          "vertauscht?")
        parsed.append({"street": street, "house_number": number, "postcode": postcode, "lon": lon, "lat": lat,
                       "city": (row.get("city") or "Düsseldorf").strip()})
    if errors:
        raise ImportFailed(errors)
    result = ImportResult()
    if dry_run:
        return result
    with transaction.atomic():
        for data in parsed:
            address = find_address(data["street"], data["house_number"], data["postcode"]) or Address()
            created = address.pk is None
            for key, value in data.items():
                setattr(address, key, value)
            assign_zone(address, save=False)
            address.save()
            result.created += created
            result.updated += not created
    return result
