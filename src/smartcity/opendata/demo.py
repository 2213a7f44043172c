"""Demo catalogue: Düsseldorf and Köln publish realistic datasets (links point at the cities' real portals;
the uploaded CSV and GeoJSON files are small synthetic demo data and say so)."""

import json
from typing import TextIO

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from smartcity.accounts.twofactor import ensure_confirmed_device

from . import publishers, services
from .models import Dataset, Membership, Organization

LOGINS = [("Open-Data-Redaktion Düsseldorf", "opendata-redaktion", "Demo-2026!")]
GEO = "http://dcat-ap.de/def/politicalGeocoding/"
ORGS = [
    {"name": "duesseldorf", "title": "Landeshauptstadt Düsseldorf", "homepage": "https://opendata.duesseldorf.de",
     "email": "opendata@duesseldorf.de", "contributor_id": "http://dcat-ap.de/def/contributors/openNRW",
     "political_geocoding_uri": GEO + "districtKey/05111",
     "political_geocoding_level_uri": GEO + "Level/municipality",
     "description": "Open-Data-Portal der Landeshauptstadt Düsseldorf."},
    {"name": "koeln", "title": "Stadt Köln", "homepage": "https://www.offenedaten-koeln.de",
     "email": "opendata@stadt-koeln.de", "contributor_id": "http://dcat-ap.de/def/contributors/openNRW",
     "political_geocoding_uri": GEO + "districtKey/05315",
     "political_geocoding_level_uri": GEO + "Level/municipality",
     "description": "Offene Daten der Stadt Köln, Partnerin in der Open Data-Region Rheinland."},
]
DUS = "https://opendata.duesseldorf.de/sites/default/files/"
KOE = "https://www.offenedaten-koeln.de/sites/default/files/"
DEMO_NOTE = " (Demo-Daten: synthetische Werte.)"

