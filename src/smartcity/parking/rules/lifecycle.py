"""Validity periods, renewal window, reminders and refunds as pure functions (no Django)."""

import calendar
import datetime as dt
from dataclasses import dataclass


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day n months later, clamped to the month's end (31 Jan + 1 month → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def validity(start: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """A permit of n months starting on ``start`` is valid up to and including the day before."""
    return start, add_months(start, months) - dt.timedelta(days=1)


def renewal_validity(today: dt.date, current_until: dt.date, months: int) -> tuple[dt.date, dt.date]:
    """A renewal starts today and credits the remaining time: new end = old end + n months.

    The old permit is replaced at once, so there is never more than one active permit per person.
    After expiry, a renewal is simply a new period from today.
    """
    if current_until < today:
        return validity(today, months)
    return today, add_months(current_until + dt.timedelta(days=1), months) - dt.timedelta(days=1)


def renewal_opens_on(valid_until: dt.date, window_days: int) -> dt.date:
    return valid_until - dt.timedelta(days=window_days)


def renewal_open(today: dt.date, valid_until: dt.date, window_days: int) -> bool:
    """Renewal is possible from ``window_days`` before expiry (Hamburg and Düsseldorf practice: 6 weeks)."""
    return renewal_opens_on(valid_until, window_days) <= today <= valid_until


def reminder_due(today: dt.date, valid_until: dt.date, reminder_days: int) -> bool:
    return valid_until - dt.timedelta(days=reminder_days) <= today <= valid_until


@dataclass(frozen=True)
class Refund:
    cents: int
    unused_months: int
    explanation: str  # German


def pro_rata_refund(*, paid_cents: int, valid_from: dt.date, valid_until: dt.date, returned_on: dt.date,
                    retained_min_cents: int, admin_fee_cents: int, enabled: bool = True) -> Refund:
    """Refund for full unused months, keeping a minimum fee and an optional handling fee.

    Düsseldorf's pre-2018 rule: multi-year permits returned early are refunded pro rata, keeping the
    €30 fee for one year; UK councils deduct a handling fee. Both are parameters here.
    """
    if not enabled:
        return Refund(0, 0, "Nach der Gebührenordnung wird bei Rückgabe keine Gebühr erstattet.")
    total_months = _months_between(valid_from, valid_until + dt.timedelta(days=1))
    used_months = _months_between(valid_from, returned_on)
    if returned_on > valid_from and add_months(valid_from, used_months) < returned_on:
        used_months += 1  # a started month counts as used
    unused = max(0, total_months - used_months)
    if total_months <= 0 or unused == 0:
        return Refund(0, 0, "Es bleibt kein voller ungenutzter Monat; eine Erstattung ist nicht möglich.")
    retained = max(paid_cents * used_months // total_months, min(retained_min_cents, paid_cents))
    cents = max(0, paid_cents - retained - admin_fee_cents)
    text = (f"{unused} von {total_months} Monaten ungenutzt; einbehalten werden mindestens "
            f"{retained_min_cents / 100:.2f} €".replace(".", ","))
    if admin_fee_cents:
        text += f" und eine Bearbeitungsgebühr von {admin_fee_cents / 100:.2f} €".replace(".", ",")
    return Refund(cents, unused, text + ".")


def _months_between(start: dt.date, end: dt.date) -> int:
    """Number of whole months from start to end."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return max(0, months)
