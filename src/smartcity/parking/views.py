"""Citizen pages of the resident parking permit: apply, pay, download, renew, change, replace, return."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcity.accounts import ratelimit
from smartcity.accounts.decorators import trust_level_required
from smartcity.accounts.models import TrustLevel

from . import portal, services
from .forms import AddressCheckForm, ApplicationForm, ConfirmForm, PlateChangeForm, RenewalForm, StatementForm
from .models import Application, Permit, Zone
from .rules.fees import NoFee, fee_range, format_euros, format_fee_range
from .rules.lifecycle import renewal_open, renewal_opens_on
from .rules.plates import InvalidInput

citizen_required = trust_level_required(TrustLevel.SUBSTANTIAL)
Kind = Application.Kind


def _fees(config, zone_code: str | None = None, channel: str = "online", length_mm: int | None = None
          ) -> dict[int, str]:
    """The fee per duration as shown before the registers are asked: a range when zone or length bands decide."""
    fees = {}
    for months in config.durations_months:
        try:
            low, high = fee_range(config.fees, channel=channel, zone_code=zone_code, months=int(months),
                                  length_mm=length_mm)
        except NoFee:
            continue
        fees[int(months)] = format_fee_range(low, high)
    return fees


def start(request: HttpRequest) -> HttpResponse:
    """Overview: what the permit is, what it costs, "Liegt meine Adresse in einem Gebiet?", my permits."""
    config = services.get_config()
    check_form = AddressCheckForm(request.GET or None)
    located, checked = None, False
    if check_form.is_bound and check_form.is_valid():
        checked = True
        located = services.locate(**check_form.cleaned_data)
    online, counter = _fees(config), _fees(config, channel="counter")
    fee_rows = [(months, fee, counter.get(months, "–")) for months, fee in online.items()]
    context = {
        "config": config, "fee_rows": fee_rows,
        "zones": Zone.objects.order_by("code"), "check_form": check_form, "located": located, "checked": checked,
    }
    if request.user.is_authenticated:
        context["permits"] = Permit.objects.filter(holder=request.user).select_related("zone")[:20]
        context["applications"] = Application.objects.filter(applicant=request.user).exclude(
            status=Application.Status.ISSUED)[:20]
    return render(request, "parking/start.html", context)


def _store_upload(upload, user):
    from smartcity.documents.services import store_upload

    return store_upload(upload, owner=user, kind="upload")


def _application_form(request: HttpRequest, *, application: Application | None = None) -> HttpResponse:
    config = services.get_config()
    fees = _fees(config)
    initial = {"months": config.durations_months[0]}
    if application is not None:
        initial = {"plate": application.plate, "vin_suffix": application.vin_suffix, "months": application.months,
                   "second_plate": application.second_plate,
                   "special_circumstances": application.special_circumstances}
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial,
                           durations=[int(m) for m in config.durations_months], fees=fees)
    if request.method == "POST" and not ratelimit.allow("parking-submit", str(request.user.pk), limit=20,
                                                        window_seconds=3600):
        form.is_valid()  # keep what was typed on the page
        form.add_error(None, _("Sie haben in der letzten Stunde sehr viele Anträge abgeschickt. Bitte versuchen "
                               "Sie es später erneut; Ihre Eingaben sind unten noch vorhanden."))
    elif request.method == "POST" and form.is_valid():
        from smartcity.documents.validation import UploadRejected

        data = dict(form.cleaned_data)
        upload = data.pop("usage_document")
        try:
            document = _store_upload(upload, request.user) if upload else None
        except UploadRejected as exc:
            form.add_error("usage_document", str(exc))
        else:
            try:
                if application is None:
                    application = services.create_application(request.user, usage_document=document, **data)
                else:
                    services.correct_application(application, usage_document=document, **data)
                services.submit(application)
            except (InvalidInput, services.ParkingError) as exc:
                form.add_error(None, _(str(exc)))  # plate/VIN messages are German msgids
            else:
                return redirect("parking:application", application.pk)
    return render(request, "parking/apply.html", {"form": form, "application": application, "config": config})


@citizen_required
def apply(request: HttpRequest) -> HttpResponse:
    active = services.active_permit_of(request.user)
    if active is not None:
        messages.info(request, _("Sie haben bereits einen gültigen Bewohnerparkausweis. Hier können Sie ihn "
                                 "verlängern oder ändern."))
        return redirect("parking:permit", active.pk)
    return _application_form(request)


@citizen_required
def application_edit(request: HttpRequest, pk) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk, applicant=request.user)
    if application.status != Application.Status.DRAFT or application.kind != Kind.NEW:
        return redirect("parking:application", application.pk)
    return _application_form(request, application=application)


def _detail(request: HttpRequest, application: Application, statement_form: StatementForm) -> HttpResponse:
    decisions = application.decisions.all()
    return render(request, "parking/application.html", {
        "application": application, "decisions": decisions, "statement_form": statement_form,
        "permit": Permit.objects.filter(application=application).first(), "Status": Application.Status,
        "fee_display": format_euros(application.fee_cents) if application.fee_cents is not None else "",
        "can_withdraw": application.status in services.WITHDRAWABLE, "timeline": portal.timeline(application),
    })


@login_required
def application_detail(request: HttpRequest, pk) -> HttpResponse:
    application = get_object_or_404(Application.objects.select_related("zone", "replaces"), pk=pk,
                                    applicant=request.user)
    return _detail(request, application, StatementForm())


@citizen_required
@require_POST
def application_pay(request: HttpRequest, pk) -> HttpResponse:
    from smartcity.payments.services import PaymentUnavailable

    application = get_object_or_404(Application, pk=pk, applicant=request.user)
    try:
        url = services.start_payment(application,
                                     return_url=reverse("parking:application", args=[application.pk]))
    except (services.ParkingError, PaymentUnavailable) as exc:
        messages.error(request, str(exc))
        return redirect("parking:application", application.pk)
    return redirect(url)


@citizen_required
@require_POST
def application_statement(request: HttpRequest, pk) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk, applicant=request.user)
    form = StatementForm(request.POST)
    if form.is_valid():
        try:
            services.submit_statement(application, form.cleaned_data["statement"])
        except services.ParkingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Ihre Stellungnahme ist eingegangen. Die Sachbearbeitung entscheidet jetzt."))
            return redirect("parking:application", application.pk)
    return _detail(request, application, form)


@citizen_required
@require_POST
def application_withdraw(request: HttpRequest, pk) -> HttpResponse:
    application = get_object_or_404(Application, pk=pk, applicant=request.user)
    try:
        services.withdraw(application, actor=request.user)
    except services.ParkingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Der Antrag wurde zurückgezogen."))
    return redirect("parking:application", application.pk)


@login_required
def permit_detail(request: HttpRequest, pk) -> HttpResponse:
    permit = get_object_or_404(Permit.objects.select_related("zone", "application"), pk=pk, holder=request.user)
    config = services.get_config()
    today = timezone.localdate()
    return render(request, "parking/permit.html", {
        "permit": permit, "config": config, "active": permit.status == Permit.Status.ACTIVE,
        "renewal_open": renewal_open(today, permit.valid_until, config.renewal_window_days),
        "renewal_opens_on": renewal_opens_on(permit.valid_until, config.renewal_window_days),
        "pending": Application.objects.filter(replaces=permit).exclude(
            status__in=[Application.Status.ISSUED, Application.Status.WITHDRAWN, Application.Status.REJECTED]).first(),
    })


@login_required
def permit_download(request: HttpRequest, pk) -> HttpResponse:
    permit = get_object_or_404(Permit, pk=pk, holder=request.user)
    document = services.ensure_permit_document(permit)
    return redirect("documents:download", document.pk)


def _follow_up(request: HttpRequest, permit: Permit, kind: str, **fields) -> HttpResponse | None:
    try:
        with transaction.atomic():
            application = services.create_application(request.user, kind=kind, replaces=permit, **fields)
        services.submit(application)
    except (InvalidInput, services.ParkingError) as exc:
        messages.error(request, _(str(exc)))  # plate/VIN messages are German msgids
        return None
    return redirect("parking:application", application.pk)


def _active_permit(request: HttpRequest, pk) -> Permit:
    return get_object_or_404(Permit, pk=pk, holder=request.user, status=Permit.Status.ACTIVE)


def _action_page(request, permit, form, *, title: str, intro: str, submit: str, extra=None) -> HttpResponse:
    return render(request, "parking/permit_action.html", {"permit": permit, "form": form, "title": title,
                                                          "intro": intro, "submit": submit, **(extra or {})})


def _vehicle_length(permit: Permit) -> int | None:
    """The length the register gave for the permit's vehicle (a renewal keeps the vehicle)."""
    for decision in permit.application.decisions.all():  # newest first; a handful of rows
        length = (decision.inputs.get("fahrzeugregister") or {}).get("length_mm")
        if length:
            return int(length)
    return None


