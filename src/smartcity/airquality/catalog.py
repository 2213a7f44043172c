"""Observed properties the platform knows, with unit and plausible range for ingest validation.

Definitions use the Eionet pollutant vocabulary (for EEA reporting); the codes are marked [verify] in the
reference for PM2.5/O3, so they live here, in one place.
"""

from .models import ObservedProperty

EIONET = "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/"

PROPERTIES = {
    # code: (name, definition, unit, plausible min, plausible max)
    "NO2": ("Stickstoffdioxid (NO2)", f"{EIONET}8", "µg/m³", 0.0, 1000.0),
    "PM10": ("Feinstaub PM10", f"{EIONET}5", "µg/m³", 0.0, 1000.0),
    "PM2.5": ("Feinstaub PM2,5", f"{EIONET}6001", "µg/m³", 0.0, 1000.0),
    "O3": ("Ozon (O3)", f"{EIONET}7", "µg/m³", 0.0, 800.0),
    "SO2": ("Schwefeldioxid (SO2)", f"{EIONET}1", "µg/m³", 0.0, 2000.0),
    "T": ("Lufttemperatur", "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0023/", "°C", -40.0, 60.0),
    "RH": ("Relative Luftfeuchte", "http://vocab.nerc.ac.uk/collection/P07/current/CFSN0413/", "%", 0.0, 100.0),
    "FLOW": ("Verkehrsstärke", "https://w3id.org/datex/2/vehicleFlowRate", "Kfz/h", 0.0, 20000.0),
    "SPEED": ("Mittlere Geschwindigkeit", "https://w3id.org/datex/2/averageVehicleSpeed", "km/h", 0.0, 250.0),
}


def observed_property(code: str) -> ObservedProperty:
    name, definition, unit, lo, hi = PROPERTIES[code]
    op, _ = ObservedProperty.objects.get_or_create(
        code=code,
        defaults={"name": name, "definition": definition, "description": name, "unit_symbol": unit,
                  "plausible_min": lo, "plausible_max": hi},
    )
    return op


def unit_json(code: str) -> dict:
    unit = PROPERTIES[code][2]
    return {"name": unit, "symbol": unit, "definition": ""}
