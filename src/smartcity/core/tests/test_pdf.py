from io import BytesIO

import pytest
from pypdf import PdfReader

from smartcity.core.pdf import Letter, Section, qr_code_mask, qr_flowable, qr_matrix, render_letter


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


def _drawn_modules(flowable) -> list[list[bool]]:
    """Paint the rectangles of the path the flowable writes back into a module grid."""
    literals, scaled = [], []

    class Canvas:
        def saveState(self):
            pass

        def restoreState(self):
            pass

        def scale(self, x, y):
            scaled.append((x, y))

        def setFillColor(self, color):
            pass

        def addLiteral(self, text):
            literals.append(text)

    flowable.canv = Canvas()
    flowable.draw()
    n = len(flowable.matrix)
    assert scaled == [(flowable.width / n, flowable.height / n)]
    assert len(literals) == 1 and literals[0].endswith(" f")
    tokens = literals[0].split()[:-1]
    grid = [[False] * n for _ in range(n)]
    for i in range(0, len(tokens), 5):
        x, y, width, height = (int(t) for t in tokens[i:i + 4])
        assert tokens[i + 4] == "re"
        for row in range(n - (y + height), n - y):
            for column in range(x, x + width):
                assert not grid[row][column], "rectangles overlap"
                grid[row][column] = True
    return grid


def test_qr_code_decodes_to_the_payload_and_is_drawn_module_for_module():
    import zxingcpp
    from PIL import Image

    payload = "https://service.example.org/parken/pruefen/#eyJhbGciOiJFZERTQSJ9.eyJuIjoiQloifQ.c2lnbmF0dXJl"
    matrix = qr_matrix(payload, border=4)
    assert all(not cell for cell in matrix[0] + matrix[-1])  # light quiet zone
    image = Image.new("L", (len(matrix), len(matrix)))
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    decoded = zxingcpp.read_barcode(image.resize((len(matrix) * 4, len(matrix) * 4), Image.NEAREST))
    assert decoded.text == payload and decoded.ec_level == "M"

    flowable = qr_flowable(payload, size_mm=44)
    assert _drawn_modules(flowable) == flowable.matrix


@pytest.mark.parametrize("border", [0, 1, 2, 4, 7])
@pytest.mark.parametrize("payload", ["A", "https://service.example.org/parken/pruefung/#" + "eyJhbGciOi" * 24])
def test_qr_code_mask_holds_every_module_and_paints_only_the_dark_ones(payload, border):
    """The permit draws its QR code as an inline 1-bit image mask, written straight from the encoder's pixels: one
    bit per module of ``qr_matrix``, rows top to bottom padded to whole bytes, 1 painted in the fill colour
    (Decode [1 0]), not interpolated."""
    matrix = qr_matrix(payload, border)
    n = len(matrix)
    operators = qr_code_mask(payload, border)
    head, data = operators.split(" ID ")
    assert head == f"BI /W {n} /H {n} /IM true /BPC 1 /D [1 0] /F /AHx" and data.endswith("> EI")
    hex_rows = data.removesuffix("> EI")
    width = (n + 7) // 8 * 2
    assert len(hex_rows) == n * width
    bits = [bin(int(hex_rows[i:i + width], 16))[2:].zfill(width * 4)[:n] for i in range(0, len(hex_rows), width)]
    assert [[bit == "1" for bit in row] for row in bits] == matrix
