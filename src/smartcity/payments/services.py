"""Every payment state change happens here, under a row lock, with history and an audit event."""

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from smartcity.audit.services import record

from . import domain, handlers
from .models import HandlerCall, Payment, PaymentEvent, Refund
from .plugins import registry
from .plugins.base import ProviderError, WebhookRejected

log = logging.getLogger(__name__)
Source = PaymentEvent.Source


class PaymentUnavailable(Exception):
    """The provider could not start the payment; ``str(exc)`` is the message for the citizen in the language that
    was active when it was raised (the citizen's request: formal German, or English)."""


def user_message(exc: Exception) -> str:
    """The message of a payment error for a person, in the active language.

    ``domain.PaymentRuleError`` carries a German msgid and its parameters (amounts formatted per language); other
    errors of this app (``PaymentUnavailable``) are translated when raised."""
    if isinstance(exc, domain.PaymentRuleError):
        language = translation.get_language() or settings.LANGUAGE_CODE
        params = {k: domain.format_cents(v, language) if k.endswith("_cents") else v for k, v in exc.params.items()}
        return gettext(exc.message) % params if params else gettext(exc.message)
    return str(exc)


def start_payment(*, amount_cents: int, purpose: str, payer: Any, subject: models.Model, return_url: str,
                  provider: str | None = None, description: str = "", subject_label: str | None = None) -> Payment:
    """Create a payment with a fresh Kassenzeichen and register it with the provider.

    Redirect the citizen to ``payment.redirect_url``. After paying (or not) the citizen comes back through
    our return view and continues at ``return_url``. Raises ``domain.InvalidPurpose`` or ``ValueError`` for
    bad input, ``PaymentUnavailable`` if the provider is down (the payment is then marked failed and the
    subject's ``on_failed`` runs, so the application stays resumable).
    """
    purpose = domain.normalise_purpose(purpose)
    if amount_cents <= 0:
        raise domain.PaymentRuleError(domain.gettext_noop("Der Betrag muss größer als 0 sein."))
    plugin = registry.get(provider or settings.PAYMENTS_DEFAULT_PROVIDER)
    payment = _create_with_unique_kassenzeichen(
        amount_cents=amount_cents, purpose=purpose, description=description[:250], payer=payer,
        subject_label=subject_label or handlers.label_for(subject),
        subject_type=ContentType.objects.get_for_model(subject), subject_id=str(subject.pk),
        provider=plugin.name, return_url=return_url,
    )
    try:
        created = plugin.create_transaction(payment, return_url=reverse("payments:return", args=[payment.pk]))
    except ProviderError as exc:
        log.warning("payment provider %s unavailable: %s", plugin.name, exc)
        apply_status(payment, domain.FAILED, source=Source.START, detail={"error": str(exc)[:500]})
        raise PaymentUnavailable(gettext("Der Zahlungsdienst ist gerade nicht erreichbar. Bitte versuchen Sie es "
                                         "später erneut; Ihre Angaben bleiben gespeichert.")) from exc
    Payment.objects.filter(pk=payment.pk).update(provider_reference=created.reference,
                                                 redirect_url=created.redirect_url)
    payment.provider_reference, payment.redirect_url = created.reference, created.redirect_url
    return payment


def _create_with_unique_kassenzeichen(**fields: Any) -> Payment:
    year = timezone.localdate().year
    for _attempt in range(5):
        kassenzeichen = domain.new_kassenzeichen(settings.PAYMENTS_KASSENZEICHEN_PREFIX, year)
        try:
            with transaction.atomic():
                payment = Payment.objects.create(kassenzeichen=kassenzeichen, **fields)
                PaymentEvent.objects.create(payment=payment, source=Source.START, to_status=payment.status)
                record(fields["payer"], "payment.created", payment, kassenzeichen=kassenzeichen,
                       amount_cents=payment.amount_cents, subject=f"{payment.subject_label}:{payment.subject_id}")
                return payment
        except IntegrityError:
            if not Payment.objects.filter(kassenzeichen=kassenzeichen).exists():
                raise
    raise RuntimeError("no free Kassenzeichen after 5 attempts")


def apply_status(payment: Payment, new_status: str, *, source: str, event_id: str = "",
                 detail: Mapping[str, Any] | None = None, actor: Any = None) -> Payment:
    """Apply a status reported by the provider (or decided by us: expiry). Idempotent and order-proof.

    Replayed events (same ``event_id``), repeated reports and reports that would move the payment backwards
    change nothing. A change to paid/failed/cancelled queues the subject's handler once it is committed.
    """
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if event_id and locked.events.filter(provider_event_id=event_id).exists():
            return locked
        if locked.status == new_status and not event_id:
            return locked
        if not domain.can_transition(locked.status, new_status):
            # Recorded so a late "paid" on a cancelled payment is visible to the cash office.
            PaymentEvent.objects.create(payment=locked, source=source, from_status=locked.status,
                                        to_status=new_status, applied=False, provider_event_id=event_id,
                                        detail=dict(detail or {}))
            if new_status == domain.PAID and locked.status in (domain.FAILED, domain.CANCELLED):
                record(actor or "system:payments", "payment.late_payment", locked, reported=new_status,
                       status=locked.status, source=source)
            return locked
        _change(locked, new_status, source=source, event_id=event_id, detail=detail, actor=actor)
    return locked


