"""Legal deadlines in working days (pure: no Django).

Rules (documented in docs/portal.md, "Vorgänge und Fristen"):

* Working days are Monday to Friday except the public holidays of North Rhine-Westphalia
  (``holidays`` package, subdivision "NW").
* The day of receipt does not count (§ 31 Abs. 1 VwVfG with § 187 Abs. 1 BGB): a 10-working-day
  deadline for a case received on a Monday ends on the Monday two weeks later (no holidays in between).
* While the authority waits for the citizen (Rückfrage) the deadline is suspended. The working days
  of a closed suspension (the day after the question up to and including the day of the answer)
  extend the due date. An open suspension pauses the clock: the case is never overdue meanwhile.
* A team lead may extend a deadline by a number of working days.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import holidays

SATURDAY = 5


class WorkingCalendar:
    """Working days of one region; public holidays are computed per year on demand."""

    def __init__(self, subdiv: str = "NW", extra_holidays: Iterable[date] = ()) -> None:
        self._holidays = holidays.country_holidays("DE", subdiv=subdiv)
        self._extra = frozenset(extra_holidays)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < SATURDAY and day not in self._holidays and day not in self._extra

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day)

    def add_working_days(self, start: date, days: int) -> date:
        """The date ``days`` working days after ``start`` (``start`` itself never counts)."""
        if days < 0:
            raise ValueError("days must not be negative")
        current = start
        while days > 0:
            current += timedelta(days=1)
            if self.is_working_day(current):
                days -= 1
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in the half-open interval (start, end]; negative if end lies before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        current = start
        while current < end:
            current += timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


NRW = WorkingCalendar("NW")


@dataclass(frozen=True)
class Suspension:
    start: date  # the day the question went out
    end: date | None = None  # the day the answer arrived; None while still waiting


@dataclass(frozen=True)
class DeadlineState:
    due: date  # while suspended: the due date if the citizen answered today
    remaining_working_days: int  # negative when overdue
    overdue: bool
    suspended: bool


def suspended_working_days(suspensions: Iterable[Suspension], *, today: date,
                           calendar: WorkingCalendar = NRW) -> int:
    """Working days the clock stood still; an open suspension counts up to today."""
    return sum(max(0, calendar.working_days_between(s.start, s.end or today)) for s in suspensions)


def due_date(received: date, working_days: int, *, suspensions: Iterable[Suspension] = (),
             extension_days: int = 0, today: date | None = None, calendar: WorkingCalendar = NRW) -> date:
    """Last day of the legal deadline, counting suspensions and extensions."""
    today = today or date.today()
    paused = suspended_working_days(suspensions, today=today, calendar=calendar)
    return calendar.add_working_days(received, working_days + extension_days + paused)


def deadline_state(received: date, working_days: int, *, suspensions: Iterable[Suspension] = (),
                   extension_days: int = 0, today: date, calendar: WorkingCalendar = NRW) -> DeadlineState:
    suspensions = tuple(suspensions)
    due = due_date(received, working_days, suspensions=suspensions, extension_days=extension_days,
                   today=today, calendar=calendar)
    suspended = any(s.end is None for s in suspensions)
    remaining = calendar.working_days_between(today, due)
    return DeadlineState(due=due, remaining_working_days=remaining, overdue=not suspended and today > due,
                         suspended=suspended)
