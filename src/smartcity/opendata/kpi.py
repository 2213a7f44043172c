"""Service KPIs as open data: per service and month, applications received, decided, the share decided
automatically and the median processing time. Only aggregates leave this module; small groups are
suppressed (``disclosure``)."""

import csv
import io
from collections import defaultdict
from datetime import date, datetime, time

from django.utils import timezone

from . import disclosure
from .publishers import Publication

FIELDS = ["monat", "leistung", "leistung_name", "antraege_eingegangen", "entscheidungen", "anteil_automatisch",
          "median_bearbeitungstage", "unterdrueckt"]
DATASET = {
    "name": "kennzahlen-digitale-verwaltungsleistungen",
    "title": "Kennzahlen der digitalen Verwaltungsleistungen",
    "owner_org": "duesseldorf",
    "notes": "Monatliche Kennzahlen je Online-Leistung des Digitalen Rathauses: eingegangene Anträge, "
             "Entscheidungen, Anteil der vollautomatisch entschiedenen Anträge und mittlere Bearbeitungszeit "
             "(Median in Tagen). Werte aus Gruppen mit weniger als fünf Anträgen werden nicht veröffentlicht.",
    "tags": ["Verwaltung", "Digitalisierung", "Kennzahlen"],
    "groups": ["gove"],
    "frequency": "MONTHLY",
    "maintainer": "Digitales Rathaus",
    "maintainer_email": "opendata@duesseldorf.de",
}


def _month_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day.replace(day=1), time.min))


def rows(today: date | None = None) -> list[dict]:
    """One row per service and complete month, oldest first."""
    from smartcity.cases.models import Case, StatusChange

    today = today or timezone.localdate()
    cutoff = _month_start(today)
    received: dict[tuple[str, str], int] = defaultdict(int)
    names: dict[str, str] = {}
    for code, name, at in Case.objects.filter(received_at__lt=cutoff).values_list(
            "case_type__code", "case_type__name", "received_at"):
        received[(timezone.localtime(at).strftime("%Y-%m"), code)] += 1
        names[code] = name
    decided: dict[tuple[str, str], list[tuple[float, bool]]] = defaultdict(list)
    closed = Case.objects.filter(closed_at__lt=cutoff, closed_at__isnull=False).exclude(outcome="")
    # A decision is automatic when no person made the final status change.
    human = set(StatusChange.objects.filter(case__in=closed, actor__isnull=False,
                                            to_status__in=closed.values("status")).values_list("case_id", flat=True))
    for pk, code, name, rec, done in closed.values_list("pk", "case_type__code", "case_type__name", "received_at",
                                                        "closed_at"):
        names[code] = name
        days = (done - rec).total_seconds() / 86400
        decided[(timezone.localtime(done).strftime("%Y-%m"), code)].append((days, pk not in human))
    result = []
    for month, code in sorted(set(received) | set(decided)):
        n_in = received.get((month, code), 0)
        dec = decided.get((month, code), [])
        small = n_in < disclosure.DEFAULT_THRESHOLD and len(dec) < disclosure.DEFAULT_THRESHOLD
        result.append({
            "monat": month, "leistung": code, "leistung_name": names.get(code, code),
            "antraege_eingegangen": disclosure.suppress(n_in),
            "entscheidungen": disclosure.suppress(len(dec)),
            "anteil_automatisch": disclosure.share(sum(1 for _, auto in dec if auto), len(dec)),
            "median_bearbeitungstage": disclosure.safe_median(d for d, _ in dec),
            "unterdrueckt": "ja" if small else "nein",
        })
    return result


def publication() -> Publication:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, delimiter=";", lineterminator="\n")
    writer.writeheader()
    data = rows()
    for row in data:
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    metadata = {}
    if data:
        metadata = {"extras": [{"key": "temporal_start", "value": data[0]["monat"] + "-01"}]}
    return Publication(resource_name="Kennzahlen je Leistung und Monat (CSV)", filename="kennzahlen-leistungen.csv",
                       content=buffer.getvalue().encode("utf-8"), format="CSV", metadata=metadata,
                       description="Semikolon-getrennt, UTF-8. Leere Felder: wegen kleiner Fallzahl unterdrückt.")
