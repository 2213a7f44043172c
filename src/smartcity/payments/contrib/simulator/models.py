"""The simulated provider's own records. It shares nothing with Payment, as a real provider wouldn't."""

import uuid

from django.db import models


class SimulatorTransaction(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "offen"
        PAID = "paid", "bezahlt"
        FAILED = "failed", "fehlgeschlagen"
        CANCELLED = "cancelled", "abgebrochen"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request_id = models.CharField(max_length=36)  # XBezahldienste requestId: our payment id
    kassenzeichen = models.CharField(max_length=20)
    amount_cents = models.PositiveIntegerField()
    purpose = models.CharField(max_length=27)
    description = models.CharField(max_length=250, blank=True)
    redirect_url = models.CharField(max_length=2082)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    refunded_cents = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "payments"
        verbose_name = "Simulator-Transaktion"
        verbose_name_plural = "Simulator-Transaktionen"

    def __str__(self) -> str:
        return f"{self.kassenzeichen} {self.status}"
