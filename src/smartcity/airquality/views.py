"""Dashboard pages under /luft/. Every view offers its data as CSV (?format=csv) and as an HTML table."""

import csv
from datetime import date, timedelta

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from . import reports
from .domain import indicators as ind
from .domain import lqi
from .domain.limits import LIMITS, Averaging
from .models import DataClass, Datastream, IngestCounter, Measure, RejectionCounter, Thing


def csv_response(filename: str, header: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response, delimiter=";")
    writer.writerow(header)
    writer.writerows(rows)
    return response


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def dashboard(request: HttpRequest) -> HttpResponse:
    rows = reports.stations()
    if request.GET.get("format") == "csv":
        return csv_response("luftqualitaet-aktuell.csv", ["station", "code", "lon", "lat", "pollutant", "value",
                                                         "time_utc", "lqi", "lqi_scheme"], (
            [r.thing.name, r.thing.description, r.lon, r.lat, p, v, ind.hour_end(t).isoformat(),
             r.index.index if r.index else "", r.index.scheme if r.index else ""]
            for r in rows for p, (v, t) in sorted(r.latest.items())))
    labels = lqi.LABELS if request.LANGUAGE_CODE == "de" else lqi.LABELS_EN
    map_data = [
        {"name": r.thing.name, "url": f"station/{r.thing.pk}/", "lon": r.lon, "lat": r.lat,
         "index": r.index.index if r.index else None, "label": labels[r.index.index] if r.index else "",
         "values": {p: round(v, 1) for p, (v, _t) in r.latest.items()}, "citizen": r.data_class == DataClass.CITIZEN}
        for r in rows if r.lon is not None
    ]
    return render(request, "airquality/dashboard.html", {
        "rows": rows, "map_data": map_data, "pollutants": reports.POLLUTANTS, "labels": labels,
        "bands": lqi.SCHEMES[lqi.CURRENT_SCHEME], "scheme": lqi.CURRENT_SCHEME,
    })


def station(request: HttpRequest, pk: int) -> HttpResponse:
    thing = get_object_or_404(Thing, pk=pk)
    streams = Datastream.objects.filter(thing=thing).select_related("observed_property").order_by("pk")
    fmt, ds_id, resolution = request.GET.get("format"), request.GET.get("ds"), request.GET.get("res", "daily")
    if fmt == "csv" and ds_id and ds_id.isdigit():
        report = reports.stream_report(get_object_or_404(streams, pk=int(ds_id)))
        if resolution == "hourly":
            return csv_response(f"{thing.name}-{report.code}-stuendlich.csv", ["hour_end_cet", "mean_ug_m3"],
                                ([ind.cet_label(h), _fmt(v)] for h, v in report.hourly))
        return csv_response(f"{thing.name}-{report.code}-taeglich.csv",
                            ["day_cet", "mean_ug_m3", "valid_hours", "max_8h_mean_ug_m3"],
                            ([d.isoformat(), _fmt(m), n, _fmt(m8)] for d, m, n, m8 in report.daily))
    stream_reports = [reports.stream_report(ds) for ds in streams]
    charts = [
        {"id": f"chart-{r.datastream.pk}", "title": r.datastream.name,
         "unit": r.datastream.observed_property.unit_symbol,
         "hourly": [[int(h.timestamp()), v] for h, v in r.hourly],
         "daily": [[int(ind.hour_end_of_day(d).timestamp()), m] for d, m, *_ in r.daily],
         "limits": [{"value": lv.value, "averaging": lv.averaging.value,
                     "label": f"{lv.regime} {lv.averaging} {lv.value:g}"} for lv in r.limit_lines]}
        for r in stream_reports
    ]
    return render(request, "airquality/station.html", {
        "thing": thing, "reports": stream_reports, "charts": charts,
        "is_citizen": any(ds.data_class == DataClass.CITIZEN for ds in streams),
    })


