"""Meine Anträge: the citizen's own cases, their timeline, pending actions and documents."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from smartcity.cases import services
from smartcity.cases.forms import MessageForm
from smartcity.cases.models import Case
from smartcity.cases.services import CaseError
from smartcity.cases.type_cache import attach_case_types
from smartcity.core.pagination import FirstPagePaginator
from smartcity.core.rows import RowLoader
from smartcity.documents.models import Document
from smartcity.documents.services import store_upload
from smartcity.documents.validation import UploadRejected
from smartcity.eforms.services import ANY_DRAFT, drafts_for

from . import providers

PAGE_SIZE = 20


@dataclass
class TimelineEntry:
    at: datetime
    title: str
    text: str = ""
    documents: tuple = ()


def _own_case(request: HttpRequest, reference: str) -> Case:
    """Somebody else's case does not exist for this user: 404 whether the reference exists or not."""
    return get_object_or_404(Case.objects.select_related("case_type", "department"), reference=reference,
                             applicant=request.user)


# A page of the citizen's cases as SQL written once per process (core.rows): the page query runs on every visit
# and compiling it cost more Python than the rest of the view. test_list_pages_are_the_orm_querys_pages pins it.
_OWN_CASES = RowLoader(Case, defer=("data", "decision_record"), where="t0.applicant_id = %s",
                       order_by="t0.received_at DESC, t0.id DESC", extra={"open_question": (
                           "EXISTS (SELECT 1 FROM cases_message m WHERE m.case_id = t0.id AND m.is_question "
                           "AND m.answered_at IS NULL)")})


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    # The ORM counts only when the paginator needs the number (not for a first page of fewer than PAGE_SIZE).
    cases = _OWN_CASES.page([request.user.pk], lambda: Case.objects.filter(applicant=request.user).count())
    page = FirstPagePaginator(cases, PAGE_SIZE).get_page(request.GET.get("seite"))
    page.object_list = attach_case_types(list(page.object_list))
    # Drafts and the other procedures' applications: one statement says which of them the user has (mostly none).
    present = providers.present(request.user, {"drafts": ANY_DRAFT})
    return render(request, "portal/list.html", {
        "page": page, "drafts": drafts_for(request.user) if "drafts" in present else (),
        "other_applications": providers.entries_for(request.user, present) if page.number == 1 else []})


def _timeline(case: Case, documents: list[Document]) -> list[TimelineEntry]:
    flow = case.case_type.flow
    entries = [TimelineEntry(change.created_at, flow.label(change.to_status),
                             change.citizen_text or flow.citizen_text(change.to_status))
               for change in case.status_changes.all() if flow.citizen_visible(change.to_status)]
    for message in case.messages.prefetch_related("attachments"):
        if message.from_staff:
            title = _("Rückfrage der Behörde") if message.is_question else _("Nachricht der Behörde")
        else:
            title = _("Ihre Nachricht")
        entries.append(TimelineEntry(message.created_at, title, message.body, tuple(message.attachments.all())))
    entries += [TimelineEntry(d.created_at, _("Bescheid bereitgestellt"), documents=(d,))
                for d in documents if d.kind == "decision"]
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _pending_actions(case: Case, question: Any, documents: list[Document]) -> list[str]:
    actions = []
    if question is not None:
        actions.append("answer")
    if case.status == "zahlung_offen":
        actions.append("pay")
    if any(d.kind == "decision" and d.first_retrieved_at is None for d in documents):
        actions.append("decision")
    return actions


@login_required
def case_detail(request: HttpRequest, reference: str) -> HttpResponse:
    case = _own_case(request, reference)
    form = MessageForm()
    status = 200
    if request.method == "POST":
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                _answer(request, case, form.cleaned_data)
            except UploadRejected as exc:
                form.add_error("attachment", exc.message)
            except CaseError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Ihre Nachricht wurde gesendet."))
                return redirect("portal:detail", reference=case.reference)
        status = 400
    documents = list(Document.objects.filter(case=case, owner=request.user).order_by("created_at"))
    question = case.messages.filter(is_question=True, answered_at__isnull=True).last()
    return render(request, "portal/detail.html", {
        "case": case, "form": form, "question": question, "documents": documents,
        "payment_link": _payment_link(case) if case.status == "zahlung_offen" else "",
        "timeline": _timeline(case, documents), "actions": _pending_actions(case, question, documents),
    }, status=status)


def _payment_link(case: Case) -> str:
    """Fees of declarative services are paid from the submission's confirmation page."""
    from smartcity.eforms.models import Submission

    submission = Submission.objects.filter(case=case).only("pk").first()
    return reverse("eforms:done", args=[submission.pk]) if submission else ""


def _answer(request: HttpRequest, case: Case, data: dict[str, Any]) -> None:
    if case.is_closed:
        raise CaseError(_("Der Vorgang ist abgeschlossen; Nachrichten sind nicht mehr möglich."))
    attachments = []
    if data.get("attachment"):
        attachments.append(store_upload(data["attachment"], owner=request.user, case=case))
    services.send_message(case, sender=request.user, body=data.get("body") or "", attachments=attachments)
