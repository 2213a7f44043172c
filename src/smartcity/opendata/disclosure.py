"""Statistical disclosure control for published aggregates (pure).

A cell counting fewer than ``threshold`` people is suppressed; derived figures of that cell
(shares, medians) are suppressed with it, so that nobody can be identified from a small group.
"""

from collections.abc import Iterable
from statistics import median

DEFAULT_THRESHOLD = 5


def suppress(count: int, threshold: int = DEFAULT_THRESHOLD) -> int | None:
    return count if count >= threshold else None


def share(part: int, whole: int, threshold: int = DEFAULT_THRESHOLD) -> float | None:
    """part/whole rounded to two decimals; None when the group is too small to publish."""
    if whole < threshold or whole == 0:
        return None
    return round(part / whole, 2)


def safe_median(values: Iterable[float], threshold: int = DEFAULT_THRESHOLD) -> float | None:
    values = list(values)
    return round(median(values), 1) if len(values) >= threshold else None
