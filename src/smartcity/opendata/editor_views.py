"""Editor UI: members of an organisation create datasets, upload resources and publish.

Publishing shows the DCAT-AP.de SHACL findings and the quality hints first; violations are
warnings for the editor, the publish button stays available (the data is the city's decision).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartcity.accounts.decorators import second_factor_required

from . import permissions, quality, services, shacl
from .ckan.dictize import package_dict, prefetch
from .forms import DatasetForm, ResourceForm, TokenForm
from .models import ApiToken, Dataset
from .validation import InvalidData


def _editor_orgs(request: HttpRequest):
    orgs = permissions.editable_orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied
    return orgs


def _own_dataset(request: HttpRequest, name: str) -> Dataset:
    ds = get_object_or_404(prefetch(Dataset.objects.exclude(state=Dataset.State.DELETED)), name=name)
    if not permissions.can_edit_org(request.user, ds.organization):
        raise PermissionDenied
    return ds


@second_factor_required
def dashboard(request: HttpRequest) -> HttpResponse:
    orgs = _editor_orgs(request)
    datasets = (Dataset.objects.filter(organization__in=orgs).exclude(state=Dataset.State.DELETED)
                .select_related("organization").prefetch_related("resources").order_by("-metadata_modified"))
    return render(request, "opendata/editor/dashboard.html", {"datasets": datasets, "orgs": orgs})


@second_factor_required
def dataset_create(request: HttpRequest) -> HttpResponse:
    orgs = _editor_orgs(request)
    form = DatasetForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        try:
            ds = services.create_dataset(request.user, form.to_package(), default_state=Dataset.State.DRAFT)
        except InvalidData as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("Entwurf angelegt. Fügen Sie jetzt eine Ressource hinzu."))
            return redirect("opendata:editor_edit", ds.name)
    return render(request, "opendata/editor/form.html", {"form": form, "ds": None})


@second_factor_required
def dataset_edit(request: HttpRequest, name: str) -> HttpResponse:
    ds = _own_dataset(request, name)
    form = DatasetForm(request.POST or None, orgs=[ds.organization], instance=ds)
    if request.method == "POST" and form.is_valid():
        try:
            ds = services.update_dataset(request.user, ds, form.to_package(), partial=True)
        except InvalidData as exc:
            form.add_service_errors(exc.errors)
        else:
            messages.success(request, _("Änderungen gespeichert."))
            return redirect("opendata:editor_edit", ds.name)
    pkg = package_dict(ds)
    return render(request, "opendata/editor/form.html", {
        "form": form, "ds": ds, "pkg": pkg, "resource_form": ResourceForm(),
        "assessment": quality.assess(pkg, overdue=services.is_overdue(ds)),
        "findings": shacl.dataset_findings(ds),
        "revisions": ds.revisions.all()[:10],
    })


@second_factor_required
def resource_upload(request: HttpRequest, name: str) -> HttpResponse:
    ds = _own_dataset(request, name)
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "upload"}
        try:
            services.create_resource(request.user, ds, data, form.cleaned_data.get("upload"))
        except InvalidData as exc:
            for key, msgs in exc.errors.items():
                for message in msgs:
                    form.add_error(key if key in form.fields else None, message)
        else:
            messages.success(request, _("Ressource hinzugefügt."))
            return redirect("opendata:editor_edit", ds.name)
    return render(request, "opendata/editor/resource.html", {"form": form, "ds": ds})


@second_factor_required
@require_POST
def dataset_state(request: HttpRequest, name: str) -> HttpResponse:
    ds = _own_dataset(request, name)
    target = request.POST.get("state")
    if target not in (Dataset.State.ACTIVE, Dataset.State.DRAFT, Dataset.State.DELETED):
        messages.error(request, _("Unbekannte Aktion."))
        return redirect("opendata:editor_edit", ds.name)
    services.set_state(request.user, ds, target)
    text = {"active": _("Datensatz veröffentlicht."), "draft": _("Datensatz zurückgezogen (Entwurf)."),
            "deleted": _("Datensatz gelöscht.")}[target]
    messages.success(request, text)
    if target == Dataset.State.DELETED:
        return redirect("opendata:editor")
    return redirect("opendata:editor_edit", ds.name)


@second_factor_required
def tokens(request: HttpRequest) -> HttpResponse:
    _editor_orgs(request)
    created = None
    form = TokenForm(request.POST or None)
    if request.method == "POST":
        revoke = request.POST.get("revoke")
        if revoke:
            if services.is_uuid(revoke) and services.revoke_token(request.user, revoke):
                messages.success(request, _("Token widerrufen."))
            return redirect("opendata:editor_tokens")
        if form.is_valid():
            created = services.issue_token(request.user, form.cleaned_data["name"])
            form = TokenForm()
    return render(request, "opendata/editor/tokens.html", {
        "form": form, "created": created,
        "tokens": ApiToken.objects.filter(user=request.user).order_by("-created_at"),
    })
