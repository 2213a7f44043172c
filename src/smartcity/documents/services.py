"""Storing and retiring documents. Callers never write Document rows themselves."""

import hashlib
import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.accounts.models import User
from smartcity.audit.services import record
from smartcity.core.rows import insert

from . import retention
from .models import Document
from .scanning import Verdict, scan
from .validation import UploadRejected, check_content, safe_name

log = logging.getLogger(__name__)


def store_upload(uploaded_file: UploadedFile, *, owner: User | None, case=None, kind: str = Document.Kind.UPLOAD
                 ) -> Document:
    """Check a citizen's upload by content, scan it, store it under a random name.

    Raises UploadRejected with a German message; nothing is stored then, and the caller keeps its form data.
    """
    if uploaded_file.size is not None and uploaded_file.size > settings.UPLOAD_MAX_BYTES:
        # Refuse before reading a huge file into memory; check_content phrases the message.
        check_content(b"x" * (settings.UPLOAD_MAX_BYTES + 1))
    uploaded_file.seek(0)
    data = uploaded_file.read(settings.UPLOAD_MAX_BYTES + 1)
    checked = check_content(data)
    verdict, detail = scan(data)
    if verdict is Verdict.INFECTED:
        record(owner, "documents.upload_infected", object_type="documents.document", signature=detail)
        raise UploadRejected(_("In der Datei wurde Schadsoftware gefunden. Sie wurde nicht gespeichert. Bitte "
                               "prüfen Sie Ihr Gerät und laden Sie eine saubere Datei hoch."))
    if verdict is Verdict.FAILED:
        log.error("virus scanner unavailable: %s", detail)
        raise UploadRejected(_("Die Datei konnte gerade nicht auf Viren geprüft werden. Bitte versuchen Sie es in "
                               "einigen Minuten erneut."))
    status = Document.ScanStatus.CLEAN if verdict is Verdict.CLEAN else Document.ScanStatus.NOT_SCANNED
    return _store(data, name=safe_name(uploaded_file.name or ""), content_type=checked.content_type,
                  extension=checked.extension, page_count=checked.page_count, scan_status=status,
                  owner=owner, case=case, kind=kind)


def store_generated(content: bytes, *, filename: str, content_type: str, owner: User | None, case=None,
                    kind: str) -> Document:
    """Store a file the platform produced itself (receipt, decision, permit); no content check needed."""
    extension = filename[filename.rfind("."):] if "." in filename else ""
    return _store(content, name=safe_name(filename), content_type=content_type, extension=extension,
                  page_count=None, scan_status=Document.ScanStatus.GENERATED, owner=owner, case=case, kind=kind)


def _store(data: bytes, *, name: str, content_type: str, extension: str, page_count: int | None, scan_status: str,
           owner: User | None, case, kind: str) -> Document:
    document = Document(owner=owner, case=case, kind=kind, original_name=name, content_type=content_type,
                        size=len(data), sha256=hashlib.sha256(data).hexdigest(), page_count=page_count,
                        scan_status=scan_status, created_at=timezone.now())
    document.file.save(f"upload{extension}", ContentFile(data), save=False)
    try:
        insert(document)  # document.save() (a new row), as a statement written once per process (core.rows)
    except Exception:
        document.file.delete(save=False)
        raise
    record(owner, "documents.stored", document, kind=kind, scan_status=scan_status, size=len(data))
    return document


@transaction.atomic
def mark_retrieved(document: Document, user: User) -> bool:
    """Record the citizen's first retrieval of a decision (§ 41 Abs. 2a VwVfG); True only the first time."""
    now = timezone.now()
    updated = Document.objects.filter(pk=document.pk, first_retrieved_at__isnull=True).update(first_retrieved_at=now)
    if updated:
        document.first_retrieved_at = now
        record(user, "documents.decision_retrieved", document, retrieved_at=now.isoformat())
    return bool(updated)


def purge(documents: Iterable[Document], *, reason: str) -> int:
    """Delete files and rows (retention expired or erasure). Returns how many were deleted."""
    count = 0
    for document in documents:
        document.file.delete(save=False)
        document_id = str(document.pk)
        document.delete()
        record(None, "documents.deleted", object_type="documents.document", object_id=document_id, reason=reason)
        count += 1
    return count


def cleanup(now=None) -> int:
    """Delete every document past its retention period; the cases retention job calls this daily."""
    expired: QuerySet = retention.expired(now or timezone.now())
    return purge(expired.iterator(), reason="retention")
