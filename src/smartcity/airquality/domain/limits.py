"""All limit, target and threshold values in one table, so a correction happens in one place.

Sources and "[verify]" markers follow docs/../shared reference §6. Values flagged ``needs_verification``
were inferred from secondary sources; check them against the legal text before relying on them.
"""

from dataclasses import dataclass
from enum import StrEnum


class Regime(StrEnum):
    EU2008 = "2008/50/EG"  # in force today (39. BImSchV)
    EU2030 = "(EU) 2024/2881"  # limits to be met by 1 January 2030


class Averaging(StrEnum):
    HOUR = "1h"
    DAY = "24h"
    MAX_DAILY_8H = "max8h"
    YEAR = "year"


class Kind(StrEnum):
    LIMIT = "limit"
    TARGET = "target"
    INFORMATION = "information"
    ALERT = "alert"


@dataclass(frozen=True)
class LimitValue:
    pollutant: str  # NO2, PM10, PM2.5, O3, SO2, CO, C6H6
    averaging: Averaging
    value: float
    regime: Regime
    kind: Kind = Kind.LIMIT
    allowed_exceedances: int | None = None  # per calendar year; None = a mean that must not be exceeded at all
    consecutive_hours: int = 1  # alert thresholds "measured over three consecutive hours" (Annex XII A)
    years_averaged: int = 1  # O3 target: exceedance days averaged over three years (Annex VII B)
    unit: str = "µg/m³"
    source: str = ""
    needs_verification: bool = False


_EEA_NO2 = "EEA, NO2 limit values (Directive 2008/50/EC Annex XI)"
_EEA_PM10 = "EEA, PM10 limit values (Directive 2008/50/EC Annex XI)"
_AIRCLIM = "EUR-Lex 2024/2881 Annex I as summarised by airclim.org"

LIMITS: tuple[LimitValue, ...] = (
    # Directive 2008/50/EC
    LimitValue("NO2", Averaging.HOUR, 200, Regime.EU2008, allowed_exceedances=18, source=_EEA_NO2),
    LimitValue("NO2", Averaging.YEAR, 40, Regime.EU2008, source=_EEA_NO2),
    LimitValue("PM10", Averaging.DAY, 50, Regime.EU2008, allowed_exceedances=35, source=_EEA_PM10),
    LimitValue("PM10", Averaging.YEAR, 40, Regime.EU2008, source=_EEA_PM10),
    LimitValue("PM2.5", Averaging.YEAR, 25, Regime.EU2008, source="Directive 2008/50/EC Annex XIV"),
    LimitValue("SO2", Averaging.HOUR, 350, Regime.EU2008, allowed_exceedances=24, source="EEA"),
    LimitValue("SO2", Averaging.DAY, 125, Regime.EU2008, allowed_exceedances=3, source="EEA"),
    LimitValue("C6H6", Averaging.YEAR, 5, Regime.EU2008, source="Directive 2008/50/EC Annex XI"),
    LimitValue("CO", Averaging.MAX_DAILY_8H, 10, Regime.EU2008, unit="mg/m³", source="Directive 2008/50/EC Annex XI"),
    LimitValue("O3", Averaging.MAX_DAILY_8H, 120, Regime.EU2008, Kind.TARGET, allowed_exceedances=25,
               years_averaged=3, source="Directive 2008/50/EC Annex VII B (25 days, averaged over 3 years); EEA"),
    # Annex XII B. Checked against UBA and the EEA glossary and against Annex II of Directive 2002/3/EC, whose
    # values 2008/50/EC took over; the consolidated 2008/50/EC text itself was not at hand, hence the flag.
    LimitValue("O3", Averaging.HOUR, 180, Regime.EU2008, Kind.INFORMATION, source="Directive 2008/50/EC Annex XII B",
               needs_verification=True),
    LimitValue("O3", Averaging.HOUR, 240, Regime.EU2008, Kind.ALERT, source="Directive 2008/50/EC Annex XII B",
               needs_verification=True),
    # Annex XII A as listed by ECHA ("to be measured over three consecutive hours at locations representative
    # of at least 100 km² or a zone"): a station's own series is an approximation of that rule.
    LimitValue("NO2", Averaging.HOUR, 400, Regime.EU2008, Kind.ALERT, consecutive_hours=3,
               source="Directive 2008/50/EC Annex XII A (3 consecutive hours)", needs_verification=True),
    # Directive (EU) 2024/2881, to be met by 1 January 2030
    LimitValue("NO2", Averaging.YEAR, 20, Regime.EU2030, source=_AIRCLIM),
    LimitValue("NO2", Averaging.DAY, 50, Regime.EU2030, allowed_exceedances=18, source=_AIRCLIM,
               needs_verification=True),
    LimitValue("NO2", Averaging.HOUR, 200, Regime.EU2030, allowed_exceedances=3, source=_AIRCLIM,
               needs_verification=True),
    LimitValue("PM10", Averaging.YEAR, 20, Regime.EU2030, source=_AIRCLIM),
    LimitValue("PM10", Averaging.DAY, 45, Regime.EU2030, allowed_exceedances=18, source=_AIRCLIM,
               needs_verification=True),
    LimitValue("PM2.5", Averaging.YEAR, 10, Regime.EU2030, source=_AIRCLIM),
    LimitValue("PM2.5", Averaging.DAY, 25, Regime.EU2030, allowed_exceedances=18, source=_AIRCLIM,
               needs_verification=True),
    LimitValue("C6H6", Averaging.YEAR, 3.4, Regime.EU2030, source=_AIRCLIM),
    LimitValue("CO", Averaging.DAY, 4, Regime.EU2030, unit="mg/m³", source=_AIRCLIM, needs_verification=True),
    LimitValue("O3", Averaging.MAX_DAILY_8H, 120, Regime.EU2030, Kind.TARGET, source=_AIRCLIM,
               needs_verification=True),
)


def limits_for(pollutant: str, *, regime: Regime | None = None, kind: Kind | None = None) -> list[LimitValue]:
    return [
        lv
        for lv in LIMITS
        if lv.pollutant == pollutant and (regime is None or lv.regime == regime) and (kind is None or lv.kind == kind)
    ]


def limit(pollutant: str, averaging: Averaging, regime: Regime, kind: Kind = Kind.LIMIT) -> LimitValue | None:
    for lv in LIMITS:
        if (lv.pollutant, lv.averaging, lv.regime, lv.kind) == (pollutant, averaging, regime, kind):
            return lv
    return None
