"""Controlled vocabularies of DCAT-AP.de used by the catalogue (pure data, no Django).

Licences come from the dcat-ap.de licence list (http://dcat-ap.de/def/licenses/), themes from the EU
data-theme authority table, frequencies from the EU frequency table. Only the subset a municipal
portal uses is listed; each entry carries its German title.
"""

import re
from dataclasses import dataclass

LICENSE_BASE = "http://dcat-ap.de/def/licenses/"
THEME_BASE = "http://publications.europa.eu/resource/authority/data-theme/"
FREQUENCY_BASE = "http://publications.europa.eu/resource/authority/frequency/"
FILE_TYPE_BASE = "http://publications.europa.eu/resource/authority/file-type/"
LANGUAGE_DEU = "http://publications.europa.eu/resource/authority/language/DEU"
GEOCODING_BASE = "http://dcat-ap.de/def/politicalGeocoding/"
CONTRIBUTOR_BASE = "http://dcat-ap.de/def/contributors/"


@dataclass(frozen=True)
class License:
    id: str  # the dcat-ap.de IRI; CKAN clients see it as license_id
    title: str
    url: str
    is_open: bool


_LICENSES = [
    ("dl-zero-de/2.0", "Datenlizenz Deutschland – Zero – Version 2.0", "https://www.govdata.de/dl-de/zero-2-0", True),
    ("dl-by-de/2.0", "Datenlizenz Deutschland Namensnennung 2.0", "https://www.govdata.de/dl-de/by-2-0", True),
    ("dl-by-de/1.0", "Datenlizenz Deutschland Namensnennung 1.0", "https://www.govdata.de/dl-de/by-1-0", True),
    ("dl-by-nc-de/1.0", "Datenlizenz Deutschland Namensnennung nicht-kommerziell 1.0",
     "https://www.govdata.de/dl-de/by-nc-1-0", False),
    ("cc-by/4.0", "Creative Commons Namensnennung – 4.0 International (CC BY 4.0)",
     "http://creativecommons.org/licenses/by/4.0/", True),
    ("cc-by-sa/4.0", "Creative Commons Namensnennung – Weitergabe unter gleichen Bedingungen 4.0 International "
     "(CC-BY-SA 4.0)", "http://creativecommons.org/licenses/by-sa/4.0/", True),
    ("cc-by-nd/4.0", "Creative Commons Namensnennung – Keine Bearbeitung 4.0 International (CC BY-ND 4.0)",
     "https://creativecommons.org/licenses/by-nd/4.0/", False),
    ("cc-by-nc/4.0", "Creative Commons Namensnennung – Nicht kommerziell 4.0 International (CC BY-NC 4.0)",
     "http://creativecommons.org/licenses/by-nc/4.0/", False),
    ("cc-by-de/3.0", "Creative Commons Namensnennung 3.0 Deutschland (CC BY 3.0 DE)",
     "https://creativecommons.org/licenses/by/3.0/de/", True),
    ("cc-zero", "Creative Commons CC Zero License (cc-zero)", "http://www.opendefinition.org/licenses/cc-zero", True),
    ("ccpdm/1.0", "Public Domain Mark 1.0 (PDM)", "http://creativecommons.org/publicdomain/mark/1.0/", True),
    ("odbl", "Open Data Commons Open Database License (ODbL)", "http://www.opendefinition.org/licenses/odc-odbl",
     True),
    ("odby", "Open Data Commons Attribution License (ODC-BY 1.0)", "http://www.opendefinition.org/licenses/odc-by",
     True),
    ("odcpddl", "Open Data Commons Public Domain Dedication and Licence (ODC PDDL)",
     "http://www.opendefinition.org/licenses/odc-pddl", True),
    ("officialWork", "Amtliches Werk, lizenzfrei nach §5 Abs. 1 UrhG",
     "http://www.gesetze-im-internet.de/urhg/__5.html", True),
    ("geonutz/20130319", "Nutzungsbestimmungen für die Bereitstellung von Geodaten des Bundes",
     "https://sg.geodatenzentrum.de/web_public/gdz/lizenz/geonutzv.pdf", True),
    ("other-open", "Andere offene Lizenz", "", True),
    ("other-closed", "Andere geschlossene Lizenz", "", False),
    ("other-commercial", "Andere kommerzielle Lizenz", "", False),
    ("other-freeware", "Andere Freeware Lizenz", "", False),
]
LICENSES: dict[str, License] = {
    LICENSE_BASE + key: License(LICENSE_BASE + key, title, url, is_open) for key, title, url, is_open in _LICENSES
}
DEFAULT_LICENSE = LICENSE_BASE + "dl-zero-de/2.0"
# Harvested records still use the underscore syntax of older licence lists.
LEGACY_LICENSE_ALIASES = {
    LICENSE_BASE + "dl-zero-de/2_0": DEFAULT_LICENSE,
    LICENSE_BASE + "dl-by-de/2_0": LICENSE_BASE + "dl-by-de/2.0",
    LICENSE_BASE + "cc-by/4_0": LICENSE_BASE + "cc-by/4.0",
    LICENSE_BASE + "cc-by-sa/4_0": LICENSE_BASE + "cc-by-sa/4.0",
    "dl-de-zero-2.0": DEFAULT_LICENSE,
    "dl-de-by-2.0": LICENSE_BASE + "dl-by-de/2.0",
    "cc-by-4.0": LICENSE_BASE + "cc-by/4.0",
}