def _change(locked: Payment, new_status: str, *, source: str, event_id: str = "",
            detail: Mapping[str, Any] | None = None, actor: Any = None) -> None:
    """The single place that writes ``Payment.status``; the caller holds the row lock."""
    old = locked.status
    now = timezone.now()
    locked.status = new_status
    fields = ["status", "updated_at"]
    if new_status == domain.PAID:
        locked.paid_at = now
        fields.append("paid_at")
    if new_status in domain.OUTCOME_OF_STATUS:
        locked.closed_at = now
        fields.append("closed_at")
    if new_status in (domain.REFUNDED, domain.PARTIALLY_REFUNDED):
        fields.append("refunded_cents")
    locked.save(update_fields=fields)
    PaymentEvent.objects.create(payment=locked, source=source, from_status=old, to_status=new_status,
                                provider_event_id=event_id, detail=dict(detail or {}))
    record(actor or "system:payments", "payment.status", locked, from_status=old, to_status=new_status,
           source=source, kassenzeichen=locked.kassenzeichen)
    outcome = domain.OUTCOME_OF_STATUS.get(new_status)
    if outcome:
        payment_id = str(locked.pk)
        transaction.on_commit(lambda: _queue_handler(payment_id, outcome))


def _queue_handler(payment_id: str, outcome: str) -> None:
    from .tasks import run_payment_handler

    run_payment_handler.delay(payment_id, outcome)


def run_handler(payment_id: str, outcome: str) -> bool:
    """Call the subject's handler for ``outcome`` unless that was already done. True if it ran now.

    The handler runs inside the transaction that writes the HandlerCall, with the payment locked: a crash
    or exception rolls both back, a retry runs it again, and a concurrent duplicate waits and then skips.
    """
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if HandlerCall.objects.filter(payment=payment, outcome=outcome).exists():
            return False
        registered = handlers.get(payment.subject_label)
        fn = registered.for_outcome(outcome) if registered else None
        if fn is not None:
            fn(payment)
        name = f"{fn.__module__}.{fn.__qualname__}" if fn is not None else ""
        HandlerCall.objects.create(payment=payment, outcome=outcome, handler=name[:200])
    return True


def refresh_from_provider(payment: Payment, *, source: str, raise_unavailable: bool = False) -> Payment:
    """Step 3: ask the provider (never the URL) and apply what it says. Outages leave the payment as is; with
    ``raise_unavailable`` the caller also hears about them (``ProviderError``), e.g. to tell the citizen."""
    if not payment.provider_reference:
        return payment
    try:
        reported = registry.get(payment.provider).fetch_status(payment)
    except ProviderError as exc:
        log.warning("status of payment %s unavailable: %s", payment.pk, exc)
        if raise_unavailable:
            raise
        return payment
    return apply_status(payment, reported.status, source=source, detail={"provider": reported.raw})


@dataclass(frozen=True)
class WebhookResult:
    payment: Payment | None
    http_status: int
    body: dict[str, str]


def handle_webhook(provider: str, body: bytes, headers: Mapping[str, str]) -> WebhookResult:
    """Step 4: verify, find the payment by the provider's reference, apply. Never raises for bad input."""
    try:
        plugin = registry.get(provider)
    except LookupError:
        return WebhookResult(None, 404, {"error": "unknown_provider", "detail": f"No provider {provider!r}."})
    try:
        event = plugin.parse_webhook(body, headers)
    except WebhookRejected as exc:
        log.warning("webhook from %s rejected: %s", provider, exc.code)
        return WebhookResult(None, exc.http_status, {"error": exc.code, "detail": exc.message})
    payment = Payment.objects.filter(provider=provider, provider_reference=event.reference).first()
    if payment is None:
        return WebhookResult(None, 404, {"error": "unknown_transaction",
                                         "detail": f"No payment for transaction {event.reference!r} at provider "
                                                   f"{provider!r}."})
    payment = apply_status(payment, event.status, source=Source.WEBHOOK, event_id=event.event_id,
                           detail={"provider": event.raw})
    return WebhookResult(payment, 200, {"status": payment.status})


