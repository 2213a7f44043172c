import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import domain
from .contrib.simulator.models import SimulatorTransaction  # noqa: F401 - the simulator's state lives here


class Payment(models.Model):
    """One payment request (Sollstellung) for one subject, e.g. a parking application.

    ``status`` changes only through ``services`` (one locked function); ``events`` is its history.
    """

    class Status(models.TextChoices):
        PENDING = domain.PENDING, _("offen")
        PAID = domain.PAID, _("bezahlt")
        FAILED = domain.FAILED, _("fehlgeschlagen")
        CANCELLED = domain.CANCELLED, _("abgebrochen")
        REFUNDED = domain.REFUNDED, _("erstattet")
        PARTIALLY_REFUNDED = domain.PARTIALLY_REFUNDED, _("teilweise erstattet")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kassenzeichen = models.CharField(_("Kassenzeichen"), max_length=20, unique=True)
    amount_cents = models.PositiveIntegerField(_("Betrag (Cent)"))
    currency = models.CharField(max_length=3, default="EUR")
    purpose = models.CharField(_("Verwendungszweck"), max_length=domain.PURPOSE_MAX_LENGTH)
    description = models.CharField(_("Beschreibung"), max_length=250, blank=True)
    # Kept when the account is deleted: cash records have a statutory retention period.
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="payments")
    # What is paid for: a model instance (content type + id) under a label that selects the handler.
    subject_label = models.CharField(max_length=100, db_index=True)
    subject_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject_id = models.CharField(max_length=64)
    provider = models.CharField(max_length=40)
    provider_reference = models.CharField(max_length=120, blank=True)
    redirect_url = models.CharField(max_length=2082, blank=True)  # the provider's payment page
    return_url = models.CharField(max_length=2082)  # where the citizen continues afterwards
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)  # when paid, failed or cancelled

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Zahlung")
        verbose_name_plural = _("Zahlungen")
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(refunded_cents__lte=models.F("amount_cents")),
                                   name="payment_refund_within_amount"),
            models.UniqueConstraint(fields=["provider", "provider_reference"], condition=~Q(provider_reference=""),
                                    name="uniq_payment_provider_reference"),
        ]
        indexes = [models.Index(fields=["subject_label", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.kassenzeichen} ({domain.format_cents(self.amount_cents)}, {self.get_status_display()})"

    @property
    def amount_display(self) -> str:
        return domain.format_cents(self.amount_cents)

    @property
    def refunded_display(self) -> str:
        return domain.format_cents(self.refunded_cents)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def subject(self) -> models.Model | None:
        if self.subject_type is None:
            return None
        return self.subject_type.get_object_for_this_type(pk=self.subject_id)


class PaymentEvent(models.Model):
    """Append-only history: every status change and every ignored (late, replayed, out-of-order) report."""

    class Source(models.TextChoices):
        START = "start", _("Anlage")
        RETURN = "return", _("Rückkehr vom Zahlungsanbieter")
        WEBHOOK = "webhook", _("Benachrichtigung des Zahlungsanbieters")
        RECONCILE = "reconcile", _("Abgleich")
        EXPIRE = "expire", _("Ablauf")
        REFUND = "refund", _("Erstattung")

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    applied = models.BooleanField(default=True)
    provider_event_id = models.CharField(max_length=120, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # A provider's event is processed once, however often it is delivered.
            models.UniqueConstraint(fields=["payment", "provider_event_id"], condition=~Q(provider_event_id=""),
                                    name="uniq_payment_provider_event"),
        ]

    def __str__(self) -> str:
        return f"{self.payment_id}: {self.from_status} → {self.to_status} ({self.source})"


class HandlerCall(models.Model):
    """Proof that a subject's handler ran for an outcome; written in the handler's own transaction."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="handler_calls")
    outcome = models.CharField(max_length=10)  # "paid" or "failed"
    handler = models.CharField(max_length=200, blank=True)  # dotted name; empty when none was registered
    called_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["payment", "outcome"], name="uniq_handler_call")]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.outcome} → {self.handler or '-'}"


class Refund(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("beantragt")
        COMPLETED = "completed", _("ausgeführt")
        FAILED = "failed", _("fehlgeschlagen")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.PositiveIntegerField(_("Betrag (Cent)"))
    reason = models.CharField(_("Grund"), max_length=250)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    provider_reference = models.CharField(max_length=120, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("Erstattung")
        verbose_name_plural = _("Erstattungen")
        constraints = [models.CheckConstraint(condition=Q(amount_cents__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"{domain.format_cents(self.amount_cents)} ({self.get_status_display()})"

    @property
    def amount_display(self) -> str:
        return domain.format_cents(self.amount_cents)
