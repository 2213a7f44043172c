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


def gettext_noop(message: str) -> str:
    """Marks a German message as a msgid of the payments catalogue (makemessages extracts it); no Django here."""
    return message


class PaymentRuleError(ValueError):
    """A rule of this module refuses the input. ``str(exc)`` is the German message; ``message`` is its msgid and
    ``params`` the values to format into it, so a page shows it in its own language
    (``services.user_message(exc)``). Parameters ending in ``_cents`` are amounts, formatted per language."""

    def __init__(self, message: str, **params: object):
        self.message, self.params = message, params
        shown = {k: format_cents(v) if k.endswith("_cents") else v for k, v in params.items()}
        super().__init__(message % shown if params else message)


class InvalidPurpose(PaymentRuleError):
    """The booking text breaks the XBezahldienste rules."""


class RefundRefused(PaymentRuleError):
    """A refund is not allowed (not paid, zero or more than what is left)."""


def can_transition(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def normalise_purpose(text: str) -> str:
    """Collapse whitespace; raise InvalidPurpose if the text is empty, too long or has forbidden characters."""
    purpose = " ".join((text or "").split())
    if not purpose:
        raise InvalidPurpose(gettext_noop("Der Verwendungszweck darf nicht leer sein."))
    if len(purpose) > PURPOSE_MAX_LENGTH:
        raise InvalidPurpose(gettext_noop("Der Verwendungszweck darf höchstens %(max)s Zeichen lang sein "
                                          "(jetzt %(length)s)."), max=PURPOSE_MAX_LENGTH, length=len(purpose))
    if not PURPOSE_ALLOWED.fullmatch(purpose):
        bad = sorted({c for c in purpose if not PURPOSE_ALLOWED.fullmatch(c)})
        raise InvalidPurpose(gettext_noop("Der Verwendungszweck enthält unzulässige Zeichen: %(characters)s"),
                             characters=" ".join(bad))
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
    """Validate a refund request; raise RefundRefused (a ValueError, German message) if it is not allowed."""
    if status not in (PAID, PARTIALLY_REFUNDED):
        raise RefundRefused(gettext_noop("Nur bezahlte Zahlungen können erstattet werden."))
    refundable = amount_cents - refunded_cents
    if requested_cents <= 0:
        raise RefundRefused(gettext_noop("Der Erstattungsbetrag muss größer als 0 sein."))
    if requested_cents > refundable:
        raise RefundRefused(gettext_noop("Höchstens %(refundable_cents)s können noch erstattet werden."),
                            refundable_cents=refundable)
    after = REFUNDED if requested_cents == refundable else PARTIALLY_REFUNDED
    return RefundCheck(refundable_cents=refundable, status_after=after)


def format_cents(cents: int, language: str = "de") -> str:
    """German money format: 1234 → "12,34 €"; with ``language="en"``: "€12.34"."""
    euros, rest = divmod(abs(cents), 100)
    sign = "-" if cents < 0 else ""
    if language.split("-")[0] == "en":
        return f"{sign}€{euros:,}.{rest:02d}"
    return f"{sign}{euros:,}".replace(",", ".") + f",{rest:02d} €"
