"""The payment provider interface, modelled on XBezahldienste (FITKO).

A provider plugin implements the four steps of the standard:
1. ``create_transaction``: register the payment (Kassenzeichen, booking text ≤ 27 characters) and get the
   URL of the provider's payment page (XBezahldienste ``POST /paymenttransaction/{originatorId}/{endPointId}``);
2. the citizen is redirected to that page;
3. ``fetch_status``: after the citizen's return the status is fetched from the provider (``GET``); nothing
   in the return URL is trusted;
4. ``parse_webhook``: a notification is accepted only with a verified signature.
Plus ``cancel`` (for abandoned payments) and ``refund``.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..models import Payment, Refund


class ProviderError(Exception):
    """The provider could not be reached or answered with an error; try again later."""


class WebhookRejected(Exception):
    """A webhook failed verification. ``code`` is machine-readable, ``message`` explains it to the sender."""

    def __init__(self, http_status: int, code: str, message: str):
        super().__init__(message)
        self.http_status = http_status
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CreatedTransaction:
    reference: str  # the provider's transactionId
    redirect_url: str  # the provider's payment page for the citizen


@dataclass(frozen=True)
class ProviderStatus:
    status: str  # one of domain.PENDING, PAID, FAILED, CANCELLED
    raw: dict[str, Any] = field(default_factory=dict)  # kept in the payment's history for clarification


@dataclass(frozen=True)
class WebhookEvent:
    event_id: str  # unique per delivery content; replays carry the same id
    reference: str  # the provider's transactionId
    status: str  # one of domain.PENDING, PAID, FAILED, CANCELLED
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RefundResult:
    reference: str
    completed: bool  # False: the provider accepted it and reports completion later


class PaymentProvider(ABC):
    """Subclass, decorate with ``@registry.register("<name>")`` and put it under ``contrib/<name>/``."""

    name: str = ""
    verbose_name: str = ""

    @abstractmethod
    def create_transaction(self, payment: "Payment", *, return_url: str) -> CreatedTransaction:
        """Step 1. ``return_url`` is where the provider sends the citizen back (absolute or site-relative)."""

    @abstractmethod
    def fetch_status(self, payment: "Payment") -> ProviderStatus:
        """Step 3: the provider's current view of the transaction. Raises ProviderError on outages."""

    @abstractmethod
    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """Step 4: verify the signature over the raw body and parse it; raise WebhookRejected otherwise."""

    @abstractmethod
    def cancel(self, payment: "Payment") -> ProviderStatus:
        """Close an abandoned transaction so it can no longer be paid; return the resulting status
        (which is PAID if the citizen paid in the meantime)."""

    @abstractmethod
    def refund(self, payment: "Payment", refund: "Refund") -> RefundResult:
        """Pay ``refund.amount_cents`` back. Raises ProviderError on outages."""
