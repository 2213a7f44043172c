from io import BytesIO

from pypdf import PdfReader

from smartcity.core.pdf import Letter, Section, qr_flowable, render_letter


def test_letter_renders_german_text_euro_and_escapes_markup():
    pdf = render_letter(Letter(
        title="Gebührenbescheid",
        recipient=["Erika Mustermann", "Kaiserstraße 5", "40479 Düsseldorf"],
        reference="DUS-2026-000123",
        date="07.12.2026",
        sections=[Section("Gebühr", ["Bitte zahlen Sie 25,00 € – „sofort“. <b>kein Markup</b>"],
                          rows=[("Kennzeichen", "D-AB 1234")])],
        extra=[qr_flowable("https://example.org/v/abc")],
    ))
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert "25,00 €" in text and "Kaiserstraße" in text and "„sofort“" in text
    assert "<b>kein Markup</b>" in text