# org, name, title, theme, tags, frequency, (start, end), resources [(name, url, format)], office
DATASETS = [
    ("duesseldorf", "parkhaeuser-duesseldorf", "Parkhäuser in der Landeshauptstadt Düsseldorf", "tran",
     ["Parken", "Parkhaus", "Verkehr"], "DAILY", ("2018-01-01", None),
     [("Parkhäuser (CSV)", "upload:parkhaeuser.csv", "CSV")], "Amt für Verkehrsmanagement"),
    ("duesseldorf", "stadtbezirke-duesseldorf", "Stadtbezirke Düsseldorf", "regi",
     ["Stadtbezirk", "Geodaten", "Verwaltungsgrenzen"], "IRREG", ("2020-01-01", None),
     [("Stadtbezirke (GeoJSON)", "upload:stadtbezirke.geojson", "GEOJSON")], "Vermessungs- und Katasteramt"),
    ("duesseldorf", "schulstandorte-duesseldorf", "Schulstandorte Düsseldorf", "educ",
     ["Schule", "Bildung", "Standorte"], "ANNUAL", ("2023-08-01", "2024-07-31"),
     [("Schulen (CSV)", DUS + "schulen.csv", "CSV"), ("Schulen (GeoJSON)", DUS + "schulen.geojson", "GEOJSON")],
     "Amt für Schule und Bildung"),
    ("duesseldorf", "spielplaetze-duesseldorf", "Spielplätze in Düsseldorf", "soci",
     ["Spielplatz", "Kinder", "Freizeit"], "ANNUAL", ("2024-01-01", None),
     [("Spielplätze (CSV)", DUS + "spielplaetze.csv", "CSV")], "Garten-, Friedhofs- und Forstamt"),
    ("duesseldorf", "wetterstationen-duesseldorf", "Wetterstationen Düsseldorf", "envi",
     ["Wetter", "Klima", "Messstation"], "MONTHLY", ("2022-01-01", None),
     [("Messwerte (CSV)", DUS + "wetterstationen.csv", "CSV")], "Umweltamt"),
    ("duesseldorf", "ratssitzungen-jahresuebersicht", "Ratssitzungen – Jahresübersicht", "gove",
     ["Rat", "Politik", "Sitzungen"], "ANNUAL", ("2025-01-01", "2025-12-31"),
     [("Sitzungstermine (CSV)", DUS + "ratssitzungen_2025.csv", "CSV")], "Büro des Rates"),
    ("duesseldorf", "bevoelkerung-stadtteile-duesseldorf", "Bevölkerung nach Stadtteilen", "soci",
     ["Bevölkerung", "Statistik", "Stadtteil"], "ANNUAL", ("2025-12-31", "2025-12-31"),
     [("Einwohner nach Stadtteil (CSV)", "upload:bevoelkerung.csv", "CSV")], "Amt für Statistik und Wahlen"),
    ("duesseldorf", "statistisches-jahrbuch-duesseldorf", "Statistisches Jahrbuch Düsseldorf", "soci",
     ["Statistik", "Jahrbuch", "Stadtentwicklung"], "ANNUAL", ("2024-01-01", "2024-12-31"),
     [("Jahrbuch 2024 (PDF)", DUS + "jahrbuch_2024.pdf", "PDF"), ("Tabellen (XLSX)", DUS + "jahrbuch_2024.xlsx",
                                                                  "XLSX")], "Amt für Statistik und Wahlen"),
    ("duesseldorf", "e-ladesaeulen-duesseldorf", "Ladesäulen für Elektrofahrzeuge", "ener",
     ["Elektromobilität", "Ladesäule", "Energie"], "WEEKLY", ("2021-01-01", None),
     [("Ladesäulen (GeoJSON)", DUS + "ladesaeulen.geojson", "GEOJSON")], "Amt für Verkehrsmanagement"),
    ("duesseldorf", "baumkataster-duesseldorf", "Baumkataster Düsseldorf", "envi",
     ["Bäume", "Stadtgrün", "Umwelt"], "ANNUAL", ("2024-01-01", None),
     [("Straßenbäume (CSV)", DUS + "baumkataster.csv", "CSV")], "Garten-, Friedhofs- und Forstamt"),
    ("duesseldorf", "haltestellen-rheinbahn", "Haltestellen im Stadtgebiet", "tran",
     ["ÖPNV", "Haltestelle", "Rheinbahn"], "QUARTERLY", ("2025-01-01", None),
     [("Haltestellen (CSV)", DUS + "haltestellen.csv", "CSV")], "Amt für Verkehrsmanagement"),
    ("duesseldorf", "radverkehrszaehlstellen-duesseldorf", "Radverkehr – Zählstellen", "tran",
     ["Radverkehr", "Zählstelle", "Mobilität"], "DAILY", ("2019-01-01", None),
     [("Zählwerte (CSV)", DUS + "radzaehlstellen.csv", "CSV")], "Amt für Verkehrsmanagement"),
    ("duesseldorf", "wahlergebnisse-kommunalwahl-2025", "Kommunalwahl 2025 – Ergebnisse", "gove",
     ["Wahlen", "Kommunalwahl", "Politik"], "NEVER", ("2025-09-14", "2025-09-14"),
     [("Ergebnisse je Stimmbezirk (CSV)", DUS + "kw2025.csv", "CSV")], "Amt für Statistik und Wahlen"),
    ("duesseldorf", "kitas-duesseldorf", "Kindertageseinrichtungen", "educ",
     ["Kita", "Kinderbetreuung", "Bildung"], "QUARTERLY", ("2025-01-01", None),
     [("Kitas (CSV)", DUS + "kitas.csv", "CSV")], "Jugendamt"),
    ("duesseldorf", "hundekotbeutelspender", "Hundekotbeutelspender", "envi",
     ["Sauberkeit", "Hunde", "Stadtbild"], "ANNUAL", ("2024-01-01", None),
     [("Standorte (CSV)", DUS + "hundekotbeutelspender.csv", "CSV")], "Amt für Umwelt- und Verbraucherschutz"),
    ("duesseldorf", "oeffentliche-toiletten-duesseldorf", "Öffentliche Toiletten", "soci",
     ["Toilette", "Barrierefreiheit", "Infrastruktur"], "ANNUAL", ("2024-01-01", None),
     [("Toiletten (GeoJSON)", DUS + "toiletten.geojson", "GEOJSON")], "Amt für Gebäudemanagement"),
    ("duesseldorf", "haushaltsplan-duesseldorf", "Haushaltsplan der Landeshauptstadt", "econ",
     ["Haushalt", "Finanzen", "Verwaltung"], "ANNUAL", ("2026-01-01", "2026-12-31"),
     [("Haushalt 2026 (CSV)", DUS + "haushalt_2026.csv", "CSV")], "Stadtkämmerei"),
    ("duesseldorf", "wochenmaerkte-duesseldorf", "Wochenmärkte", "econ",
     ["Markt", "Einkaufen", "Termine"], "ANNUAL", ("2026-01-01", "2026-12-31"),
     [("Märkte und Zeiten (CSV)", "upload:wochenmaerkte.csv", "CSV")], "Ordnungsamt"),
    ("koeln", "baumkataster-koeln", "Baumkataster Köln", "envi",
     ["Bäume", "Stadtgrün", "Umwelt"], "ANNUAL", ("2020-01-01", None),
     [("Baumkataster (CSV)", KOE + "baumkataster.csv", "CSV")], "Amt für Landschaftspflege und Grünflächen"),
    ("koeln", "parkhaeuser-koeln", "Parkhausbelegung Köln", "tran",
     ["Parken", "Parkhaus", "Echtzeit"], "CONT", ("2016-01-01", None),
     [("Belegung (JSON)", KOE + "parkhausbelegung.json", "JSON")], "Amt für Straßen und Radwegebau"),
    ("koeln", "stadtteile-koeln", "Stadtteile Köln", "regi",
     ["Stadtteil", "Geodaten", "Verwaltungsgrenzen"], "IRREG", ("2015-01-01", None),
     [("Stadtteile (GeoJSON)", KOE + "stadtteile.geojson", "GEOJSON")],
     "Amt für Liegenschaften, Vermessung und Kataster"),
    ("koeln", "einwohner-koeln-stadtteile", "Einwohnerinnen und Einwohner nach Stadtteilen", "soci",
     ["Bevölkerung", "Statistik", "Stadtteil"], "ANNUAL", ("2025-12-31", "2025-12-31"),
     [("Einwohner (CSV)", KOE + "einwohner_2025.csv", "CSV")], "Amt für Stadtentwicklung und Statistik"),
    ("koeln", "schulen-koeln", "Schulen in Köln", "educ",
     ["Schule", "Bildung", "Standorte"], "ANNUAL", ("2024-08-01", "2025-07-31"),
     [("Schulen (CSV)", KOE + "schulen.csv", "CSV")], "Amt für Schulentwicklung"),
    ("koeln", "kfz-zulassungen-koeln", "Kfz-Zulassungen nach Antriebsart", "tran",
     ["Kfz", "Elektromobilität", "Statistik"], "ANNUAL", ("2025-01-01", "2025-12-31"),
     [("Zulassungen (CSV)", KOE + "kfz_zulassungen.csv", "CSV")], "Amt für Stadtentwicklung und Statistik"),
    ("koeln", "luftmessstationen-koeln", "Luftmessstationen Köln", "envi",
     ["Luftqualität", "Stickstoffdioxid", "Umwelt"], "DAILY", ("2020-01-01", None),
     [("Messstationen (CSV)", KOE + "luftmessstationen.csv", "CSV")], "Umwelt- und Verbraucherschutzamt"),
    ("koeln", "buergerhaushalt-koeln", "Bürgerhaushalt – Vorschläge", "gove",
     ["Bürgerhaushalt", "Beteiligung", "Haushalt"], "NEVER", ("2024-01-01", "2024-12-31"),
     [("Vorschläge (CSV)", KOE + "buergerhaushalt.csv", "CSV")], "Kämmerei"),
    ("koeln", "sags-uns-anliegen-koeln", "Sag's uns – gemeldete Anliegen", "gove",
     ["Anliegen", "Beteiligung", "Stadtbild"], "WEEKLY", ("2023-01-01", None),
     [("Anliegen (CSV)", KOE + "sagsuns.csv", "CSV")], "Bürgerdienste"),
    ("koeln", "kitas-koeln", "Kindertagesstätten in Köln", "educ",
     ["Kita", "Kinderbetreuung", "Standorte"], "QUARTERLY", ("2025-01-01", None),
     [("Kitas (GeoJSON)", KOE + "kitas.geojson", "GEOJSON")], "Amt für Kinder, Jugend und Familie"),
    ("koeln", "museen-koeln", "Museen in Köln", "educ",
     ["Museum", "Kultur", "Freizeit"], "ANNUAL", ("2025-01-01", None),
     [("Museen (CSV)", KOE + "museen.csv", "CSV")], "Kulturamt"),
    ("koeln", "wahlbezirke-koeln", "Wahlbezirke Köln", "gove",
     ["Wahlen", "Geodaten", "Wahlbezirk"], "IRREG", ("2025-01-01", None),
     [("Wahlbezirke (GeoJSON)", KOE + "wahlbezirke.geojson", "GEOJSON")], "Amt für Stadtentwicklung und Statistik"),
    ("koeln", "rheinpegel-koeln", "Rheinpegel Köln", "envi",
     ["Hochwasser", "Pegel", "Rhein"], "CONT", ("2010-01-01", None),
     [("Pegelstände (CSV)", KOE + "rheinpegel.csv", "CSV")], "Stadtentwässerungsbetriebe Köln"),
    ("koeln", "gewerbeanmeldungen-koeln", "Gewerbeanmeldungen nach Stadtbezirken", "econ",
     ["Gewerbe", "Wirtschaft", "Statistik"], "QUARTERLY", ("2025-01-01", None),
     [("Gewerbeanmeldungen (CSV)", KOE + "gewerbe.csv", "CSV")], "Amt für Wirtschaftsförderung"),
]

