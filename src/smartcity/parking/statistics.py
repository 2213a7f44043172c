"""Process statistics of resident parking, as open data: only aggregates leave this module.

Per zone and calendar month (complete months only): permits issued, the share decided automatically and the
median time from submission to issue. A cell based on fewer than ``MIN_COUNT`` permits is suppressed (all its
figures are None), so that no figure describes an identifiable handful of residents. There are deliberately
no city-wide totals next to the zone figures: a total minus the published zones would reveal a suppressed cell.
"""

from collections import defaultdict
from datetime import date, datetime, time
from statistics import median
from typing import TypedDict

from django.utils import timezone

from .models import Permit

MIN_COUNT = 5
FIELDS = ["month", "zone", "permits_issued", "automated_share", "median_minutes_to_issue", "suppressed"]


class ZoneMonth(TypedDict):
    month: str  # "2026-11"
    zone: str  # zone code
    permits_issued: int | None
    automated_share: float | None  # 0.0–1.0, two decimals
    median_minutes_to_issue: float | None  # submission of the application to issue of the permit
    suppressed: bool


def monthly_zone_statistics(*, since: date | None = None, today: date | None = None) -> list[ZoneMonth]:
    """Rows for every zone and complete month with at least one issued permit, oldest first."""
    today = today or timezone.localdate()
    first_of_month = today.replace(day=1)
    permits = Permit.objects.filter(issued_at__lt=_start(first_of_month))
    if since:
        permits = permits.filter(issued_at__gte=_start(since.replace(day=1)))
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])  # [issued, automated]
    minutes: dict[tuple[str, str], list[float]] = defaultdict(list)
    rows = permits.values_list("zone__code", "issued_at", "automated", "application__submitted_at")
    for zone, issued_at, automated, submitted_at in rows.iterator(chunk_size=10_000):
        key = (timezone.localtime(issued_at).strftime("%Y-%m"), zone)
        counts[key][0] += 1
        counts[key][1] += automated
        if submitted_at is not None and submitted_at <= issued_at:
            minutes[key].append((issued_at - submitted_at).total_seconds() / 60)
    return [_row(month, zone, issued, automated, minutes.get((month, zone), []))
            for (month, zone), (issued, automated) in sorted(counts.items())]


def _row(month: str, zone: str, issued: int, automated: int, minutes: list[float]) -> ZoneMonth:
    if issued < MIN_COUNT:
        return ZoneMonth(month=month, zone=zone, permits_issued=None, automated_share=None,
                         median_minutes_to_issue=None, suppressed=True)
    # The median rests on fewer values when some permits lack a submission time (counter cases); suppress it
    # on its own if those are too few.
    return ZoneMonth(month=month, zone=zone, permits_issued=issued, automated_share=round(automated / issued, 2),
                     median_minutes_to_issue=round(median(minutes), 1) if len(minutes) >= MIN_COUNT else None,
                     suppressed=False)


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
