"""The permit PDF: fee notice plus windscreen permit whose QR code carries a verifiable token."""

from io import BytesIO

import pytest
from pypdf import PdfReader

from smartcity.core.qr_scan import qr_codes_in_pdf
from smartcity.parking import tokens
from smartcity.parking.enforcement import signing
from smartcity.parking.permit_pdf import render_permit_pdf

from . import factories

pytestmark = pytest.mark.django_db


def _read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def test_two_parts_fee_notice_and_windscreen_permit():
    permit = factories.permit(plate="D-AB 1234", second_plate="D-CD 56")
    reader, content = _read(render_permit_pdf(permit))
    assert len(reader.pages) == 2
    first, second = (page.extract_text() for page in reader.pages)
    for expected in ("Gebührenbescheid", "25,00 €", "Bewohnerparkausweis 1 Jahr, Antrag online",
                     "§ 6a Abs. 5a StVG", "§ 45 Abs. 1b Satz 1 Nr. 2a StVO", "Rechtsbehelfsbelehrung",
                     "Verwaltungsgericht", "§ 35a VwVfG", permit.application.reference, "Kaiserstraße 5"):
        assert expected in first, expected
    for expected in ("Parkausweis zum Ausschneiden", "HO", "D-AB 1234, D-CD 56", permit.number,
                     permit.valid_until.strftime("%d.%m.%Y")):
        assert expected in second, expected


def test_printed_qr_code_verifies_offline_with_the_published_keys():
    permit = factories.permit()
    pdf = render_permit_pdf(permit)
    [url] = qr_codes_in_pdf(pdf)  # scanned from the rendered page, as a phone camera would
    assert url == PdfReader(BytesIO(pdf)).metadata["/Keywords"]
    assert url.startswith("http") and "/parken/pruefung/#" in url
    result = tokens.verify_offline(url, signing.jwks())
    assert result.is_valid
    assert result.claims == tokens.PermitClaims(str(permit.pk), permit.number, permit.plate, "HO",
                                                permit.valid_from, permit.valid_until)


def test_city_legal_remedy_text_is_used_when_configured():
    from smartcity.parking.models import ParkingConfig
    from smartcity.parking.permit_pdf import permit_for_pdf

    ParkingConfig.objects.create(city_code="DUS", legal_remedy="Eigene Belehrung der Stadt.")
    permit = factories.permit(with_decision=False)
    _, content = _read(render_permit_pdf(permit))
    assert "Eigene Belehrung der Stadt." in content and "Bastionstraße" not in content
    _, read_with_permit = _read(render_permit_pdf(permit_for_pdf(str(permit.pk))))  # no decision read with it either
    assert "Eigene Belehrung der Stadt." in read_with_permit and "§ 45 Abs. 1b Satz 1 Nr. 2a StVO" in read_with_permit


def test_a_long_legal_remedy_moves_to_the_next_page_and_nothing_is_cut_off():
    """The page is drawn directly on the canvas: a section that does not fit starts a new page, and a text longer
    than a page continues on the next one (the windscreen permit keeps its own page)."""
    from smartcity.parking.models import ParkingConfig

    sentences = [f"Satz {i} der ausführlichen Belehrung mit Hinweisen zur Klage und zur Frist." for i in range(160)]
    ParkingConfig.objects.create(city_code="DUS", legal_remedy="\n".join(sentences))
    permit = factories.permit(with_decision=False)
    reader, content = _read(render_permit_pdf(permit))
    assert len(reader.pages) >= 4
    for sentence in (sentences[0], sentences[80], sentences[-1]):
        assert sentence in content
    assert "Parkausweis zum Ausschneiden" in reader.pages[-1].extract_text()
    for page in reader.pages[:-1]:
        assert "Parkausweis zum Ausschneiden" not in page.extract_text()
