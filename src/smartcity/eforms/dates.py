"""Relative date bounds in definitions: "today", "today+30d", "today-18y", "today-6m" or an ISO date."""

import re
from datetime import date

_RELATIVE = re.compile(r"^today(?:([+-])(\d{1,4})([dmy]))?$")


class DateSpecError(ValueError):
    pass


def _add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    year, month = divmod(month_index, 12)
    for candidate in (day.day, 30, 29, 28):  # 31 January + 1 month = 28/29 February
        try:
            return date(year, month + 1, min(day.day, candidate))
        except ValueError:
            continue
    raise DateSpecError(day)


def resolve(spec: str, today: date) -> date:
    spec = str(spec).strip()
    match = _RELATIVE.match(spec)
    if match:
        sign, number, unit = match.groups()
        if not sign:
            return today
        amount = int(number) * (1 if sign == "+" else -1)
        if unit == "d":
            return date.fromordinal(today.toordinal() + amount)
        return _add_months(today, amount * (12 if unit == "y" else 1))
    try:
        return date.fromisoformat(spec)
    except ValueError:
        raise DateSpecError(f"„{spec}“ ist keine gültige Datumsgrenze (z. B. today, today-18y, 2020-01-31).")
