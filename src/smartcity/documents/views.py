from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.cache import never_cache

from smartcity.audit.services import record

from . import services
from .access import reader_role
from .models import Document


@login_required
@never_cache
def download(request: HttpRequest, pk: UUID) -> FileResponse:
    document = Document.objects.select_related("case").filter(pk=pk).first()
    role = reader_role(request.user, document) if document else None
    if role is None:
        raise Http404  # same answer for "missing" and "not yours": IDs reveal nothing
    if role == "staff" and document.owner_id:
        record(request.user, "documents.read_personal", document, case=document.case.reference)
    if role == "owner" and document.kind == Document.Kind.DECISION:
        services.mark_retrieved(document, request.user)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404
    response = FileResponse(handle, as_attachment=True, filename=document.original_name,
                            content_type=document.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
