import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def storage_path(instance: "Document", filename: str) -> str:
    # Random name, no trace of the citizen's file name; the extension follows the detected content type.
    return f"documents/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}{filename[filename.rfind('.'):]}"


class Document(models.Model):
    """A stored file: an upload checked by content, or a generated PDF (receipt, decision, permit).

    Files live in Django's default storage under random names outside the web root and are served only by
    ``documents:download`` after an access check.
    """

    class Kind(models.TextChoices):
        UPLOAD = "upload", _("Nachweis")
        ATTACHMENT = "attachment", _("Anhang zu einer Nachricht")
        RECEIPT = "receipt", _("Eingangsbestätigung")
        DECISION = "decision", _("Bescheid")
        PERMIT = "permit", _("Ausweis")
        LETTER = "letter", _("Schreiben")

    class ScanStatus(models.TextChoices):
        CLEAN = "clean", _("auf Viren geprüft")
        NOT_SCANNED = "not_scanned", _("nicht auf Viren geprüft")
        GENERATED = "generated", _("von der Verwaltung erzeugt")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="documents")
    case = models.ForeignKey("cases.Case", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.UPLOAD)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    scan_status = models.CharField(max_length=20, choices=ScanStatus.choices)
    file = models.FileField(upload_to=storage_path, max_length=200)
    created_at = models.DateTimeField(db_index=True)
    # § 41 Abs. 2a VwVfG: an electronically provided decision counts as notified when first retrieved.
    first_retrieved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Dokument")
        verbose_name_plural = _("Dokumente")

    def __str__(self) -> str:
        return self.original_name