UPLOADS: dict[str, bytes] = {
    "parkhaeuser.csv": (
        "name;strasse;plaetze;frei;lat;lon\n"
        "Kö-Galerie;Steinstraße 11;850;212;51.2229;6.7803\n"
        "Schadow-Arkaden;Schadowstraße 11;600;54;51.2262;6.7844\n"
        "Carsch-Haus;Heinrich-Heine-Allee 1;370;120;51.2265;6.7765\n"
        "Kunsthalle;Grabbeplatz 4;540;301;51.2283;6.7744\n"
        "Stadttor;Stromstraße 1;430;88;51.2127;6.7542\n").encode(),
    "bevoelkerung.csv": (
        b"stadtteil;stadtbezirk;einwohner;anteil_ueber_65\n"
        b"Altstadt;1;2417;17,2\nCarlstadt;1;2203;21,9\nPempelfort;1;33098;17,5\nFlingern Nord;2;25170;14,8\n"
        b"Bilk;3;37890;13,9\nOberkassel;4;19016;22,4\nGerresheim;7;23417;22,7\nBenrath;9;17023;24,1\n"
        ),
    "wochenmaerkte.csv": (
        "markt,tage,zeiten\nCarlsplatz,Mo-Sa,08:00-18:00\nBenrath Marktplatz,Di/Fr,07:00-13:00\n"
        "Friedensplätzchen,Mi/Sa,07:00-13:00\n").encode(),
}


