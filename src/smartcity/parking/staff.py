"""Back office of resident parking: every application with its decision records (read-only, also the
automatic ones), and the two caseworker actions the generic case page cannot offer: setting the zone and
starting the hearing (§ 28 VwVfG) before a rejection. Only staff of the parking department; reads are audited.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcity.accounts.decorators import staff_required
from smartcity.accounts.permissions import CASE_READER_ROLES
from smartcity.audit.services import record

from . import services
from .forms import HearingForm, ZoneForm
from .models import Application, DecisionRecord

PAGE_SIZE = 50


def is_parking_staff(user: Any) -> bool:
    """A caseworker or team lead of the parking department (answered from the user's roles, no query)."""
    return user.is_authenticated and any(code == services.DEPARTMENT_CODE and role in CASE_READER_ROLES
                                         for _department, code, role in user.role_list)


def _applications(request: HttpRequest) -> QuerySet[Application]:
    if not is_parking_staff(request.user):
        raise PermissionDenied(_("Nur die Sachbearbeitung Bewohnerparken hat Zugriff."))
    return Application.objects.exclude(submitted_at=None)


def case_link(case: Any) -> str:
    """cases.extensions ``staff_link``: the application behind a parking case (no writes)."""
    pk = Application.objects.filter(case_id=case.pk).values_list("pk", flat=True).first()
    return reverse("parking:staff_application", args=[pk]) if pk else ""


@staff_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = _applications(request).select_related("zone").order_by("-submitted_at")
    query = request.GET.get("q", "").strip()[:40]
    if query:
        applications = applications.filter(Q(reference__iexact=query) | Q(plate__iexact=query)
                                           | Q(second_plate__iexact=query))
    if request.GET.get("nur") == "automatisch":
        applications = applications.filter(decisions__automated=True,
                                           decisions__outcome=DecisionRecord.Outcome.ISSUE).distinct()
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("seite"))
    if query:
        record(request.user, "parking.application.search", object_type="parking.application", query=query)
    return render(request, "parking/staff_list.html", {"page": page, "query": query,
                                                       "only_automatic": request.GET.get("nur") == "automatisch"})


def _staff_detail(request: HttpRequest, application: Application, *, zone_form: ZoneForm | None = None,
                  hearing_form: HearingForm | None = None, status: int = 200) -> HttpResponse:
    open_for_staff = application.status in (Application.Status.IN_REVIEW, Application.Status.HEARING)
    return render(request, "parking/staff_application.html", {
        "application": application, "decisions": application.decisions.select_related("decided_by"),
        "zone_form": zone_form or (ZoneForm(initial={"zone": application.zone_id}) if open_for_staff else None),
        "hearing_form": hearing_form or (HearingForm() if application.status == Application.Status.IN_REVIEW
                                         and application.case_id else None),
        "case": _case_of(application), "hearing_held": services.hearing_held(application),
    }, status=status)


def _case_of(application: Application) -> Any:
    from smartcity.cases.models import Case

    return Case.objects.filter(pk=application.case_id).only("reference", "status").first() \
        if application.case_id else None


def _application_or_404(request: HttpRequest, pk: Any) -> Application:
    try:
        queryset = _applications(request)
    except PermissionDenied as exc:
        raise Http404 from exc  # other departments learn nothing about parking applications
    return get_object_or_404(queryset.select_related("zone", "applicant"), pk=pk)


@staff_required
def application_detail(request: HttpRequest, pk: Any) -> HttpResponse:
    application = _application_or_404(request, pk)
    record(request.user, "parking.application.read", application, reference=application.reference)
    return _staff_detail(request, application)


def _staff_action(request: HttpRequest, pk: Any, form_class: type, form_key: str,
                  action: Callable[[Application, dict[str, Any]], None], success: str) -> HttpResponse:
    """POST: validate, call the service, redirect; on errors show the page again with the input kept."""
    application = _application_or_404(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            action(application, form.cleaned_data)
        except services.ParkingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success)
            return redirect("parking:staff_application", application.pk)
    return _staff_detail(request, application, status=400, **{form_key: form})


@staff_required
@require_POST
def set_zone(request: HttpRequest, pk: Any) -> HttpResponse:
    return _staff_action(request, pk, ZoneForm, "zone_form",
                         lambda app, data: services.set_zone(app, data["zone"], actor=request.user),
                         _("Gebiet gespeichert. Der Antrag kann jetzt genehmigt werden."))


@staff_required
@require_POST
def start_hearing(request: HttpRequest, pk: Any) -> HttpResponse:
    return _staff_action(request, pk, HearingForm, "hearing_form",
                         lambda app, data: services.start_hearing(app, actor=request.user, reasons=data["reasons"]),
                         _("Die Anhörung ist eingeleitet; die antragstellende Person wurde benachrichtigt."))
