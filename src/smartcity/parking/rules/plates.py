"""German number plates (Kennzeichen) and VIN fragments: parsing with clear German messages (no Django).

A plate is Unterscheidungszeichen (1–3 letters, umlauts allowed) + Erkennungsbuchstaben (1–2 letters)
+ Erkennungszahl (1–4 digits, no leading zero), at most 8 characters, optionally followed by E (electric)
or H (historic vehicle), per Fahrzeug-Zulassungsverordnung § 8 and Anlage 4.
"""

import re
from dataclasses import dataclass

_PLATE = re.compile(r"^([A-ZÄÖÜ]{1,3})[-\s:]+([A-Z]{1,2})[-\s]*([1-9]\d{0,3})([EH]?)$")
# VINs never contain I, O or Q (ISO 3779) to avoid confusion with 1 and 0.
_VIN_FRAGMENT = re.compile(r"^[A-HJ-NPR-Z0-9]{4}$")


class InvalidInput(ValueError):
    """Raised with a German message. The messages are msgids of the parking catalogue: pages show
    ``gettext(str(exc))`` (English UI); the decision record keeps the German text."""


SAME_PLATE_TWICE = "Das zweite Kennzeichen ist dasselbe wie das erste. Lassen Sie das Feld leer, wenn Sie nur ein " \
    "Fahrzeug haben."


@dataclass(frozen=True)
class Plate:
    district: str
    letters: str
    number: str
    suffix: str = ""

    def __str__(self) -> str:
        return f"{self.district}-{self.letters} {self.number}{self.suffix}"


def parse_plate(raw: str) -> Plate:
    """Parse "d-ab 1234", "D AB1234", "D:AB 1234E" … into a Plate; raise InvalidInput otherwise."""
    text = " ".join((raw or "").upper().split())
    if not text:
        raise InvalidInput("Bitte geben Sie das Kennzeichen ein, z. B. „D-AB 1234“.")
    match = _PLATE.match(text)
    if not match:
        raise InvalidInput(
            "Das Kennzeichen hat nicht das deutsche Format. Geben Sie es wie auf dem Schild ein: "
            "Ortskürzel, Bindestrich, ein oder zwei Buchstaben, Leerzeichen, eine bis vier Ziffern "
            "(z. B. „D-AB 1234“)."
        )
    district, letters, number, suffix = match.groups()
    if len(district) + len(letters) + len(number) > 8:
        raise InvalidInput("Ein Kennzeichen hat höchstens 8 Buchstaben und Ziffern (ohne E oder H am Ende).")
    return Plate(district, letters, number, suffix)


def normalise_plate(raw: str) -> str:
    """The canonical form "D-AB 1234" used for storage and lookups."""
    return str(parse_plate(raw))


def normalise_vin_fragment(raw: str) -> str:
    """The last 4 characters of the VIN (Zulassungsbescheinigung Teil I, field E)."""
    text = (raw or "").strip().upper().replace(" ", "")
    if not text:
        raise InvalidInput("Bitte geben Sie die letzten 4 Zeichen der Fahrzeug-Identifizierungsnummer (FIN) ein.")
    if not _VIN_FRAGMENT.match(text):
        raise InvalidInput(
            "Bitte geben Sie genau die letzten 4 Zeichen der FIN ein (Feld E der Zulassungsbescheinigung Teil I); "
            "erlaubt sind Ziffern und Buchstaben außer I, O und Q."
        )
    return text
