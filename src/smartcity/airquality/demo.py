"""Demo data: Düsseldorf stations with synthetic but plausible hourly series (marked as demo data).

Levels follow the published annual means (reference §1.4: traffic sites ~30–35 µg/m³ NO2, background
~18–22); daily and weekly traffic patterns; random gaps and one multi-day outage so that the coverage rules
matter. 60 days of hourly values keep the whole platform demo load fast.
"""

import math
import random
from datetime import UTC, datetime, timedelta

from . import catalog, ingest, opendata
from .models import DataClass, Datastream, Location, Measure, Sensor, Thing

DAYS = 60
DEMO = {"demo": True, "hinweis": "Synthetische Demodaten, keine amtlichen Messwerte"}

STATIONS = [
    # name, code, lon, lat, kind, {pollutant: annual-mean level}
    ("Corneliusstraße", "DENW082", 6.7928, 51.2101, "Verkehr", {"NO2": 34.0, "PM10": 21.0, "PM2.5": 13.0}),
    ("Merowingerstraße", "", 6.7745, 51.2043, "Verkehr", {"NO2": 31.0, "PM10": 20.0}),
    ("Lörick", "DENW071", 6.7337, 51.2494, "Hintergrund", {"NO2": 18.0, "PM10": 17.0, "PM2.5": 10.0, "O3": 48.0}),
    ("Mörsenbroich", "", 6.8095, 51.2462, "Hintergrund", {"NO2": 22.0, "PM10": 18.0}),
]
CITIZEN = [
    ("sensor.community 12345 (Bilk)", 6.7821, 51.2052),
    ("sensor.community 23456 (Flingern)", 6.8040, 51.2263),
    ("sensor.community 34567 (Oberkassel)", 6.7512, 51.2309),
]


def _profile(code: str, hour: int, weekday: int) -> float:
    """Relative level by local hour and weekday: traffic peaks for NO2/PM, an afternoon peak for O3."""
    if code == "O3":
        return 0.5 + 0.9 * max(0.0, math.sin((hour - 8) / 12 * math.pi))
    rush = math.exp(-((hour - 8) ** 2) / 4) + 0.8 * math.exp(-((hour - 17) ** 2) / 5)
    weekend = 0.75 if weekday >= 5 else 1.0
    return (0.55 + 0.9 * rush) * weekend


def series(code: str, level: float, hours: list[datetime], rng: random.Random) -> list[tuple[datetime, float]]:
    out, episode = [], 1.0
    outage = rng.randrange(len(hours) - 80)
    for i, t in enumerate(hours):
        if outage <= i < outage + rng.choice((6, 30, 60)) or rng.random() < 0.02:
            continue  # gaps: single hours and one outage
        if i % 24 == 0:
            episode = max(0.4, min(2.6, episode * rng.lognormvariate(0, 0.25)))  # weather episodes
        local = t + timedelta(hours=1)
        value = level * _profile(code, local.hour, local.weekday()) * (episode if code != "O3" else 1.0)
        out.append((t, round(max(0.0, value * rng.lognormvariate(0, 0.15)), 1)))
    return out


def _stream(thing: Thing, code: str, sensor: Sensor, data_class: str, source: str) -> Datastream:
    ds, _ = Datastream.objects.get_or_create(
        thing=thing, observed_property=catalog.observed_property(code),
        defaults={"name": f"{code} {thing.name}", "description": f"Stundenmittel {code}", "sensor": sensor,
                  "unit_of_measurement": catalog.unit_json(code), "data_class": data_class, "source": source,
                  "properties": DEMO},
    )
    return ds


def _thing(name: str, code: str, lon: float, lat: float, props: dict) -> Thing:
    thing, created = Thing.objects.get_or_create(name=name, defaults={"description": code or name,
                                                                      "properties": {**props, **DEMO}})
    if created:
        loc = Location.objects.create(name=name, description=f"{name}, Düsseldorf (Demo-Koordinate)",
                                      location={"type": "Point", "coordinates": [lon, lat]}, lon=lon, lat=lat)
        thing.locations.add(loc)
    return thing


def load(stdout) -> None:
    rng = random.Random(2026)
    now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    hours = [now - timedelta(hours=h) for h in range(DAYS * 24, 0, -1)]
    analyser, _ = Sensor.objects.get_or_create(name="Referenzmessgerät LANUV (Demo)",
                                               defaults={"description": "Kontinuierliche Messung",
                                                         "encoding_type": "text/html", "metadata": ""})
    sds, _ = Sensor.objects.get_or_create(name="SDS011", defaults={"description": "Nova Fitness Feinstaubsensor",
                                                                   "encoding_type": "text/html", "metadata": ""})
    loop, _ = Sensor.objects.get_or_create(name="Induktionsschleife", defaults={"description": "Zählstelle",
                                                                                "encoding_type": "text/html"})
    plan: list[tuple[Datastream, str, float]] = []
    for name, code, lon, lat, kind, levels in STATIONS:
        thing = _thing(name, code, lon, lat, {"stationCode": code, "stationType": kind, "network": "LANUV NRW",
                                              "licence": "dl-de/zero-2-0"})
        plan += [(_stream(thing, p, analyser, DataClass.OFFICIAL, "lanuv"), p, lvl) for p, lvl in levels.items()]
    for name, lon, lat in CITIZEN:
        thing = _thing(name, "", lon, lat, {"dataClass": "citizen", "licence": "ODbL-1.0"})
        for p, lvl in (("PM10", 19.0), ("PM2.5", 12.0)):
            plan.append((_stream(thing, p, sds, DataClass.CITIZEN, "sensor.community"), p, lvl * rng.uniform(0.9, 1.3)))
    counter = _thing("Zählstelle Corneliusstraße", "", 6.7931, 51.2098, {"type": "traffic-counter"})
    plan.append((_stream(counter, "FLOW", loop, DataClass.TRAFFIC, "datex2"), "FLOW", 1150.0))

    for ds, code, level in plan:
        ds.sampling_interval_s = 3600
        rows = [ingest.Row(ds.pk, t, t - timedelta(hours=1), v, t, 0, None, None)
                for t, v in series(code, level, hours, rng)]
        ingest.ingest_rows(rows, [], source=ds.source or "demo")
    Measure.objects.get_or_create(name="Umweltspur Merowingerstraße", defaults={
        "start": datetime(2019, 4, 15).date(), "end": datetime(2021, 3, 1).date(),
        "description": "Umweltspur stadteinwärts zwischen Kopernikusstraße und Ludwig-Hammers-Platz."})
    Measure.objects.get_or_create(name="Umweltsensitive Ampelsteuerung, neue Stufe (Demo)", defaults={
        "start": (now - timedelta(days=DAYS // 2)).date(),
        "description": "Fiktiver Stichtag in den Demodaten für den Vorher-nachher-Vergleich."})
    published = opendata.publish_all()
    stdout.write(f"  Luftqualität: {len(plan)} Datenreihen, {DAYS} Tage stündlich (Demodaten), "
                 f"{len(published)} Open-Data-Datensätze")
