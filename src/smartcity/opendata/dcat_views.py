"""DCAT-AP.de endpoints: /opendata/catalog.{ttl,rdf,xml,jsonld} and /opendata/dataset/<name>.{fmt}."""

from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse

from . import dcat, paging, search
from .ckan.dictize import prefetch
from .models import Dataset


def _respond(g, fmt: str) -> HttpResponse:
    syntax, content_type = dcat.FORMATS[fmt]
    return HttpResponse(g.serialize(format=syntax), content_type=f"{content_type}; charset=utf-8")


def catalog(request: HttpRequest, fmt: str) -> HttpResponse:
    per_page = settings.OPENDATA_CATALOG_PAGE_SIZE
    try:  # a page beyond the end is empty; the cap keeps the offset inside the database's range
        page = paging.clamp_int(request.GET.get("page"), 1, minimum=1, maximum=paging.MAX_INT // per_page)
    except ValueError:
        return HttpResponse("page muss eine ganze Zahl sein.", status=400, content_type="text/plain; charset=utf-8")
    qs = Dataset.objects.filter(state=Dataset.State.ACTIVE, private=False)
    since = request.GET.get("modified_since", "").strip()
    if since:
        try:
            qs = qs.filter(metadata_modified__gte=search.modified_since(since))
        except search.SearchQueryError as exc:
            return HttpResponse(f"modified_since: {exc}", status=400, content_type="text/plain; charset=utf-8")
    total = qs.count()
    datasets = list(prefetch(qs.order_by("metadata_created", "id"))[(page - 1) * per_page:page * per_page])
    g = dcat.new_graph()
    dcat.add_catalog(g, datasets)
    base = f"{settings.SITE_URL}{request.path}"
    if since:
        base += "?" + urlencode({"modified_since": since})
    dcat.add_paging(g, base, page=page, per_page=per_page, total=total)
    return _respond(g, fmt)


def dataset_rdf(request: HttpRequest, name: str, fmt: str) -> HttpResponse:
    ds = prefetch(Dataset.objects.filter(name=name, state=Dataset.State.ACTIVE, private=False)).first()
    if ds is None:
        raise Http404
    g = dcat.new_graph()
    dcat.add_dataset(g, ds)
    return _respond(g, fmt)
