"""Public pages of the open data portal: search with facets, dataset and resource pages, downloads,
and the change feed for data users."""

from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from . import datastore, paging, permissions, quality, search, services, vocab
from .ckan.dictize import ckan_time, download_path, package_dict, package_dicts, prefetch
from .models import ChangeEvent, Dataset, Resource

FACETS = [("organization", _("Organisation")), ("groups", _("Kategorie")), ("tags", _("Schlagwort")),
          ("res_format", _("Format")), ("license_id", _("Lizenz"))]
PAGE_SIZE = 20


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def search_page(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:200]
    selected = {name: request.GET.getlist(name) for name, _label in FACETS}
    fq = [f"{name}:{_quote(v)}" for name, values in selected.items() for v in values]
    try:  # a page beyond the end shows no datasets; the cap keeps the offset inside the database's range
        page_no = paging.clamp_int(request.GET.get("page"), 1, minimum=1, maximum=paging.MAX_INT // PAGE_SIZE)
    except ValueError:
        page_no = 1
    error = ""
    scope = permissions.visible_scope(request.user)
    try:
        result = search.search(scope, q=q, fq_list=fq, sort=request.GET.get("sort", ""), rows=PAGE_SIZE,
                               start=(page_no - 1) * PAGE_SIZE, facet_fields=[f for f, _l in FACETS], facet_limit=10)
    except search.SearchQueryError as exc:
        error = str(exc)
        result = search.SearchResult(0, [])
    facets = []
    for name, label in FACETS:
        items = []
        for value, display, count in result.facets.get(name, []):
            params = [(k, v) for k, vs in selected.items() for v in vs] + ([("q", q)] if q else [])
            active = value in selected[name]
            toggled = [p for p in params if p != (name, value)] if active else params + [(name, value)]
            items.append({"value": value, "label": display, "count": count, "active": active,
                          "url": "?" + urlencode(toggled)})
        facets.append({"name": name, "label": label, "items": items})
    paginator = Paginator(range(result.count), PAGE_SIZE)
    page = paginator.get_page(page_no)
    keep = urlencode([(k, v) for k, vs in selected.items() for v in vs] + ([("q", q)] if q else []))
    return render(request, "opendata/search.html", {
        "q": q, "result": result, "facets": facets, "page": page, "keep": keep, "error": error,
        "datasets": package_dicts(result.ids),
    })


def _readable(request: HttpRequest, name: str) -> Dataset:
    ds = get_object_or_404(prefetch(Dataset.objects.all()), name=name)
    if not permissions.can_read_dataset(request.user, ds):
        raise Http404
    return ds


def dataset_by_id(request: HttpRequest, dataset_id) -> HttpResponse:
    ds = get_object_or_404(Dataset, pk=dataset_id)
    return redirect("opendata:dataset", ds.name)


def dataset_page(request: HttpRequest, name: str) -> HttpResponse:
    ds = _readable(request, name)
    pkg = package_dict(ds)
    assessment = quality.assess(pkg, overdue=services.is_overdue(ds))
    return render(request, "opendata/dataset.html", {
        "ds": ds, "pkg": pkg, "assessment": assessment,
        "license": vocab.LICENSES.get(ds.license_id), "frequency": vocab.FREQUENCIES.get(ds.frequency, ("",))[0],
        "can_edit": permissions.can_edit_org(request.user, ds.organization),
    })


def resource_page(request: HttpRequest, name: str, resource_id) -> HttpResponse:
    ds = _readable(request, name)
    resource = get_object_or_404(Resource, pk=resource_id, dataset=ds, state="active")
    download_url = download_path(resource) if resource.file else ""
    context: dict[str, Any] = {"ds": ds, "resource": resource, "download_url": download_url}
    if resource.datastore_status == Resource.LoadStatus.DONE:
        try:
            offset = paging.clamp_int(request.GET.get("offset"), 0, minimum=0)
        except ValueError:
            offset = 0
        table = datastore.search(resource, {"limit": 50, "offset": offset})
        context["table"] = table
        context["prev_offset"] = max(0, offset - 50) if offset else None
        context["next_offset"] = offset + 50 if offset + 50 < table["total"] else None
    if resource.format == "GEOJSON" and resource.file:
        context["geojson_url"] = download_url
    return render(request, "opendata/resource.html", context)


def resource_download(request: HttpRequest, dataset_id, resource_id, filename: str) -> FileResponse:
    resource = get_object_or_404(Resource.objects.select_related("dataset__organization"), pk=resource_id,
                                 dataset_id=dataset_id, state="active")
    if not resource.file or not permissions.can_read_dataset(request.user, resource.dataset):
        raise Http404
    response = FileResponse(resource.file.open("rb"), as_attachment=resource.format not in ("GEOJSON", "JSON"),
                            filename=resource.file.name.rsplit("/", 1)[-1],
                            content_type=resource.mimetype or "application/octet-stream")
    return response


def change_feed(request: HttpRequest) -> JsonResponse:
    """Changes since a sequence number, deletions included: ``?since=<seq>&limit=<n>``.

    Harvesters keep the last ``seq`` and ask again; a ``deleted`` entry is a tombstone.
    """
    try:
        since = paging.clamp_int(request.GET.get("since"), 0, minimum=0)
        limit = paging.clamp_int(request.GET.get("limit"), 100, minimum=1, maximum=1000)
    except ValueError:
        return JsonResponse({"error": "since und limit müssen ganze Zahlen sein."}, status=400)
    events = list(ChangeEvent.objects.filter(id__gt=since).order_by("id")[:limit])
    data = [{"seq": e.id, "id": str(e.dataset_id), "name": e.dataset_name, "change": e.kind, "at": ckan_time(e.at)}
            for e in events]
    next_since = events[-1].id if events else since
    return JsonResponse({"changes": data, "next": f"{request.path}?since={next_since}&limit={limit}",
                         "last_seq": next_since})
