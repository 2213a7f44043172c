"""Dashboard figures for a set of departments, computed in the database."""

import statistics
from datetime import timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField
from django.db.models.functions import Extract, TruncWeek
from django.utils import timezone

from smartcity.cases.models import Case
from smartcity.cases.services import overdue_cases
from smartcity.cases.type_cache import case_config

WEEKS = 12
MEDIAN_WINDOW_DAYS = 365


class Median(Aggregate):
    """PostgreSQL's exact median; SQLite (demo) falls back to Python."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _median_days(cases) -> dict[int, float]:
    """Median processing time in days per case type, over cases closed in the last year."""
    closed = cases.filter(closed_at__isnull=False,
                          closed_at__gte=timezone.now() - timedelta(days=MEDIAN_WINDOW_DAYS))
    if connection.vendor == "postgresql":
        seconds = Extract(F("closed_at") - F("received_at"), "epoch")
        return {row["case_type"]: row["median"] / 86400 for row in
                closed.values("case_type").annotate(median=Median(seconds)).order_by()}
    durations: dict[int, list[float]] = {}
    for type_id, duration in closed.annotate(
            took=F("closed_at") - F("received_at")).values_list("case_type", "took").iterator():
        seconds = duration.total_seconds() if isinstance(duration, timedelta) else float(duration) / 1e6
        durations.setdefault(type_id, []).append(seconds / 86400)
    return {type_id: statistics.median(values) for type_id, values in durations.items()}


def dashboard(department_ids: list[int]) -> dict[str, Any]:
    cases = Case.objects.filter(department_id__in=department_ids)
    open_cases = cases.filter(closed_at__isnull=True)
    types = case_config.get().types_of(department_ids)
    per_status: dict[str, int] = {}
    for row in open_cases.values("case_type", "status").annotate(n=Count("id")).order_by():
        case_type = types.get(row["case_type"])
        label = case_type.flow.label(row["status"]) if case_type else row["status"]
        per_status[label] = per_status.get(label, 0) + row["n"]
    medians = _median_days(cases)
    since = timezone.now() - timedelta(weeks=WEEKS)
    weekly = list(cases.filter(received_at__gte=since).annotate(week=TruncWeek("received_at"))
                  .values("week").annotate(n=Count("id")).order_by("week"))
    peak = max((w["n"] for w in weekly), default=0)
    return {
        "no_departments": not department_ids,
        "open_total": sum(per_status.values()),
        "per_status": sorted(per_status.items(), key=lambda kv: -kv[1]),
        "overdue": overdue_cases().filter(department_id__in=department_ids).count(),
        "medians": sorted(((types[pk].name, round(days, 1)) for pk, days in medians.items() if pk in types)),
        "weekly": [{"week": w["week"], "n": w["n"], "percent": round(100 * w["n"] / peak) if peak else 0}
                   for w in weekly],
    }

