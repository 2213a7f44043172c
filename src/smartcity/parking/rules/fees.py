"""Fees as pure functions over the city's fee table (no Django).

Legal basis: § 6a Abs. 5a StVG with the city's fee ordinance (in NRW delegated by § 4 Satz 2 ZustVO
Straßenverkehr). Only cost recovery and benefit may shape the amount (BVerwG, 13.06.2023, 9 CN 2.22),
so the table can vary by zone (location) and vehicle length, never by income.
"""

from dataclasses import dataclass

FEE_LEGAL_BASIS = "§ 6a Abs. 5a StVG i. V. m. der Gebührenordnung der Stadt"


class NoFee(LookupError):
    """No row of the fee table matches; the configuration is incomplete."""


@dataclass(frozen=True)
class Fee:
    cents: int
    basis: str  # German: which row applied, shown on the fee notice

    @property
    def euros(self) -> str:
        return format_euros(self.cents)


def format_euros(cents: int, language: str = "de") -> str:
    """German money format: 2500 → "25,00 €"; with ``language="en"``: "€25.00"."""
    euros, rest = divmod(cents, 100)
    if language.split("-")[0] == "en":
        return f"€{euros:,}.{rest:02d}"
    return f"{euros:,}".replace(",", ".") + f",{rest:02d} €"


def _matches(row: dict, channel: str, zone_code: str, length_mm: int | None, months: int) -> bool:
    if row.get("channel") != channel or int(row.get("months", 0)) != months:
        return False
    if row.get("zone", "*") not in ("*", zone_code):
        return False
    low, high = row.get("length_from_mm") or 0, row.get("length_to_mm")
    if length_mm is None:
        return low == 0  # unknown length: only bands that start at zero apply
    return low <= length_mm and (high is None or length_mm <= high)


def compute_fee(rows: list[dict], *, channel: str, zone_code: str, months: int, length_mm: int | None) -> Fee:
    """The fee for a permit. A zone-specific row wins over a "*" row; the narrowest length band wins."""
    candidates = [r for r in rows if _matches(r, channel, zone_code, length_mm, months)]
    if not candidates:
        raise NoFee(f"Keine Gebühr für {channel}, Gebiet {zone_code}, {months} Monate, Länge {length_mm} mm.")

    def specificity(row: dict) -> tuple[int, float]:
        width = (row.get("length_to_mm") or 10**9) - (row.get("length_from_mm") or 0)
        return (0 if row.get("zone", "*") == "*" else 1, -width)

    row = max(candidates, key=specificity)
    channel_de = "online" if channel == "online" else "im Bürgerbüro"
    years = "1 Jahr" if months == 12 else f"{months} Monate"
    basis = f"Bewohnerparkausweis {years}, Antrag {channel_de}"
    if row.get("zone", "*") != "*":
        basis += f", Gebiet {zone_code}"
    if row.get("length_to_mm") or row.get("length_from_mm"):
        basis += f", Fahrzeuglänge {row.get('length_from_mm') or 0}–{row.get('length_to_mm') or '∞'} mm"
    return Fee(int(row["cents"]), basis)


def fee_range(rows: list[dict], *, channel: str, months: int, zone_code: str | None = None,
              length_mm: int | None = None) -> tuple[int, int]:
    """Lowest and highest fee a permit may cost before zone and vehicle length are known (the application form).

    With both known it is the exact fee. Otherwise every row that could apply counts: all zones when the zone
    is unknown, all length bands when the length is unknown (e.g. Köln's €100/110/120 → "100,00 € – 120,00 €").
    """
    if zone_code is not None and length_mm is not None:
        cents = compute_fee(rows, channel=channel, zone_code=zone_code, months=months, length_mm=length_mm).cents
        return cents, cents
    candidates = [int(r["cents"]) for r in rows
                  if r.get("channel") == channel and int(r.get("months", 0)) == months
                  and (zone_code is None or r.get("zone", "*") in ("*", zone_code))
                  and (length_mm is None or _matches(r, channel, r.get("zone", "*"), length_mm, months))]
    if not candidates:
        raise NoFee(f"Keine Gebühr für {channel}, Gebiet {zone_code or 'beliebig'}, {months} Monate.")
    return min(candidates), max(candidates)


def format_fee_range(low: int, high: int) -> str:
    return format_euros(low) if low == high else f"{format_euros(low)} – {format_euros(high)}"


def validate_fee_table(rows: object, durations: list[int]) -> list[str]:
    """German error messages for a fee table (used by the admin form and the config check)."""
    errors: list[str] = []
    if not isinstance(rows, list) or not rows:
        return ["Die Gebührentabelle muss eine nicht leere Liste sein."]
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            errors.append(f"Zeile {i}: muss ein Objekt sein.")
            continue
        if row.get("channel") not in ("online", "counter"):
            errors.append(f"Zeile {i}: channel muss „online“ oder „counter“ sein.")
        if not isinstance(row.get("cents"), int) or row["cents"] < 0:
            errors.append(f"Zeile {i}: cents muss eine ganze Zahl ≥ 0 sein.")
        if row.get("months") not in durations:
            errors.append(f"Zeile {i}: months muss eine der Laufzeiten {durations} sein.")
    for channel in ("online", "counter"):
        for months in durations:
            if not any(isinstance(r, dict) and r.get("channel") == channel and r.get("months") == months
                       and r.get("zone", "*") == "*" and not r.get("length_from_mm") for r in rows):
                errors.append(f"Es fehlt eine Grundgebühr (zone „*“, ab 0 mm) für {channel}, {months} Monate.")
    return errors
