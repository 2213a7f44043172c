"""Official letters as PDF (receipts, decisions, fee notices, permits), built with ReportLab.

ReportLab's standard fonts use WinAnsi encoding, which covers German text, „“, – and €.
One layout for every letter, so all documents of the city look alike.
"""

import re
from dataclasses import dataclass, field
from io import BytesIO
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import HRFlowable

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontName="Helvetica", fontSize=10, leading=13)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=colors.HexColor("#444444"))
HEADING = ParagraphStyle("heading", parent=BODY, fontName="Helvetica-Bold", fontSize=14, leading=18, spaceAfter=6)
SUBHEADING = ParagraphStyle("subheading", parent=BODY, fontName="Helvetica-Bold", fontSize=11, leading=14,
                            spaceBefore=8, spaceAfter=4)


@dataclass
class Section:
    heading: str
    paragraphs: list[str] = field(default_factory=list)
    rows: list[tuple[str, str]] = field(default_factory=list)  # label/value table


@dataclass
class Letter:
    title: str
    recipient: list[str] = field(default_factory=list)  # address block lines
    reference: str = ""  # Aktenzeichen / case number
    date: str = ""
    sections: list[Section] = field(default_factory=list)
    footer: str = ""
    extra: list[Flowable] = field(default_factory=list)  # e.g. a QR code or a cut-out permit
    subject: str = ""  # document properties, readable by software
    keywords: list[str] = field(default_factory=list)


def qr_flowable(payload: str, size_mm: float = 40) -> Flowable:
    """A QR code as vector graphics (one filled path); sharp at any print size."""
    return _QrFlowable(qr_matrix(payload), size_mm * mm)


def qr_matrix(payload: str, border: int = 2) -> list[list[bool]]:
    """The modules of a QR code for ``payload`` (True = dark), with a light border of ``border`` modules.

    Encoded by zxing-cpp (C++): error correction level M, the smallest version that fits, and the mask chosen by
    the penalty rules of ISO/IEC 18004 – the same choices a pure-Python encoder makes, in well under a
    millisecond instead of ~15 ms (every permit PDF carries one)."""
    size, pixels = _qr_pixels(payload)
    light = [False] * (size + 2 * border)
    rows = [light] * border
    for y in range(size):
        rows.append([False] * border + [pixel < 128 for pixel in pixels[y * size:(y + 1) * size]] + [False] * border)
    return rows + [light] * border


