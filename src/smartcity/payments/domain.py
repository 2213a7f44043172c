"""Pure payment rules: Kassenzeichen, booking text (Verwendungszweck), status transitions, refunds.

No Django imports; unit-tested directly.
"""

import re
import secrets
from dataclasses import dataclass

PENDING = "pending"
PAID = "paid"
FAILED = "failed"
CANCELLED = "cancelled"
REFUNDED = "refunded"
PARTIALLY_REFUNDED = "partially_refunded"

# Where a payment may go from each status. Anything else (a late, replayed or out-of-order report)
# is ignored: a paid payment never goes back to pending, and failed/cancelled/refunded are terminal.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({PAID, FAILED, CANCELLED}),
    PAID: frozenset({PARTIALLY_REFUNDED, REFUNDED}),
    PARTIALLY_REFUNDED: frozenset({PARTIALLY_REFUNDED, REFUNDED}),
    FAILED: frozenset(),
    CANCELLED: frozenset(),
    REFUNDED: frozenset(),
}
# The outcome a subject's handler hears about; cancelled counts as failed (the application stays resumable).
OUTCOME_OF_STATUS = {PAID: "paid", FAILED: "failed", CANCELLED: "failed"}

PURPOSE_MAX_LENGTH = 27  # XBezahldienste PaymentRequest.purpose: booking text on the statement
# SEPA basic Latin character set plus the German extension banks and Kassenverfahren accept (DK-Zeichensatz).
PURPOSE_ALLOWED = re.compile(r"[A-Za-z0-9/\-?:().,'+ ÄÖÜäöüß&*$%]*")


class InvalidPurpose(ValueError):
    """The booking text breaks the XBezahldienste rules; ``str(exc)`` is a German message."""


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def normalise_purpose(text: str) -> str:
    """Collapse whitespace; raise InvalidPurpose if the text is empty, too long or has forbidden characters."""
    purpose = " ".join((text or "").split())
    if not purpose:
        raise InvalidPurpose("Der Verwendungszweck darf nicht leer sein.")
    if len(purpose) > PURPOSE_MAX_LENGTH:
        raise InvalidPurpose(
            f"Der Verwendungszweck darf höchstens {PURPOSE_MAX_LENGTH} Zeichen lang sein "
            f"(jetzt {len(purpose)})."
        )
    if not PURPOSE_ALLOWED.fullmatch(purpose):
        bad = sorted({c for c in purpose if not PURPOSE_ALLOWED.fullmatch(c)})
        raise InvalidPurpose("Der Verwendungszweck enthält unzulässige Zeichen: " + " ".join(bad))
    return purpose


def luhn_check_digit(digits: str) -> str:
    """Modulus 10 with weights 2-1 from the right (Luhn), the check digit many German HKR systems use."""
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = int(char)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def new_kassenzeichen(prefix: str, year: int) -> str:
    """``<prefix><YY><9 random digits><check digit>``. Random, so numbers reveal nothing about volume.

    Uniqueness is enforced by the database; the caller retries on a collision.
    """
    body = f"{prefix}{year % 100:02d}{secrets.randbelow(10**9):09d}"
    return body + luhn_check_digit(body)


def kassenzeichen_is_valid(value: str) -> bool:
    value = value.replace(" ", "")
    return value.isdigit() and len(value) >= 2 and luhn_check_digit(value[:-1]) == value[-1]


@dataclass(frozen=True)
class RefundCheck:
    refundable_cents: int
    status_after: str


def check_refund(status: str, amount_cents: int, refunded_cents: int, requested_cents: int) -> RefundCheck:
    """Validate a refund request; raise ValueError with a German message if it is not allowed."""
    if status not in (PAID, PARTIALLY_REFUNDED):
        raise ValueError("Nur bezahlte Zahlungen können erstattet werden.")
    refundable = amount_cents - refunded_cents
    if requested_cents <= 0:
        raise ValueError("Der Erstattungsbetrag muss größer als 0 sein.")
    if requested_cents > refundable:
        raise ValueError(f"Höchstens {format_cents(refundable)} können noch erstattet werden.")
    after = REFUNDED if requested_cents == refundable else PARTIALLY_REFUNDED
    return RefundCheck(refundable_cents=refundable, status_after=after)


def format_cents(cents: int) -> str:
    """German money format: 1234 → "12,34 €"."""
    euros, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d} €"
