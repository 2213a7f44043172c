"""Address normalisation for matching register addresses against street ranges (no Django)."""

import re
import unicodedata

_STRASSE = re.compile(r"(str\.|strasse|straße)$")
_SPACES = re.compile(r"[\s\-]+")
_HOUSE = re.compile(r"^\s*(\d{1,5})\s*([a-zA-Z]?)\s*(?:[-/]\s*\d{1,5}[a-zA-Z]?)?\s*$")


def normalise_street(street: str) -> str:
    """A matching key: "Kaiser-Straße", "Kaiserstr." and "kaiserstrasse" all become "kaiserstrasse"."""
    key = unicodedata.normalize("NFC", street).strip().lower().replace("ß", "ss")
    key = _SPACES.sub("", key)
    key = _STRASSE.sub("strasse", key)
    return key


def house_number_value(house_number: str) -> int | None:
    """The numeric part of a house number ("5", "5a", "12-14" → 5, 5, 12); None when there is none."""
    match = _HOUSE.match(house_number or "")
    return int(match.group(1)) if match else None


def in_range(number: int, number_from: int, number_to: int, parity: str) -> bool:
    """Whether a house number lies in a street range ("all", "even" or "odd" side)."""
    if not number_from <= number <= number_to:
        return False
    if parity == "even":
        return number % 2 == 0
    if parity == "odd":
        return number % 2 == 1
    return True
