from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from .exchange import export_csv, export_rows
from .models import Service
from .search import catalogue_version, categories, matching_ids, services_in_order

PAGE_SIZE = 20


def service_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    version = catalogue_version()
    ids = matching_ids({**request.GET.dict(), "q": query}, version)
    page = Paginator(ids, PAGE_SIZE).get_page(request.GET.get("seite"))
    page.object_list = services_in_order(list(page.object_list), version)
    params = request.GET.copy()
    params.pop("seite", None)
    return render(request, "catalogue/list.html", {
        "query": query,
        "page": page,
        "categories": categories(version),
        "selected_category": request.GET.get("category", ""),
        "online_only": "online" in request.GET,
        "page_params": params.urlencode(),
    })


def service_detail(request: HttpRequest, slug: str) -> HttpResponse:
    services = Service.objects.select_related("department").prefetch_related("categories", "form_definitions")
    service = get_object_or_404(services, slug=slug)
    return render(request, "catalogue/detail.html", {"service": service})


def _attachment_name(extension: str) -> str:
    return f"leistungskatalog-{timezone.localdate():%Y-%m-%d}.{extension}"


def export_json(request: HttpRequest) -> JsonResponse:
    response = JsonResponse({"services": export_rows()}, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{_attachment_name("json")}"'
    return response


def export_csv_view(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(export_csv(export_rows()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_attachment_name("csv")}"'
    return response
