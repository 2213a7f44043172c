"""Open data: daily means and annual indicators published as datasets with DCAT metadata through the
opendata module's services, under the licence of each source (official data: Datenlizenz Deutschland
Zero 2.0; sensor.community: ODbL). Refreshed by the beat job ``smartcity.airquality.tasks.publish_open_data``.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from smartcity.opendata import services, vocab
from smartcity.opendata.models import Dataset, Organization

from . import aggregates
from .domain import indicators as ind
from .domain.limits import Averaging, Regime, limit
from .models import DailyAggregate, DataClass, Datastream

ORG = "umweltamt-duesseldorf"


@dataclass(frozen=True)
class Publication:
    name: str
    title: str
    data_class: str
    kind: str  # daily | annual
    licence: str
    notes: str


PUBLICATIONS = (
    Publication("luftqualitaet-tagesmittel-amtlich", "Luftqualität Düsseldorf: Tagesmittel der Messstationen",
                DataClass.OFFICIAL, "daily", "dl-zero-de/2.0",
                "Tagesmittel (MEZ-Tage, gültig ab 18 Stundenwerten) aller amtlichen Messreihen. Aktuelle Werte "
                "sind vorläufig, bis das Land sie validiert hat."),
    Publication("luftqualitaet-jahreskenngroessen-amtlich", "Luftqualität Düsseldorf: Jahreskenngrößen",
                DataClass.OFFICIAL, "annual", "dl-zero-de/2.0",
                "Jahresmittel mit Datenerfassung (gültig ab 90 %) und Überschreitungszahlen nach Richtlinie "
                "2008/50/EG, daneben die Grenzwerte der Richtlinie (EU) 2024/2881 für 2030."),
    Publication("luftqualitaet-tagesmittel-buergersensoren", "Luftqualität Düsseldorf: Tagesmittel der Bürgersensoren",
                DataClass.CITIZEN, "daily", "odbl",
                "Indikative Tagesmittel von sensor.community-Sensoren ohne Feuchtekorrektur. Enthält Daten von "
                "Sensor.Community (ODbL 1.0); nicht mit Grenzwerten vergleichbar."),
)


def _csv(header: list[str], rows) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def daily_csv(data_class: str) -> bytes:
    rows = (DailyAggregate.objects.filter(datastream__data_class=data_class)
            .select_related("datastream__thing", "datastream__observed_property")
            .order_by("datastream__thing__name", "datastream__observed_property__code", "day"))
    return _csv(["station", "pollutant", "day_cet", "mean_ug_m3", "valid_hours", "valid"], (
        [r.datastream.thing.name, r.datastream.observed_property.code, r.day.isoformat(),
         "" if r.mean is None else f"{r.mean:.1f}", r.n_hours, "ja" if r.mean is not None else "nein"]
        for r in rows))


def annual_csv(data_class: str) -> bytes:
    out = []
    streams = Datastream.objects.filter(data_class=data_class).select_related("thing", "observed_property")
    for ds in streams.order_by("thing__name", "observed_property__code"):
        code = ds.observed_property.code
        if not ds.phenomenon_start:
            continue
        for year in range(ind.cet_day(ds.phenomenon_start).year, ind.cet_day(ds.phenomenon_end).year + 1):
            start, end = aggregates.day_bounds(date(year, 1, 1), date(year, 12, 31))
            hours = aggregates.hourly_means(ds, start, end)
            annual = ind.annual_mean(hours, year)
            hourly_lv = limit(code, Averaging.HOUR, Regime.EU2008)
            daily_lv = limit(code, Averaging.DAY, Regime.EU2008)
            days = DailyAggregate.objects.filter(datastream=ds, day__year=year).values_list("mean", flat=True)
            out.append([
                ds.thing.name, code, year, "" if annual.mean is None else f"{annual.mean:.1f}",
                f"{annual.capture:.3f}", "ja" if annual.valid else "nein",
                ind.count_exceedances(hours.values(), hourly_lv.value).count if hourly_lv else "",
                ind.count_exceedances(days, daily_lv.value).count if daily_lv else "",
                getattr(limit(code, Averaging.YEAR, Regime.EU2008), "value", ""),
                getattr(limit(code, Averaging.YEAR, Regime.EU2030), "value", ""),
            ])
    return _csv(["station", "pollutant", "year", "annual_mean_ug_m3", "data_capture", "valid",
                 "hourly_exceedances_2008", "daily_exceedances_2008", "annual_limit_2008", "annual_limit_2030"], out)


def _organization() -> Organization:
    org = Organization.objects.filter(name=ORG).first()
    return org or services.create_organization("system", {
        "name": ORG, "title": "Landeshauptstadt Düsseldorf – Umweltamt",
        "description": "Luftqualität, Lärm und Klima."})


def publish_all(actor: object = "system") -> list[Dataset]:
    org = _organization()
    published = []
    for pub in PUBLICATIONS:
        ds = Dataset.objects.filter(name=pub.name).first()
        if ds is None:
            ds = services.create_dataset(actor, {
                "name": pub.name, "title": pub.title, "notes": pub.notes, "owner_org": org.name,
                "license_id": vocab.LICENSE_BASE + pub.licence,
                "tag_string": "Luftqualität,Stickstoffdioxid,Feinstaub,Green City",
                "extras": [{"key": "frequency", "value": "DAILY"}],
            })
        Dataset.objects.filter(pk=ds.pk).update(publisher_key=f"airquality.{pub.kind}.{pub.data_class}")
        content = daily_csv(pub.data_class) if pub.kind == "daily" else annual_csv(pub.data_class)
        services.publish_resource_content(actor, ds, name=f"{pub.title} (CSV)", filename=f"{pub.name}.csv",
                                          content=content, fmt="CSV", description=pub.notes)
        published.append(ds)
    return published