def _qr_pixels(payload: str) -> tuple[int, bytes]:
    """zxing-cpp's QR code for ``payload`` (level M): the number of modules per side and one byte per module, row by
    row, 0 = dark."""
    import zxingcpp

    barcode = zxingcpp.create_barcode(payload, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    view = memoryview(barcode.to_image(scale=1, add_quiet_zones=False))  # one 8-bit pixel per module, 0 = dark
    return view.shape[0], view.tobytes()


class _QrFlowable(Flowable):
    """Runs of dark modules become rectangles of a single filled path, and a run repeated in the rows below grows
    into one taller rectangle. The path is written as PDF operators in whole modules under one scaling: short
    integers, no per-rectangle objects (every permit PDF carries a code of ~1,400 rectangles)."""

    def __init__(self, matrix: list[list[bool]], size: float):
        super().__init__()
        self.matrix = matrix
        self.width = self.height = size

    def draw(self) -> None:
        n = len(self.matrix)
        self.canv.saveState()
        self.canv.scale(self.width / n, self.height / n)
        self.canv.setFillColor(colors.black)
        self.canv.addLiteral(qr_path(self.matrix))
        self.canv.restoreState()


def qr_path(matrix: list[list[bool]]) -> str:
    """The dark modules as one filled PDF path in module units, origin at the bottom left (scale it to the print
    size). Runs of dark modules become rectangles, and a run repeated in the rows below grows into one taller
    rectangle."""
    n = len(matrix)
    operators = []
    open_runs: dict[tuple[int, int], int] = {}  # (first column, end column) → first row of the rectangle
    for y, row in enumerate([*matrix, [False] * n]):  # the extra light row closes every open run
        runs = {match.span() for match in _DARK_RUN.finditer(bytes(row))}
        for start, end in [run for run in open_runs if run not in runs]:
            first_row = open_runs.pop((start, end))
            operators.append(f"{start} {n - y} {end - start} {y - first_row} re")
        for run in runs:
            open_runs.setdefault(run, y)
    return " ".join(operators) + " f"


_DARK_RUN = re.compile(rb"\x01+")  # in bytes(row) a dark module is 1


def qr_code_mask(payload: str, border: int = 2) -> str:
    """The modules of ``qr_matrix(payload, border)`` as one inline 1-bit image mask (PDF operators ``BI … ID …
    EI``) covering the unit square: scale it to the print size. Rows top to bottom, padded to whole bytes; dark
    modules (1, Decode [1 0]) are painted in the fill colour, light ones leave the page as it is; not interpolated,
    so every module stays a sharp square when scaled up (as the vector path of ``qr_path``). Written straight from
    the encoder's pixel bytes – one string of binary digits, one conversion to hex, no Python list per module –
    instead of one rectangle per run of modules (~1,300 for a permit)."""
    size, pixels = _qr_pixels(payload)
    n = size + 2 * border
    digits = (n + 7) // 8 * 2
    left, right = b"0" * border, b"0" * (digits * 4 - n + border)  # the border, then padding to whole bytes
    bits = pixels.translate(_PIXEL_BITS)
    light = b"0" * (digits * 4 * border)
    rows = b"".join([left + bits[y * size:(y + 1) * size] + right for y in range(size)])
    mask = f"{int(b'1' + light + rows + light, 2):X}"[1:]  # the leading 1 keeps the leading zeros
    return f"BI /W {n} /H {n} /IM true /BPC 1 /D [1 0] /F /AHx ID {mask}> EI"


_PIXEL_BITS = bytes(ord("1") if pixel < 128 else ord("0") for pixel in range(256))  # zxing: below 128 is dark


def text(value: str) -> str:
    """Escape user-supplied text for ReportLab's mini-markup."""
    return escape(str(value)).replace("\n", "<br/>")


def render_letter(letter: Letter) -> bytes:
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=22 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=letter.title, author=settings.CITY_NAME, lang="de-DE",
                            subject=letter.subject, keywords=letter.keywords)
    story: list[Flowable] = [
        Paragraph(text(settings.CITY_NAME), SUBHEADING),
        HRFlowable(width="100%", color=colors.HexColor("#1d4f91")),
        Spacer(1, 6 * mm),
    ]
    if letter.recipient:
        story += [Paragraph("<br/>".join(text(line) for line in letter.recipient), BODY), Spacer(1, 6 * mm)]
    meta = [("Aktenzeichen", letter.reference), ("Datum", letter.date)]
    meta_rows = [(k, v) for k, v in meta if v]
    if meta_rows:
        story += [_table(meta_rows), Spacer(1, 4 * mm)]
    story.append(Paragraph(text(letter.title), HEADING))
    for section in letter.sections:
        block: list[Flowable] = [Paragraph(text(section.heading), SUBHEADING)] if section.heading else []
        block += [Paragraph(text(p), BODY) for p in section.paragraphs]
        if section.rows:
            block.append(_table(section.rows))
        story.append(KeepTogether(block))
    story += letter.extra
    if letter.footer:
        story += [Spacer(1, 8 * mm), Paragraph(text(letter.footer), SMALL)]
    doc.build(story)
    return buffer.getvalue()


def _table(rows: list[tuple[str, str]]) -> Table:
    data = [[Paragraph(text(k), BODY), Paragraph(text(v), BODY)] for k, v in rows]
    table = Table(data, colWidths=[55 * mm, None], hAlign="LEFT")
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")]))
    return table
