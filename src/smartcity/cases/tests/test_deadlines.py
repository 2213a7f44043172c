"""Deadline arithmetic: pure, table-driven, against the real NRW holiday calendar."""

from datetime import date as d

import pytest

from smartcity.cases.deadlines import NRW, Suspension, WorkingCalendar, deadline_state, due_date


@pytest.mark.parametrize(("received", "days", "expected"), [
    (d(2026, 3, 2), 0, d(2026, 3, 2)),  # zero days: the day itself
    (d(2026, 3, 2), 1, d(2026, 3, 3)),  # the day of receipt does not count
    (d(2026, 3, 2), 5, d(2026, 3, 9)),  # Monday + 5 = next Monday
    (d(2026, 3, 6), 1, d(2026, 3, 9)),  # Friday → Monday
    (d(2026, 3, 7), 1, d(2026, 3, 9)),  # received on a Saturday
    (d(2026, 3, 8), 1, d(2026, 3, 9)),  # received on a Sunday
    (d(2026, 3, 30), 5, d(2026, 4, 8)),  # Good Friday and Easter Monday skipped
    (d(2026, 4, 2), 1, d(2026, 4, 7)),  # Thursday before Easter → Tuesday after
    (d(2026, 4, 30), 1, d(2026, 5, 4)),  # 1 May (Friday)
    (d(2026, 5, 13), 1, d(2026, 5, 15)),  # Ascension Day
    (d(2026, 5, 22), 1, d(2026, 5, 26)),  # Whit Monday
    (d(2026, 6, 3), 1, d(2026, 6, 5)),  # Corpus Christi is a holiday in NRW
    (d(2026, 10, 30), 1, d(2026, 11, 2)),  # All Saints on a Sunday changes nothing
    (d(2026, 12, 23), 1, d(2026, 12, 24)),  # Christmas Eve is a working day
    (d(2026, 12, 23), 3, d(2026, 12, 29)),  # 25 December, weekend
    (d(2026, 12, 23), 6, d(2027, 1, 4)),  # across the year end and New Year's Day
    (d(2026, 12, 1), 20, d(2026, 12, 30)),
])
def test_add_working_days(received, days, expected):
    assert NRW.add_working_days(received, days) == expected
    assert NRW.is_working_day(expected) or days == 0


def test_corpus_christi_is_nrw_specific():
    berlin = WorkingCalendar("BE")
    assert berlin.add_working_days(d(2026, 6, 3), 1) == d(2026, 6, 4)
    assert NRW.holiday_name(d(2026, 6, 4))


def test_negative_days_are_refused():
    with pytest.raises(ValueError):
        NRW.add_working_days(d(2026, 3, 2), -1)


@pytest.mark.parametrize(("start", "end", "expected"), [
    (d(2026, 3, 2), d(2026, 3, 2), 0),
    (d(2026, 3, 2), d(2026, 3, 9), 5),
    (d(2026, 3, 9), d(2026, 3, 2), -5),
    (d(2026, 4, 2), d(2026, 4, 7), 1),  # Easter: only the Tuesday counts
    (d(2026, 12, 23), d(2027, 1, 4), 6),
    (d(2026, 3, 6), d(2026, 3, 8), 0),  # a weekend
])
def test_working_days_between(start, end, expected):
    assert NRW.working_days_between(start, end) == expected


@pytest.mark.parametrize(("received", "days", "suspensions", "extension", "expected"), [
    (d(2026, 3, 23), 10, [], 0, d(2026, 4, 8)),
    # The question went out on Maundy Thursday, the answer came on the Tuesday after Easter: 1 working day.
    (d(2026, 3, 23), 10, [Suspension(d(2026, 4, 2), d(2026, 4, 7))], 0, d(2026, 4, 9)),
    # Suspended over Christmas and New Year: 6 working days added.
    (d(2026, 12, 1), 20, [Suspension(d(2026, 12, 23), d(2027, 1, 4))], 0, d(2027, 1, 8)),
    # Two suspensions add up; an answer on the same day suspends nothing.
    (d(2026, 3, 2), 5, [Suspension(d(2026, 3, 3), d(2026, 3, 5)), Suspension(d(2026, 3, 6), d(2026, 3, 6))], 0,
     d(2026, 3, 11)),
    # Extension by the team lead, across Easter.
    (d(2026, 3, 23), 10, [], 3, d(2026, 4, 13)),
])
def test_due_date(received, days, suspensions, extension, expected):
    assert due_date(received, days, suspensions=suspensions, extension_days=extension, today=d(2027, 6, 1)) == expected


def test_open_suspension_pauses_the_clock():
    received, suspended = d(2026, 3, 2), Suspension(d(2026, 3, 4))
    state = deadline_state(received, 5, suspensions=[suspended], today=d(2026, 3, 20))
    assert state.suspended and not state.overdue
    assert state.due == NRW.add_working_days(received, 5 + NRW.working_days_between(d(2026, 3, 4), d(2026, 3, 20)))


@pytest.mark.parametrize(("today", "remaining", "overdue"), [
    (d(2026, 3, 2), 5, False),
    (d(2026, 3, 9), 0, False),  # the last day still counts
    (d(2026, 3, 10), -1, True),
    (d(2026, 3, 14), -4, True),  # a Saturday after the due date
])
def test_deadline_state(today, remaining, overdue):
    state = deadline_state(d(2026, 3, 2), 5, today=today)
    assert state.due == d(2026, 3, 9)
    assert (state.remaining_working_days, state.overdue, state.suspended) == (remaining, overdue, False)
