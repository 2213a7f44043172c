"""Open-data statistics: per zone and month, automated share, time to issue, small counts suppressed."""

import itertools
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from smartcity.parking.statistics import FIELDS, MIN_COUNT, monthly_zone_statistics

from . import factories

pytestmark = pytest.mark.django_db


_plates = itertools.count(1)


def _issue(zone: str, when: datetime, *, minutes: float, automated: bool = True) -> None:
    factories.permit(plate=f"D-S {next(_plates)}", zone_code=zone, issued_at=when,
                     submitted_at=when - timedelta(minutes=minutes), automated=automated)


def _at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour))


def test_zone_month_figures_and_suppression():
    for i in range(6):  # November HO: 6 permits, 5 automated, minutes 1..6 → median 3.5
        _issue("HO", _at(2026, 11, 3 + i), minutes=i + 1, automated=i < 5)
    for i in range(MIN_COUNT - 1):  # November MÜ: 4 permits → suppressed
        _issue("MÜ", _at(2026, 11, 3 + i), minutes=2)
    _issue("HO", _at(2026, 12, 1), minutes=1)  # current month: not complete, left out
    rows = monthly_zone_statistics(today=date(2026, 12, 7))
    assert rows == [
        {"month": "2026-11", "zone": "HO", "permits_issued": 6, "automated_share": 0.83,
         "median_minutes_to_issue": 3.5, "suppressed": False},
        {"month": "2026-11", "zone": "MÜ", "permits_issued": None, "automated_share": None,
         "median_minutes_to_issue": None, "suppressed": True},
    ]
    assert all(list(row) == FIELDS for row in rows)


def test_month_follows_german_time_and_since_filters():
    _issue("HO", timezone.make_aware(datetime(2026, 10, 31, 23, 30)), minutes=1)  # local time: still October
    for i in range(5):
        _issue("HO", _at(2026, 9, 10 + i), minutes=1)
    rows = monthly_zone_statistics(today=date(2026, 12, 7))
    assert [(r["month"], r["suppressed"]) for r in rows] == [("2026-09", False), ("2026-10", True)]
    assert [r["month"] for r in monthly_zone_statistics(since=date(2026, 10, 15), today=date(2026, 12, 7))] == [
        "2026-10"]


def test_no_personal_data_in_the_output():
    for i in range(5):
        _issue("HO", _at(2026, 11, 3 + i), minutes=1)
    text = repr(monthly_zone_statistics(today=date(2026, 12, 7)))
    assert "D-S" not in text and "Mustermann" not in text