def _district(code: str, name: str, x: float, y: float) -> dict:
    d = 0.02
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return {"type": "Feature", "properties": {"code": code, "name": name, "hinweis": "Demo-Geometrie"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


UPLOADS["stadtbezirke.geojson"] = json.dumps({"type": "FeatureCollection", "features": [
    _district(str(i + 1), f"Stadtbezirk {i + 1}", 6.70 + (i % 5) * 0.025, 51.18 + (i // 5) * 0.03)
    for i in range(10)]}).encode("utf-8")


def _ensure_orgs() -> dict[str, Organization]:
    result = {}
    for spec in ORGS:
        org, _ = Organization.objects.update_or_create(name=spec["name"], defaults=spec)
        result[org.name] = org
    return result


def _ensure_editor(org: Organization) -> None:
    user_model = get_user_model()
    user = user_model.objects.filter(username=LOGINS[0][1]).first()
    if user is None:
        user = user_model.objects.create_user(LOGINS[0][1], email="opendata-redaktion@duesseldorf.example",
                                              password=LOGINS[0][2], first_name="Open-Data", last_name="Redaktion")
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": Membership.Role.ADMIN})
    ensure_confirmed_device(user)  # editors log in with a second factor


def load(stdout: TextIO) -> None:
    services.ensure_themes()
    orgs = _ensure_orgs()
    _ensure_editor(orgs["duesseldorf"])
    created = 0
    for org_name, name, title, theme, tags, freq, (start, end), resources, office in DATASETS:
        if Dataset.objects.filter(name=name).exists():
            continue
        org = orgs[org_name]
        uploads = [(n, url.removeprefix("upload:"), fmt) for n, url, fmt in resources if url.startswith("upload:")]
        links = [{"name": n, "url": url, "format": fmt} for n, url, fmt in resources if not url.startswith("upload:")]
        notes = (f"{title}: Der Datensatz wird von der Dienststelle „{office}“ gepflegt und steht unter einer offenen "
                 f"Lizenz zur freien Weiterverwendung bereit. Er ist Teil des gemeinsamen Angebots der Open "
                 f"Data-Region Rheinland.")
        email = orgs[org_name].email
        with transaction.atomic():
            ds = services.create_dataset("system:demo", {
                "name": name, "title": title, "owner_org": org_name, "notes": notes + (DEMO_NOTE if uploads else ""),
                "tags": [{"name": t} for t in tags], "groups": [{"name": theme}], "maintainer": office,
                "maintainer_email": email, "url": f"{org.homepage}/dataset/{name}", "resources": links,
                "extras": [{"key": "frequency", "value": freq}, {"key": "temporal_start", "value": start},
                           {"key": "temporal_end", "value": end or ""},
                           {"key": "spatial_uri", "value": org.political_geocoding_uri}],
            })
            for res_name, filename, fmt in uploads:
                services.create_resource("system:demo", ds, {"name": res_name, "format": fmt},
                                         SimpleUploadedFile(filename, UPLOADS[filename]))
        created += 1
    # The platform's own data (service KPIs, parking zones and statistics …), as the hourly job publishes it.
    for key, outcome in publishers.run_all().items():
        if not outcome.startswith("ok"):
            stdout.write(f"opendata: Publisher {key}: {outcome}\n")
    stdout.write(f"opendata: {created} Datensätze angelegt, {Dataset.objects.count()} im Katalog\n")
