from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from smartcity.audit.models import AuditEvent
from smartcity.cases import extensions, retention, services
from smartcity.cases.extensions import ApprovalResult
from smartcity.cases.models import Case
from smartcity.cases.services import CaseError
from smartcity.documents.models import Document
from smartcity.documents.services import store_generated
from smartcity.notifications.models import Notification


def _pdf_text(document: Document) -> str:
    with document.file.open("rb") as fh:
        return "\n".join(page.extract_text() for page in PdfReader(fh).pages)


def test_decide_creates_decision_pdf_for_the_citizen(case, caseworker, citizen):
    services.decide(case, outcome="approved", actor=caseworker, reasons="Alle Nachweise liegen vor.")
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("genehmigt", "approved") and case.is_closed
    document = Document.objects.get(case=case, kind="decision")
    assert document.owner == citizen and document.content_type == "application/pdf"
    text = _pdf_text(document)
    for expected in (case.reference, "genehmigt", "Alle Nachweise liegen vor.", "Rechtsbehelfsbelehrung",
                     "Hundesteuersatzung Düsseldorf", "§ 41 Abs. 2a VwVfG"):
        assert expected in text
    assert case.decision_record["document"] == str(document.pk)
    assert AuditEvent.objects.filter(action="case.decided", object_id=str(case.pk)).exists()
    assert Notification.objects.filter(user=citizen, subject__contains="Genehmigt").exists()


def test_rejection_and_invalid_outcomes(case, caseworker):
    with pytest.raises(CaseError):
        services.decide(case, outcome="maybe", actor=caseworker)
    services.decide(case, outcome="rejected", actor=caseworker, reasons="Nachweis fehlt.")
    case.refresh_from_db()
    assert case.status == "abgelehnt"
    assert "abgelehnt" in _pdf_text(Document.objects.get(case=case, kind="decision"))
    with pytest.raises(CaseError, match="kann nicht entschieden werden"):
        services.decide(case, outcome="approved", actor=caseworker)


def test_extension_supplies_its_own_document_and_record(case, caseworker, citizen):
    calls = []

    def on_approve(approved_case, actor):
        calls.append((approved_case.pk, actor))
        permit = store_generated(b"%PDF-1.4 permit", filename="Ausweis.pdf", content_type="application/pdf",
                                 owner=citizen, case=approved_case, kind="decision")
        return ApprovalResult(document=permit, record={"checks": ["wohnsitz"]})

    extensions.register(case.case_type.code, on_approve=on_approve)
    try:
        services.decide(case, outcome="approved", actor=caseworker)
    finally:
        extensions.register(case.case_type.code)
    case.refresh_from_db()
    assert calls == [(case.pk, caseworker)]
    assert case.decision_record["checks"] == ["wohnsitz"]
    assert Document.objects.filter(case=case, kind="decision").count() == 1


def test_failing_extension_aborts_the_approval(case, caseworker):
    def on_approve(approved_case, actor):
        raise RuntimeError("register down")

    extensions.register(case.case_type.code, on_approve=on_approve)
    try:
        with pytest.raises(RuntimeError):
            services.decide(case, outcome="approved", actor=caseworker)
    finally:
        extensions.register(case.case_type.code)
    case.refresh_from_db()
    assert case.status == "eingegangen" and not Document.objects.filter(case=case).exists()


def test_retention_anonymises_closed_cases_and_deletes_documents(case, caseworker, citizen, png_upload):
    services.send_message(case, sender=caseworker, body="Nachweis bitte", is_question=True)
    services.add_note(case, author=caseworker, body="Erika anrufen")
    services.decide(case, outcome="rejected", actor=caseworker, reasons="Keine Antwort erhalten.")
    document = Document.objects.get(case=case)
    path = document.file.path
    open_case = services.create_case(case_type=case.case_type, applicant=citizen, data={"x": 1})

    assert retention.apply_retention() == 0  # not yet expired
    later = timezone.now() + timedelta(days=case.case_type.retention_days + 1)
    assert retention.apply_retention(now=later) == 1
    assert retention.apply_retention(now=later) == 0  # idempotent

    case = Case.objects.get(pk=case.pk)
    assert case.anonymised_at and case.applicant is None and case.applicant_name == "" and case.data == {}
    assert not case.messages.exists() and not case.notes.exists()
    assert not Document.objects.filter(pk=document.pk).exists()
    import os
    assert not os.path.exists(path)
    assert set(case.status_changes.values_list("comment", flat=True)) == {""}
    assert case.status == "abgelehnt"  # statistics stay
    assert Case.objects.get(pk=open_case.pk).anonymised_at is None