@citizen_required
def permit_renew(request: HttpRequest, pk) -> HttpResponse:
    permit = _active_permit(request, pk)
    config = services.get_config()
    form = RenewalForm(request.POST or None, durations=[int(m) for m in config.durations_months],
                       fees=_fees(config, permit.zone.code, length_mm=_vehicle_length(permit)),
                       initial={"months": permit.application.months})
    if request.method == "POST" and form.is_valid():
        response = _follow_up(request, permit, Kind.RENEWAL, plate=permit.plate,
                              vin_suffix=permit.application.vin_suffix, months=form.cleaned_data["months"],
                              second_plate=permit.second_plate)
        if response:
            return response
    return _action_page(request, permit, form, title=_("Ausweis verlängern"),
                        intro=_("Die Verlängerung beginnt sofort; die Restlaufzeit Ihres Ausweises wird angerechnet. "
                                "Melde- und Fahrzeugdaten werden erneut geprüft."),
                        submit=_("Verlängerung beantragen"))


@citizen_required
def permit_change_plate(request: HttpRequest, pk) -> HttpResponse:
    permit = _active_permit(request, pk)
    config = services.get_config()
    form = PlateChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _follow_up(request, permit, Kind.PLATE_CHANGE, months=permit.application.months,
                              **form.cleaned_data)
        if response:
            return response
    return _action_page(request, permit, form, title=_("Kennzeichen ändern"),
                        intro=_("Das neue Fahrzeug wird im Fahrzeugregister geprüft. Der bisherige Ausweis wird "
                                "ungültig, sobald der neue ausgestellt ist. Gebühr: %(fee)s.")
                        % {"fee": format_euros(config.change_fee_cents)},
                        submit=_("Kennzeichen ändern"))


