"""The simulator's payment page: what a citizen sees at the provider. Reachable by whoever holds the link,
like a real provider page; the platform never trusts what comes back through the browser."""

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ... import domain
from . import webhooks
from .models import SimulatorTransaction

ACTIONS = {
    "pay": SimulatorTransaction.Status.PAID,
    "cancel": SimulatorTransaction.Status.CANCELLED,
    "fail": SimulatorTransaction.Status.FAILED,
}


@require_http_methods(["GET", "POST"])
def payment_page(request: HttpRequest, transaction_id: str) -> HttpResponse:
    if not settings.PAYMENTS_SIMULATOR_ENABLED:
        raise Http404
    tx = get_object_or_404(SimulatorTransaction, pk=transaction_id)
    error = ""
    if request.method == "POST":
        new_status = ACTIONS.get(request.POST.get("action", ""))
        if new_status is None:
            error = _("Bitte wählen Sie eine der angebotenen Aktionen.")
        else:
            with transaction.atomic():
                tx = SimulatorTransaction.objects.select_for_update().get(pk=tx.pk)
                changed = tx.status == SimulatorTransaction.Status.OPEN
                if changed:
                    tx.status = new_status
                    tx.save(update_fields=["status", "updated_at"])
            if changed:
                webhooks.notify(tx)
            return redirect(tx.redirect_url)
    return render(request, "payments/simulator/page.html", {
        "tx": tx, "amount": domain.format_cents(tx.amount_cents), "error": error,
        "is_open": tx.status == SimulatorTransaction.Status.OPEN,
    }, status=400 if error else 200)
