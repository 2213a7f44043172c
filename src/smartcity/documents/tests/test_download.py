"""Access checks on documents:download (no IDOR) and the § 41 Abs. 2a VwVfG first retrieval."""

import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from smartcity.accounts.testing import login_citizen, login_staff, make_citizen, make_staff
from smartcity.audit.models import AuditEvent
from smartcity.cases.services import create_case, ensure_case_type
from smartcity.documents import services
from smartcity.documents.models import Document

from .files import pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen():
    return make_citizen()


@pytest.fixture
def case(citizen):
    case_type = ensure_case_type("hundesteuer", name="Hund anmelden", department_code="steueramt")
    return create_case(case_type=case_type, applicant=citizen, data={})


@pytest.fixture
def document(citizen, case):
    return services.store_upload(upload(pdf_bytes(), name="Impfpass.pdf"), owner=citizen, case=case)


def url(doc_id) -> str:
    return reverse("documents:download", args=[doc_id])


def test_owner_downloads_as_attachment(client, citizen, document):
    login_citizen(client, citizen)
    response = client.get(url(document.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="Impfpass.pdf"')
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_other_citizen_guessing_the_uuid_gets_404(client, document):
    login_citizen(client, make_citizen())
    assert client.get(url(document.pk)).status_code == 404
    assert client.get(url(uuid.uuid4())).status_code == 404


def test_anonymous_is_sent_to_login(client, document):
    response = client.get(url(document.pk))
    assert response.status_code == 302 and "/konto/anmelden/" in response["Location"]


def test_staff_of_the_case_department_reads_with_audit(client, document):
    caseworker = make_staff("steueramt")
    login_staff(client, caseworker)
    assert client.get(url(document.pk)).status_code == 200
    assert AuditEvent.objects.filter(action="documents.read_personal", actor=caseworker,
                                     object_id=str(document.pk)).exists()
    from smartcity.documents.gdpr import export

    reads = export(document.owner)["Einsichtnahmen der Verwaltung"]
    assert [r["Dokument"] for r in reads] == ["Impfpass.pdf"]
    assert caseworker.username not in str(reads)


def test_staff_of_other_department_admin_and_unverified_staff_get_404(client, document):
    for user in (make_staff("verkehrsmanagement"), make_staff("steueramt", role="admin")):
        login_staff(client, user)
        assert client.get(url(document.pk)).status_code == 404
    unverified = make_staff("steueramt")
    client.force_login(unverified, backend="smartcity.accounts.backends.EmailOrUsernameBackend")
    assert client.get(url(document.pk)).status_code == 404


def test_decision_first_retrieval_recorded_once(client, citizen, case):
    decision = services.store_generated(pdf_bytes(), filename="Bescheid.pdf", content_type="application/pdf",
                                        owner=citizen, case=case, kind=Document.Kind.DECISION)
    login_staff(client, make_staff("steueramt"))
    client.get(url(decision.pk))
    decision.refresh_from_db()
    assert decision.first_retrieved_at is None  # staff reading it is no notification
    login_citizen(client, citizen)
    client.get(url(decision.pk))
    decision.refresh_from_db()
    first = decision.first_retrieved_at
    assert first is not None
    client.get(url(decision.pk))
    decision.refresh_from_db()
    assert decision.first_retrieved_at == first
    assert AuditEvent.objects.filter(action="documents.decision_retrieved").count() == 1


def test_missing_file_is_404_not_500(client, citizen, document):
    document.file.delete(save=False)
    login_citizen(client, citizen)
    assert client.get(url(document.pk)).status_code == 404


def test_cleanup_deletes_expired_documents_and_files(citizen, case, settings):
    now = timezone.now()
    orphan = services.store_upload(upload(pdf_bytes()), owner=citizen)
    Document.objects.filter(pk=orphan.pk).update(created_at=now - timedelta(days=settings.DOCUMENT_ORPHAN_DAYS + 1))
    fresh_orphan = services.store_upload(upload(pdf_bytes()), owner=citizen)
    on_case = services.store_upload(upload(pdf_bytes()), owner=citizen, case=case)
    orphan_path = orphan.file.path
    assert services.cleanup(now) == 1
    assert not Document.objects.filter(pk=orphan.pk).exists()
    assert not __import__("os").path.exists(orphan_path)
    assert Document.objects.filter(pk__in=[fresh_orphan.pk, on_case.pk]).count() == 2
    type(case).objects.filter(pk=case.pk).update(closed_at=now - timedelta(days=7 * 365))
    assert services.cleanup(now) == 1
    assert not Document.objects.filter(pk=on_case.pk).exists()


def test_cleanup_task_runs_the_retention_rule(citizen):
    from smartcity.documents.tasks import cleanup_documents

    old = services.store_upload(upload(pdf_bytes()), owner=citizen)
    Document.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=365))
    assert cleanup_documents.delay().get() == 1