@citizen_required
def permit_change_zone(request: HttpRequest, pk) -> HttpResponse:
    permit = _active_permit(request, pk)
    config = services.get_config()
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _follow_up(request, permit, Kind.ZONE_CHANGE, plate=permit.plate,
                              vin_suffix=permit.application.vin_suffix, months=permit.application.months)
        if response:
            return response
    return _action_page(request, permit, form, title=_("Umzug in ein anderes Gebiet"),
                        intro=_("Wir prüfen Ihre neue Anschrift im Melderegister. Bitte melden Sie sich zuerst um. "
                                "Der neue Ausweis gilt bis zum bisherigen Ablaufdatum. Gebühr: %(fee)s.")
                        % {"fee": format_euros(config.zone_change_fee_cents)},
                        submit=_("Umschreibung beantragen"))


@citizen_required
def permit_replace(request: HttpRequest, pk) -> HttpResponse:
    permit = _active_permit(request, pk)
    config = services.get_config()
    form = ConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _follow_up(request, permit, Kind.REPLACEMENT, plate=permit.plate,
                              vin_suffix=permit.application.vin_suffix, months=permit.application.months,
                              second_plate=permit.second_plate)
        if response:
            return response
    return _action_page(request, permit, form, title=_("Ersatz bei Verlust"),
                        intro=_("Der verlorene Ausweis wird gesperrt; sein QR-Code gilt dann als widerrufen. Sie "
                                "erhalten einen neuen Ausweis mit gleicher Laufzeit. Gebühr: %(fee)s.")
                        % {"fee": format_euros(config.replacement_fee_cents)},
                        submit=_("Ersatzausweis beantragen"))


@citizen_required
def permit_cancel(request: HttpRequest, pk) -> HttpResponse:
    permit = _active_permit(request, pk)
    form = ConfirmForm(request.POST or None)
    refund = services.refund_preview(permit)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_permit(permit, actor=request.user)
        except services.ParkingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Der Ausweis wurde zurückgegeben."))
            return redirect("parking:permit", permit.pk)
    return _action_page(request, permit, form, title=_("Ausweis zurückgeben"),
                        intro=_("Der Ausweis wird sofort ungültig."), submit=_("Ausweis zurückgeben"),
                        extra={"refund": refund, "refund_display": format_euros(refund.cents)})
