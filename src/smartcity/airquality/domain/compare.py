"""Before/after statistics for a measure's start date (e.g. the Umweltspur from April 2019). Pure Python.

Deliberately simple: difference of means, relative change and Welch's t-test with a normal approximation of
the p-value (fine for the ≥ 30 daily means a sensible comparison window has). Not weather-normalised:
the dashboard says so next to the figures.
"""

import math
from dataclasses import dataclass
from statistics import fmean, variance


@dataclass(frozen=True)
class BeforeAfter:
    n_before: int
    n_after: int
    mean_before: float | None
    mean_after: float | None
    difference: float | None  # after − before
    relative_change: float | None  # difference / before
    p_value: float | None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 0.05


def before_after(before: list[float], after: list[float]) -> BeforeAfter:
    if not before or not after:
        return BeforeAfter(len(before), len(after), fmean(before) if before else None,
                           fmean(after) if after else None, None, None, None)
    mb, ma = fmean(before), fmean(after)
    diff = ma - mb
    p = None
    if len(before) >= 2 and len(after) >= 2:
        se = math.sqrt(variance(before) / len(before) + variance(after) / len(after))
        p = math.erfc(abs(diff / se) / math.sqrt(2)) if se > 0 else (0.0 if diff else 1.0)
    return BeforeAfter(len(before), len(after), mb, ma, diff, diff / mb if mb else None, p)
