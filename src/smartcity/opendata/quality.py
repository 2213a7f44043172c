"""Metadata quality score per dataset (pure; works on the CKAN-shaped package dict).

Criteria follow GovData's conventions and the MQA dimensions: findability (description,
keywords, themes, geocoding, temporal coverage), accessibility (distributions with working
access), interoperability (machine-readable formats), reusability (open licence, contact point,
publisher, contributorID) and contextuality (update frequency, kept up to date).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

MACHINE_READABLE = {"CSV", "JSON", "GEOJSON", "XML", "XLSX", "KML", "WMS", "WFS", "SHP"}


@dataclass
class Assessment:
    score: int  # 0–100
    issues: list[str] = field(default_factory=list)


# (points, German hint shown to the editor when the criterion is missed)
CRITERIA: dict[str, tuple[int, str]] = {
    "description": (10, "Beschreibung mit mindestens 100 Zeichen ergänzen."),
    "keywords": (10, "Mindestens drei Schlagwörter vergeben."),
    "theme": (10, "Eine Kategorie (EU-Datenthema) zuordnen."),
    "geocoding": (10, "Politische Geokodierung (z. B. Kreisschlüssel) angeben."),
    "temporal": (5, "Zeitlichen Bezug (von/bis) angeben."),
    "distribution": (15, "Mindestens eine Ressource (Datei oder Link) hinzufügen."),
    "machine_readable": (10, "Mindestens eine Ressource in einem maschinenlesbaren Format (CSV, JSON …)."),
    "open_license": (10, "Eine offene Lizenz wählen (z. B. Datenlizenz Deutschland – Zero)."),
    "contact": (5, "Kontaktstelle mit E-Mail-Adresse oder Kontaktformular angeben."),
    "contributor": (5, "contributorID (GovData) angeben."),
    "frequency": (5, "Aktualisierungsfrequenz angeben."),
    "fresh": (5, "Die Daten sind älter als die angegebene Aktualisierungsfrequenz erlaubt."),
}


def _extras(package: dict) -> dict[str, str]:
    return {e["key"]: e["value"] for e in package.get("extras", [])}


def is_overdue(last_update: datetime | None, max_age_days: int | None, now: datetime) -> bool:
    """True when the declared frequency says a newer version should exist by now."""
    if max_age_days is None or last_update is None:
        return False
    # One day of grace: a daily dataset updated at 06:00 is not late at 05:59 the next morning.
    return now - last_update > timedelta(days=max_age_days + 1)


def assess(package: dict, *, overdue: bool = False) -> Assessment:
    extras = _extras(package)
    formats = {(r.get("format") or "").upper() for r in package.get("resources", [])}
    met = {
        "description": len(package.get("notes") or "") >= 100,
        "keywords": len(package.get("tags", [])) >= 3,
        "theme": bool(package.get("groups")),
        "geocoding": bool(extras.get("politicalGeocodingURI")),
        "temporal": bool(extras.get("temporal_start") or extras.get("temporal_end")),
        "distribution": bool(package.get("resources")),
        "machine_readable": bool(formats & MACHINE_READABLE),
        "open_license": bool(package.get("isopen")),
        "contact": bool(package.get("maintainer_email") or extras.get("contact_url")),
        "contributor": bool(extras.get("contributorID")),
        "frequency": bool(extras.get("frequency")),
        "fresh": not overdue,
    }
    score = sum(points for key, (points, _) in CRITERIA.items() if met[key])
    return Assessment(score, [hint for key, (_, hint) in CRITERIA.items() if not met[key]])
