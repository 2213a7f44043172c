"""UBA Luftqualitätsindex (LQI), versioned: every index value says which scheme produced it.

Bands are upper bounds (inclusive, µg/m³, values rounded to whole numbers first as UBA publishes them);
the worst pollutant decides the overall class.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

LABELS = ("sehr gut", "gut", "mäßig", "schlecht", "sehr schlecht")
LABELS_EN = ("very good", "good", "moderate", "poor", "very poor")

# Upper bounds of classes 0..3; above the last bound is class 4 ("sehr schlecht").
SCHEMES: dict[str, dict[str, tuple[int, int, int, int]]] = {
    # Revised 2025 (WHO 2021 based). [verify] whether PM uses 1-h or hourly moving 24-h means.
    "UBA_LQI_2025": {
        "PM10": (9, 27, 54, 90),
        "PM2.5": (5, 15, 30, 50),
        "O3": (24, 72, 144, 240),
        "NO2": (10, 30, 60, 100),
        "SO2": (10, 30, 60, 100),
    },
    "UBA_LQI_2019": {
        "NO2": (20, 40, 100, 200),
        "PM10": (20, 35, 50, 100),
        "PM2.5": (10, 20, 25, 50),
        "O3": (60, 120, 180, 240),
    },
}
CURRENT_SCHEME = "UBA_LQI_2025"


@dataclass(frozen=True)
class IndexValue:
    index: int  # 0 = sehr gut … 4 = sehr schlecht
    scheme: str
    pollutant: str  # the pollutant that decided the class
    incomplete: bool = False  # not all pollutants of the scheme were available

    @property
    def label(self) -> str:
        return LABELS[self.index]


def pollutant_class(pollutant: str, value: float, scheme: str = CURRENT_SCHEME) -> int | None:
    """Class 0–4 for one pollutant, or None if the scheme does not rate it."""
    bounds = SCHEMES[scheme].get(pollutant)
    if bounds is None:
        return None
    rounded = int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    for cls, upper in enumerate(bounds):
        if rounded <= upper:
            return cls
    return 4


def air_quality_index(values: Mapping[str, float], scheme: str = CURRENT_SCHEME) -> IndexValue | None:
    """Overall index from the current values per pollutant; the worst class decides."""
    rated = [(cls, p) for p, v in values.items() if (cls := pollutant_class(p, v, scheme)) is not None]
    if not rated:
        return None
    cls, pollutant = max(rated)
    incomplete = not set(SCHEMES[scheme]) <= set(values)
    return IndexValue(cls, scheme, pollutant, incomplete)
