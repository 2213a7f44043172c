import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, NameObject, NumberObject

from smartcity.documents.models import Document
from smartcity.documents.services import store_upload
from smartcity.documents.validation import UploadRejected, check_content, safe_name

from .files import image_bytes, pdf_bytes, upload


def test_accepts_pdf_png_and_jpeg_by_content():
    assert check_content(pdf_bytes(3)).page_count == 3
    assert check_content(image_bytes("PNG")).content_type == "image/png"
    assert check_content(image_bytes("JPEG")).content_type == "image/jpeg"


@pytest.mark.parametrize("data, fragment", [
    (b"", "leer"),
    (b"Dies ist keine PDF-Datei, nur Text mit .pdf-Endung", "Dateiformat"),
    (b"MZ\x90\x00" + b"\x00" * 100, "Dateiformat"),
    (b"%PDF-1.7\n garbage without any objects", "beschädigt"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "beschädigt"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 40, "beschädigt"),
])
def test_rejects_bad_content_with_german_message(data, fragment):
    with pytest.raises(UploadRejected) as exc:
        check_content(data)
    assert fragment in exc.value.message


def test_rejects_encrypted_pdf():
    with pytest.raises(UploadRejected) as exc:
        check_content(pdf_bytes(1, password="geheim"))
    assert "verschlüsselt" in exc.value.message


def test_rejects_pdf_with_javascript():
    with pytest.raises(UploadRejected) as exc:
        check_content(pdf_bytes(1, javascript="app.alert('hallo');"))
    assert "aktive Inhalte" in exc.value.message


def test_accepts_pdf_with_harmless_open_action():
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    writer._root_object[NameObject("/OpenAction")] = ArrayObject(
        [page.indirect_reference, NameObject("/XYZ"), NumberObject(0), NumberObject(842), NumberObject(1)])
    out = io.BytesIO()
    writer.write(out)
    assert check_content(out.getvalue()).page_count == 1


def test_rejects_too_many_pages_and_oversize(settings):
    settings.UPLOAD_MAX_PAGES = 2
    with pytest.raises(UploadRejected) as exc:
        check_content(pdf_bytes(3))
    assert "3 Seiten" in exc.value.message
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(UploadRejected) as exc:
        check_content(image_bytes("PNG", (200, 200)) + b"\x00" * 200)
    assert "zu groß" in exc.value.message


def test_truncated_image_is_rejected():
    data = image_bytes("PNG", (300, 300))
    with pytest.raises(UploadRejected):
        check_content(data[: len(data) // 2])


def test_file_name_is_sanitised():
    assert safe_name("C:\\Users\\erika\\Meldebescheinigung.pdf") == "Meldebescheinigung.pdf"
    assert safe_name('../../etc/"passwd"\x00') == "passwd"
    assert safe_name("") == "Dokument"


@pytest.mark.django_db
def test_store_upload_uses_detected_type_and_random_name():
    from smartcity.accounts.testing import make_citizen

    owner = make_citizen()
    document = store_upload(upload(image_bytes("PNG"), name="scan.pdf", content_type="application/pdf"), owner=owner)
    assert document.content_type == "image/png"
    assert document.original_name == "scan.pdf"
    assert "scan" not in document.file.name and document.file.name.endswith(".png")
    assert document.scan_status == Document.ScanStatus.NOT_SCANNED
    assert document.file.read() == image_bytes("PNG")


@pytest.mark.django_db
def test_rejected_upload_stores_nothing(settings):
    from smartcity.accounts.testing import make_citizen

    with pytest.raises(UploadRejected):
        store_upload(upload(b"not a pdf"), owner=make_citizen())
    assert not Document.objects.exists()
    assert not (settings.MEDIA_ROOT / "documents").exists()