def normalise_license(value: str) -> str:
    """Map legacy spellings to the current IRI; unknown values are returned unchanged."""
    return LEGACY_LICENSE_ALIASES.get(value, value)


# EU data themes: CKAN group name (lower-case MDR code) → German title.
THEMES: dict[str, str] = {
    "agri": "Landwirtschaft, Fischerei, Forstwirtschaft und Nahrungsmittel",
    "econ": "Wirtschaft und Finanzen",
    "educ": "Bildung, Kultur und Sport",
    "ener": "Energie",
    "envi": "Umwelt",
    "gove": "Regierung und öffentlicher Sektor",
    "heal": "Gesundheit",
    "intr": "Internationale Themen",
    "just": "Justiz, Rechtssystem und öffentliche Sicherheit",
    "regi": "Regionen und Städte",
    "soci": "Bevölkerung und Gesellschaft",
    "tech": "Wissenschaft und Technologie",
    "tran": "Verkehr",
}


def theme_uri(code: str) -> str:
    return THEME_BASE + code.upper()


# EU frequency code → (German title, expected maximum age in days; None = no freshness check).
# The titles' English versions are in the opendata message catalogue (this module stays free of Django).
FREQUENCIES: dict[str, tuple[str, int | None]] = {
    "CONT": ("kontinuierlich", 1),
    "DAILY": ("täglich", 1),
    "WEEKLY": ("wöchentlich", 7),
    "MONTHLY": ("monatlich", 31),
    "QUARTERLY": ("vierteljährlich", 92),
    "ANNUAL": ("jährlich", 366),
    "IRREG": ("unregelmäßig", None),
    "NEVER": ("nie", None),
    "UNKNOWN": ("unbekannt", None),
}

# CKAN "format" value → (EU file-type code, media type).
FORMATS: dict[str, tuple[str, str]] = {
    "CSV": ("CSV", "text/csv"),
    "JSON": ("JSON", "application/json"),
    "GEOJSON": ("GEOJSON", "application/geo+json"),
    "XML": ("XML", "application/xml"),
    "XLSX": ("XLSX", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "PDF": ("PDF", "application/pdf"),
    "ZIP": ("ZIP", "application/zip"),
    "HTML": ("HTML", "text/html"),
    "WMS": ("WMS_SRVC", "application/xml"),
    "WFS": ("WFS_SRVC", "application/xml"),
    "KML": ("KML", "application/vnd.google-earth.kml+xml"),
    "TXT": ("TXT", "text/plain"),
    "SHP": ("SHP", "application/zip"),
}


def normalise_format(value: str, filename: str = "") -> str:
    """Upper-case CKAN format, guessed from the file name when empty."""
    fmt = (value or "").strip().upper().lstrip(".")
    if not fmt and "." in filename:
        # Only a plausible extension: "a.csv?x=1" or a 200-letter "extension" would not fit the 50-character column.
        extension = filename.rsplit(".", 1)[1]
        fmt = extension.upper() if re.fullmatch(r"[A-Za-z0-9+]{1,10}", extension) else ""
    return {"GEO+JSON": "GEOJSON", "TEXT/CSV": "CSV"}.get(fmt, fmt)


GEOCODING_LEVELS = {
    "federal": GEOCODING_BASE + "Level/federal",
    "state": GEOCODING_BASE + "Level/state",
    "administrativeDistrict": GEOCODING_BASE + "Level/administrativeDistrict",
    "municipality": GEOCODING_BASE + "Level/municipality",
}
