import csv
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from smartcity.audit.services import record

from . import domain, services
from .access import cash_office_required
from .forms import RefundForm
from .models import Payment, Refund
from .plugins.base import ProviderError

OUTCOME_MESSAGES = {
    domain.PAID: (messages.SUCCESS, gettext_noop("Vielen Dank, Ihre Zahlung ist eingegangen (Kassenzeichen {kz}).")),
    domain.FAILED: (messages.ERROR, gettext_noop(
        "Die Zahlung ist fehlgeschlagen. Ihr Antrag ist gespeichert; Sie können die Zahlung erneut starten.")),
    domain.CANCELLED: (messages.WARNING, gettext_noop(
        "Die Zahlung wurde abgebrochen. Ihr Antrag ist gespeichert; Sie können die Zahlung erneut starten.")),
}


def _own_payment(request: HttpRequest, payment_id) -> Payment:
    # Someone else's payment looks exactly like a missing one (no IDOR oracle).
    try:
        return Payment.objects.get(pk=payment_id, payer=request.user)
    except Payment.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def status(request: HttpRequest, payment_id) -> HttpResponse:
    payment = _own_payment(request, payment_id)
    return render(request, "payments/status.html", {"payment": payment, "continue_url": _safe_return(request,
                                                                                                      payment)})


@login_required
@require_GET
def payment_return(request: HttpRequest, payment_id) -> HttpResponse:
    """Step 3: the citizen is back from the provider. Query parameters are ignored; the provider is asked."""
    payment = _own_payment(request, payment_id)
    try:
        payment = services.refresh_from_provider(payment, source=services.Source.RETURN, raise_unavailable=True)
    except ProviderError:
        messages.warning(request, _("Der Zahlungsdienst ist gerade nicht erreichbar, daher kennen wir das Ergebnis "
                                    "Ihrer Zahlung noch nicht. Bitte zahlen Sie nicht erneut; wir fragen den Status "
                                    "automatisch nach. Ihr Antrag bleibt gespeichert."))
        return redirect("payments:status", payment_id=payment.pk)
    if payment.status in OUTCOME_MESSAGES:
        level, text = OUTCOME_MESSAGES[payment.status]
        messages.add_message(request, level, _(text).format(kz=payment.kassenzeichen))
        return redirect(_safe_return(request, payment))
    return redirect("payments:status", payment_id=payment.pk)


def _safe_return(request: HttpRequest, payment: Payment) -> str:
    ok = url_has_allowed_host_and_scheme(payment.return_url, allowed_hosts={request.get_host()},
                                         require_https=request.is_secure())
    return payment.return_url if ok else "/"


@csrf_exempt  # providers cannot send our CSRF token; the HMAC signature authenticates instead
@require_POST
def webhook(request: HttpRequest, provider: str) -> JsonResponse:
    result = services.handle_webhook(provider, request.body, request.headers)
    return JsonResponse(result.body, status=result.http_status)


# --- Kasse (cash office back office) ---

def _filtered(request: HttpRequest) -> tuple[QuerySet, dict[str, str], list[str]]:
    qs = Payment.objects.select_related("payer").order_by("-created_at")
    params = {k: request.GET.get(k, "").strip() for k in ("status", "von", "bis", "q")}
    errors = []
    if params["status"] in Payment.Status.values:
        qs = qs.filter(status=params["status"])
    for key, lookup in (("von", "created_at__date__gte"), ("bis", "created_at__date__lte")):
        if params[key]:
            try:
                qs = qs.filter(**{lookup: date.fromisoformat(params[key])})
            except ValueError:
                errors.append(_("Bitte geben Sie das Datum im Format JJJJ-MM-TT an."))
    if params["q"]:
        term = params["q"].replace(" ", "")
        qs = qs.filter(Q(kassenzeichen__startswith=term) | Q(provider_reference=params["q"]))
    return qs, params, errors


@cash_office_required
@require_GET
def cash_list(request: HttpRequest) -> HttpResponse:
    qs, params, errors = _filtered(request)
    page = Paginator(qs, 50).get_page(request.GET.get("seite"))
    query = "&".join(f"{k}={v}" for k, v in params.items() if v)
    return render(request, "payments/cash_list.html", {
        "page": page, "params": params, "errors": errors, "statuses": Payment.Status.choices, "query": query,
    })