def compare(request: HttpRequest) -> HttpResponse:
    """Compare stations for one pollutant, and before/after a measure's start date."""
    code = request.GET.get("pollutant", "NO2")
    if code not in reports.POLLUTANTS:
        code = "NO2"
    streams = list(
        Datastream.objects.filter(observed_property__code=code).select_related("thing").order_by("thing__name")
    )
    measures = list(Measure.objects.order_by("-start"))
    chosen = request.GET.get("measure")
    measure = next((ms for ms in measures if str(ms.pk) == chosen), measures[0] if measures else None)
    pivot = measure.start if measure else date.today()
    try:
        window = max(7, min(int(request.GET.get("window", "28")), 365))
    except ValueError:
        window = 28
    results = [(ds, reports.compare_before_after(ds, pivot, window)) for ds in streams]
    end = max((ds.latest_time for ds in streams if ds.latest_time), default=None)
    end_day = ind.cet_day(end) if end else date.today()
    days = [end_day - timedelta(days=i) for i in range(29, -1, -1)]
    series = {ds.pk: reports.daily_series(ds, days[0], days[-1]) for ds in streams}
    table = [(d, [series[ds.pk].get(d) for ds in streams]) for d in days]
    if request.GET.get("format") == "csv":
        return csv_response(f"vergleich-{code}.csv", ["day_cet", *[ds.thing.name for ds in streams]],
                            ([d.isoformat(), *[_fmt(v) for v in vals]] for d, vals in table))
    chart = {"id": "chart-compare", "title": code, "unit": "µg/m³",
             "series": [ds.thing.name for ds in streams],
             "x": [int(ind.hour_end_of_day(d).timestamp()) for d in days],
             "ys": [[series[ds.pk].get(d) for d in days] for ds in streams]}
    return render(request, "airquality/compare.html", {
        "code": code, "pollutants": reports.POLLUTANTS, "streams": streams, "table": table, "results": results,
        "measures": measures, "measure": measure, "window": window, "pivot": pivot, "chart": chart,
    })


def limits(request: HttpRequest) -> HttpResponse:
    rows = sorted(LIMITS, key=lambda lv: (lv.pollutant, list(Averaging).index(lv.averaging), lv.kind, lv.regime))
    if request.GET.get("format") == "csv":
        return csv_response("grenzwerte.csv", ["pollutant", "averaging", "kind", "regime", "value", "unit",
                                              "allowed_exceedances", "source", "needs_verification"],
                            ([lv.pollutant, lv.averaging, lv.kind, lv.regime, lv.value, lv.unit,
                              lv.allowed_exceedances, lv.source, lv.needs_verification] for lv in rows))
    return render(request, "airquality/limits.html", {"rows": rows})


def health(request: HttpRequest) -> HttpResponse:
    rejections = list(RejectionCounter.objects.order_by("source", "reason"))
    accepted = list(IngestCounter.objects.order_by("source"))
    if request.GET.get("format") == "csv":
        return csv_response("ingest-health.csv", ["source", "reason", "count", "last_at", "last_detail"], (
            [r.source, r.reason, r.count, r.last_at.isoformat(), r.last_detail] for r in rejections))
    totals = {c.source: c.accepted for c in accepted}
    rejected = dict(RejectionCounter.objects.values("source").annotate(n=Sum("count")).values_list("source", "n"))
    sources = sorted(set(totals) | set(rejected))
    summary = [(s, totals.get(s, 0), rejected.get(s, 0)) for s in sources]
    reasons = {
        "malformed": _("Fehlerhaftes JSON oder Format"), "unknown_datastream": _("Unbekannter Datastream"),
        "out_of_range": _("Wert außerhalb des plausiblen Bereichs"), "naive_timestamp": _("Zeitstempel ohne Zeitzone"),
        "bad_timestamp": _("Ungültiger Zeitstempel"), "not_numeric": _("Kein Zahlenwert"),
        "wrong_unit": _("Falsche Einheit"), "too_large": _("Nachricht zu groß"),
    }
    return render(request, "airquality/health.html", {
        "rejections": [(r, reasons.get(r.reason, r.reason)) for r in rejections], "summary": summary,
    })
