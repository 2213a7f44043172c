"""What happens to the subject when a payment ends, registered per subject label.

    handlers.register("parking.application", on_paid=issue_permit, on_failed=reopen_application)

``on_paid(payment)`` / ``on_failed(payment)`` are called exactly once per outcome, inside the transaction
that records the call and holds the payment's row lock: do the subject's database work right there, and
queue side effects (e-mails, PDFs) with ``transaction.on_commit``. If a handler raises, nothing is recorded
and the call is retried. ``on_failed`` covers failed and cancelled (abandoned) payments.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Payment

HandlerFn = Callable[["Payment"], None]


@dataclass(frozen=True)
class Handlers:
    on_paid: HandlerFn | None = None
    on_failed: HandlerFn | None = None

    def for_outcome(self, outcome: str) -> HandlerFn | None:
        return self.on_paid if outcome == "paid" else self.on_failed


_handlers: dict[str, Handlers] = {}


def register(subject_label: str, *, on_paid: HandlerFn | None = None, on_failed: HandlerFn | None = None) -> None:
    """Register once per label (usually in AppConfig.ready). Re-registering replaces (tests, autoreload)."""
    _handlers[subject_label] = Handlers(on_paid=on_paid, on_failed=on_failed)


def unregister(subject_label: str) -> None:
    _handlers.pop(subject_label, None)


def get(subject_label: str) -> Handlers | None:
    return _handlers.get(subject_label)


def label_for(obj: object) -> str:
    """The default subject label of a model instance: ``<app_label>.<model_name>``."""
    return obj._meta.label_lower  # type: ignore[attr-defined]