def _payment_or_404(payment_id) -> Payment:
    try:
        return Payment.objects.select_related("payer").get(pk=payment_id)
    except Payment.DoesNotExist:
        raise Http404 from None


def _render_detail(request: HttpRequest, payment: Payment, form: RefundForm | None = None,
                   status: int = 200) -> HttpResponse:
    return render(request, "payments/cash_detail.html", {
        "payment": payment, "events": payment.events.all(), "refunds": payment.refunds.all(),
        "form": form or RefundForm(), "can_refund": payment.status in (domain.PAID, domain.PARTIALLY_REFUNDED),
    }, status=status)


@cash_office_required
@require_GET
def cash_detail(request: HttpRequest, payment_id) -> HttpResponse:
    payment = _payment_or_404(payment_id)
    record(request.user, "payment.viewed", payment)
    return _render_detail(request, payment)


@cash_office_required
@require_POST
def cash_refund(request: HttpRequest, payment_id) -> HttpResponse:
    payment = _payment_or_404(payment_id)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            services.refund(payment, form.amount_cents, reason=form.cleaned_data["reason"], actor=request.user)
        except ValueError as exc:
            form.add_error("amount", services.user_message(exc))
        except ProviderError:
            messages.error(request, _("Der Zahlungsdienst ist nicht erreichbar. Die Erstattung ist als "
                                      "fehlgeschlagen vermerkt und kann später wiederholt werden."))
            return redirect("payments:cash-detail", payment_id=payment.pk)
        else:
            messages.success(request, _("Die Erstattung wurde ausgeführt."))
            return redirect("payments:cash-detail", payment_id=payment.pk)
    return _render_detail(request, payment, form, status=400)


@cash_office_required
@require_POST
def cash_retry_refund(request: HttpRequest, refund_id) -> HttpResponse:
    refund = get_object_or_404(Refund, pk=refund_id)
    try:
        services.retry_refund(refund, actor=request.user)
    except (ValueError, ProviderError) as exc:
        messages.error(request, _("Die Erstattung ist erneut fehlgeschlagen: %(reason)s")
                       % {"reason": services.user_message(exc) if isinstance(exc, ValueError)
                          else _("Zahlungsdienst nicht erreichbar")})
    else:
        messages.success(request, _("Die Erstattung wurde ausgeführt."))
    return redirect("payments:cash-detail", payment_id=refund.payment_id)


CSV_HEADER = ["Kassenzeichen", "Betrag", "Waehrung", "Verwendungszweck", "Status", "Anbieter", "Transaktion",
              "Angelegt", "Bezahlt", "Erstattet", "Gegenstand"]


def _cell(value: str) -> str:
    # Spreadsheets execute cells starting with these characters (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class _Echo:
    def write(self, value: str) -> str:
        return value


@cash_office_required
@require_GET
def cash_export(request: HttpRequest) -> StreamingHttpResponse:
    """Semicolon CSV with decimal commas, as German Kassenverfahren and spreadsheets read it."""
    qs, params, _errors = _filtered(request)
    record(request.user, "payment.exported", None, object_type="payments.payment", **params)
    writer = csv.writer(_Echo(), delimiter=";")

    def rows():
        yield "\ufeff" + writer.writerow(CSV_HEADER)
        for p in qs.iterator(chunk_size=2000):
            yield writer.writerow([_cell(v) for v in (
                p.kassenzeichen, f"{p.amount_cents / 100:.2f}".replace(".", ","), p.currency, p.purpose,
                p.status, p.provider, p.provider_reference, timezone.localtime(p.created_at).isoformat(),
                timezone.localtime(p.paid_at).isoformat() if p.paid_at else "",
                f"{p.refunded_cents / 100:.2f}".replace(".", ","), f"{p.subject_label}:{p.subject_id}",
            )])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="zahlungen-{timezone.localdate():%Y%m%d}.csv"'
    return response
