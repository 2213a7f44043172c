"""Value checks used by declarative fields. Pure Python."""

import re

_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")


def normalise_iban(value: str) -> str:
    return re.sub(r"\s+", "", value).upper()


def is_valid_iban(value: str) -> bool:
    """ISO 13616: country code, check digits, mod-97 of the rearranged number equals 1."""
    iban = normalise_iban(value)
    if not _IBAN.match(iban) or (iban.startswith("DE") and len(iban) != 22):
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(ch, 36)) for ch in rearranged)
    return int(digits) % 97 == 1