def refund(payment: Payment, amount_cents: int, *, reason: str, actor: Any = None) -> Refund:
    """Pay back (part of) a paid payment through its provider. Raises ValueError (German) if not allowed,
    ``ProviderError`` if the provider is down (the refund is then recorded as failed and can be retried)."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        domain.check_refund(locked.status, locked.amount_cents,
                            locked.refunded_cents + _pending_refunds(locked), amount_cents)
        refund = Refund.objects.create(payment=locked, amount_cents=amount_cents, reason=reason[:250],
                                       requested_by=actor if getattr(actor, "pk", None) else None)
        record(actor or "system:payments", "payment.refund_requested", locked, refund=str(refund.pk),
               amount_cents=amount_cents, reason=reason[:250])
    return _send_refund(locked, refund, actor)


def retry_refund(refund: Refund, *, actor: Any = None) -> Refund:
    """Send a failed refund to the provider again (cash office). Same errors as ``refund``."""
    with transaction.atomic():
        locked = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != Refund.Status.FAILED:
            return refund
        domain.check_refund(locked.status, locked.amount_cents,
                            locked.refunded_cents + _pending_refunds(locked), refund.amount_cents)
        refund.status = Refund.Status.PENDING
        refund.save(update_fields=["status"])
        record(actor or "system:payments", "payment.refund_retried", locked, refund=str(refund.pk))
    return _send_refund(locked, refund, actor)


def _send_refund(payment: Payment, refund: Refund, actor: Any) -> Refund:
    try:
        result = registry.get(payment.provider).refund(payment, refund)
    except ProviderError as exc:
        Refund.objects.filter(pk=refund.pk).update(status=Refund.Status.FAILED)
        record(actor or "system:payments", "payment.refund_failed", payment, refund=str(refund.pk), error=str(exc))
        raise
    refund.provider_reference = result.reference
    refund.save(update_fields=["provider_reference"])
    if result.completed:
        complete_refund(refund, actor=actor)
    refund.refresh_from_db()
    return refund


def _pending_refunds(payment: Payment) -> int:
    return payment.refunds.filter(status=Refund.Status.PENDING).aggregate(s=models.Sum("amount_cents"))["s"] or 0


def complete_refund(refund: Refund, *, actor: Any = None) -> Refund:
    """Book a refund the provider has carried out. Idempotent."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status != Refund.Status.PENDING:
            return refund
        refund.status, refund.completed_at = Refund.Status.COMPLETED, timezone.now()
        refund.save(update_fields=["status", "completed_at"])
        payment.refunded_cents += refund.amount_cents
        new_status = domain.REFUNDED if payment.refunded_cents >= payment.amount_cents else domain.PARTIALLY_REFUNDED
        _change(payment, new_status, source=Source.REFUND, actor=actor,
                detail={"refund": str(refund.pk), "amount_cents": refund.amount_cents})
    return refund


@dataclass
class ReconcileReport:
    checked: int = 0
    changed: int = 0
    expired: int = 0
    handlers_requeued: int = 0


def reconcile(now: Any = None) -> ReconcileReport:
    """The periodic job: ask the provider about payments pending too long, expire abandoned ones,
    and requeue handlers that never completed (e.g. a worker died). Safe to run twice or in parallel."""
    now = now or timezone.now()
    report = ReconcileReport()
    poll_before = now - timedelta(minutes=settings.PAYMENTS_RECONCILE_AFTER_MINUTES)
    expire_before = now - timedelta(minutes=settings.PAYMENTS_EXPIRE_AFTER_MINUTES)
    stale = Payment.objects.filter(status=domain.PENDING, created_at__lt=poll_before).order_by("created_at")
    for payment in stale[: settings.PAYMENTS_RECONCILE_BATCH]:
        report.checked += 1
        updated = refresh_from_provider(payment, source=Source.RECONCILE)
        if updated.status != domain.PENDING:
            report.changed += 1
        elif payment.created_at < expire_before and expire(updated):
            report.expired += 1
    report.handlers_requeued = requeue_missing_handlers(now)
    return report


def expire(payment: Payment) -> bool:
    """Close an abandoned payment at the provider, then cancel it here (unless it was paid meanwhile)."""
    try:
        reported = registry.get(payment.provider).cancel(payment) if payment.provider_reference else None
    except ProviderError as exc:
        log.warning("could not cancel payment %s at provider: %s", payment.pk, exc)
        return False  # the provider might still take the money; try again next run
    if reported is not None and reported.status not in (domain.PENDING, domain.CANCELLED):
        apply_status(payment, reported.status, source=Source.RECONCILE, detail={"provider": reported.raw})
        return False
    updated = apply_status(payment, domain.CANCELLED, source=Source.EXPIRE,
                           detail={"reason": "abandoned", "minutes": settings.PAYMENTS_EXPIRE_AFTER_MINUTES})
    return updated.status == domain.CANCELLED


def requeue_missing_handlers(now: Any = None) -> int:
    """Final payments whose handler call is not recorded a while after closing get it queued again."""
    before = (now or timezone.now()) - timedelta(minutes=2)
    count = 0
    for status, outcome in domain.OUTCOME_OF_STATUS.items():
        missing = (Payment.objects.filter(status=status, closed_at__lt=before)
                   .exclude(handler_calls__outcome=outcome).values_list("pk", flat=True))
        for payment_id in missing[: settings.PAYMENTS_RECONCILE_BATCH]:
            _queue_handler(str(payment_id), outcome)
            count += 1
    return count
