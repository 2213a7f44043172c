"""Upload checks by content: magic bytes decide the type, then the file must parse as that type."""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.errors import PyPdfError

ACCEPTED = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_MAGIC = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel photo; larger ones are decompression bombs or useless


class UploadRejected(Exception):
    """The file cannot be accepted; ``message`` is a German sentence for the citizen."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str
    page_count: int | None


def sniff(head: bytes) -> str | None:
    return next((ctype for magic, ctype in _MAGIC if head.startswith(magic)), None)


def check_content(data: bytes, *, max_bytes: int | None = None, max_pages: int | None = None) -> CheckedFile:
    """Raise UploadRejected unless ``data`` is a readable, unencrypted PDF, JPEG or PNG within the limits."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    max_pages = max_pages or settings.UPLOAD_MAX_PAGES
    if not data:
        raise UploadRejected(_("Die Datei ist leer. Bitte wählen Sie die richtige Datei aus."))
    if len(data) > max_bytes:
        raise UploadRejected(_("Die Datei ist zu groß (%(size)s). Erlaubt sind höchstens %(max)s.")
                             % {"size": filesizeformat(len(data)), "max": filesizeformat(max_bytes)})
    content_type = sniff(data[:16])
    if content_type is None:
        raise UploadRejected(_("Dieses Dateiformat wird nicht angenommen. Bitte laden Sie eine PDF-, JPEG- oder "
                               "PNG-Datei hoch."))
    pages = _check_pdf(data, max_pages) if content_type == "application/pdf" else _check_image(data, content_type)
    return CheckedFile(content_type, ACCEPTED[content_type], pages)


def _check_pdf(data: bytes, max_pages: int) -> int:
    broken = _("Die PDF-Datei ist beschädigt und kann nicht gelesen werden. Bitte erzeugen Sie sie neu.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected(_("Die PDF-Datei ist verschlüsselt oder mit einem Passwort geschützt. Bitte laden "
                                   "Sie eine Fassung ohne Passwortschutz hoch."))
        pages = len(reader.pages)
        if pages:
            reader.pages[0].mediabox  # noqa: B018 - touching the first page proves the page tree is readable
        if 0 < pages <= max_pages and _has_active_content(reader):
            raise UploadRejected(_("Die PDF-Datei enthält aktive Inhalte (zum Beispiel JavaScript), die wir aus "
                                   "Sicherheitsgründen nicht annehmen. Bitte speichern oder drucken Sie sie erneut "
                                   "als PDF und laden Sie diese Fassung hoch."))
    except UploadRejected:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError, OSError):
        raise UploadRejected(broken)
    if pages == 0:
        raise UploadRejected(broken)
    if pages > max_pages:
        raise UploadRejected(_("Die PDF-Datei hat %(pages)d Seiten. Erlaubt sind höchstens %(max)d Seiten.")
                             % {"pages": pages, "max": max_pages})
    return pages


_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/Rendition"}


def _is_active(action) -> bool:
    action = action.get_object() if action is not None else None
    if not isinstance(action, dict):
        return False
    if action.get("/S") in _ACTIVE_ACTIONS or "/JS" in action:
        return True
    return "/Next" in action and _is_active(action["/Next"])


def _has_active_content(reader: PdfReader) -> bool:
    """Document-level or page/annotation actions that run code or launch programs when the file is opened.

    Such content has no place in a scanned certificate; clamd catches known malware, this catches the rest.
    """
    root = reader.trailer["/Root"].get_object()
    names = root.get("/Names")
    if names is not None and "/JavaScript" in names.get_object():
        return True
    actions = [root.get("/OpenAction")]
    triggers = [root.get("/AA")]
    for page in reader.pages:
        triggers.append(page.get("/AA"))
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            actions.append(annotation.get("/A"))
            triggers.append(annotation.get("/AA"))
    for trigger in triggers:
        trigger = trigger.get_object() if trigger is not None else None
        if isinstance(trigger, dict):
            actions.extend(trigger.values())
    return any(_is_active(action) for action in actions)


def _check_image(data: bytes, content_type: str) -> None:
    broken = _("Das Bild ist beschädigt und kann nicht gelesen werden. Bitte laden Sie es erneut hoch.")
    expected = {"image/jpeg": "JPEG", "image/png": "PNG"}[content_type]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise UploadRejected(broken)
                if image.width * image.height > MAX_IMAGE_PIXELS:
                    raise UploadRejected(_("Das Bild ist zu groß (zu viele Bildpunkte). Bitte verkleinern Sie es."))
                image.verify()
    except UploadRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError,
            SyntaxError, ValueError):
        raise UploadRejected(broken)
    return None


def safe_name(name: str) -> str:
    """The citizen's file name for display and downloads: base name only, no control characters, bounded."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '"<>').strip() or "Dokument"
    return cleaned[-200:]
