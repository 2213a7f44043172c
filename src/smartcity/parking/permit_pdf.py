"""The permit PDF: page 1 is the fee notice (Gebührenbescheid), page 2 the permit to cut out and show
behind the windscreen, with a QR code holding the signed token (ADR 0060).

Rendered for every issued permit, so it is drawn directly on a ReportLab canvas instead of through platypus'
layout engine (which cost ~70 % of the rendering: paragraph parsing, table sizing, style copies). The page
follows the city's letter layout of ``core.pdf.render_letter`` (same margins, fonts, sizes and spacing); the
line breaking of fixed texts is memoised per process. The decision record's legal basis and remedy come with the
permit (``permit_for_pdf``; one query otherwise), the configuration is the process's; no fonts to embed. The QR
code is one inline 1-bit image mask (``core.pdf.qr_code_mask``, sharp modules, not interpolated): writing it as
~1,300 vector rectangles cost more than the rest of the page's drawing.
"""

from functools import lru_cache
from io import BytesIO
from typing import NamedTuple

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from smartcity.cases.decision import REMEDY, RETRIEVAL
from smartcity.core.pdf import qr_code_mask
from smartcity.core.rows import RowLoader

from .enforcement.verification import issue_token, verification_url
from .models import DecisionRecord, Permit
from .rules.fees import FEE_LEGAL_BASIS, format_euros
from .services import get_config


class Style(NamedTuple):
    """The text styles of ``core.pdf`` (BODY, SMALL, HEADING, SUBHEADING) as plain values."""

    font: str
    size: float
    leading: float
    space_before: float = 6
    space_after: float = 0
    color: object = colors.black


BODY = Style("Helvetica", 10, 13)
SMALL = Style("Helvetica", 8, 10, color=colors.HexColor("#444444"))
HEADING = Style("Helvetica-Bold", 14, 18, space_after=6)
SUBHEADING = Style("Helvetica-Bold", 11, 14, space_before=8, space_after=4)
PLATE = Style("Helvetica-Bold", 24, 28, space_after=6)
ZONE = Style("Helvetica-Bold", 40, 44, space_after=6)
RULE_COLOR = colors.HexColor("#1d4f91")
LEFT, RIGHT, TOP, BOTTOM = 22 * mm, 18 * mm, 18 * mm, 18 * mm
FRAME_PADDING = 6  # platypus' frame padding, kept so the text sits where it did
LABEL_WIDTH = 55 * mm  # label column of the label/value tables
CELL_PADDING = 3  # above and below a table row; 6 to the right of a cell


def _date(value) -> str:
    return value.strftime("%d.%m.%Y")


# The columns of the holder, application and zone that the PDF (and its stored document's owner) uses: the rows
# themselves are wide (a user has ~25 columns, an application ~30, a zone its polygon).
_RELATED_COLUMNS = {"holder": ("username", "first_name", "last_name", "street", "house_number", "postcode", "city"),
                    "application": ("reference", "fee_basis", "payment_id", "address"), "zone": ("code", "name")}
# The legal basis and remedy of the newest granting decision (``_decision`` without its own query).
_DECISION_COLUMN = ("(SELECT d.{} FROM parking_decisionrecord d WHERE d.application_id = t0.application_id AND "
                    "d.outcome IN ('issue', 'approve') ORDER BY d.created_at DESC, d.id DESC LIMIT 1)")
# Read for every issued permit: the statement is written once per process (core.rows), not compiled on every call.
_FOR_PDF = RowLoader(Permit, related=tuple(_RELATED_COLUMNS), defer=tuple(
    f"{name}__{field.name}" for name, kept in _RELATED_COLUMNS.items()
    for field in Permit._meta.get_field(name).related_model._meta.concrete_fields
    if field.name not in kept and not field.primary_key), extra={
    "pdf_legal_basis": _DECISION_COLUMN.format("legal_basis"),
    "pdf_legal_remedy": _DECISION_COLUMN.format("legal_remedy")})


def permit_for_pdf(permit_id: str) -> Permit:
    """The permit with what ``render_permit_pdf`` reads (its granting decision's legal basis and remedy too), in one
    query."""
    return _FOR_PDF.get(permit_id)


def _decision(permit: Permit) -> DecisionRecord | None:
    """The newest granting decision (legal basis and remedy), as ``permit_for_pdf`` read it or else looked up."""
    if hasattr(permit, "pdf_legal_basis"):
        if permit.pdf_legal_basis is None:  # a decision always has a legal basis: there is none
            return None
        return DecisionRecord(legal_basis=permit.pdf_legal_basis, legal_remedy=permit.pdf_legal_remedy)
    return (DecisionRecord.objects.filter(application_id=permit.application_id, outcome__in=[
        DecisionRecord.Outcome.ISSUE, DecisionRecord.Outcome.APPROVE]).only("legal_basis", "legal_remedy").first())


def render_permit_pdf(permit: Permit) -> bytes:
    """Fee notice and windscreen permit for ``permit`` as one PDF."""
    application = permit.application
    holder = permit.holder
    decision = _decision(permit)
    config = get_config()
    authority, configured_remedy = config.authority, config.legal_remedy
    token = issue_token(permit)
    url = verification_url(token)
    plates = ", ".join(p for p in (permit.plate, permit.second_plate) if p)
    validity = f"{_date(permit.valid_from)} bis {_date(permit.valid_until)}"
    zone = f"{permit.zone.code} – {permit.zone.name}"

    sections = [
        ("Ihr Bewohnerparkausweis", [
            "Ihr Antrag auf einen Bewohnerparkausweis wurde bewilligt. Den Ausweis finden Sie auf Seite 2: "
            "Schneiden Sie ihn aus und legen Sie ihn gut lesbar hinter die Windschutzscheibe.",
        ], [("Ausweisnummer", permit.number), ("Kennzeichen", plates), ("Bewohnerparkgebiet", zone),
            ("Gültig", validity)]),
        ("Festsetzung der Gebühr", [
            f"Für die Erteilung des Bewohnerparkausweises wird eine Gebühr von {format_euros(permit.fee_cents)} "
            "festgesetzt.",
        ], [("Gebühr", format_euros(permit.fee_cents)),
            ("Berechnung", application.fee_basis or "laut Gebührentabelle"),
            ("Zahlung", _payment_note(application))]),
        ("Rechtsgrundlagen", [], [
            ("Bewohnerparkausweis", decision.legal_basis if decision else "§ 45 Abs. 1b Satz 1 Nr. 2a StVO"),
            ("Gebühr", FEE_LEGAL_BASIS),
        ]),
    ]
    if permit.automated:
        sections.append(("Automatische Entscheidung", [
            "Dieser Bescheid wurde vollständig automatisiert erlassen (§ 35a VwVfG). Die Gründe der "
            "Entscheidung können Sie in Ihrem Konto unter „Meine Anträge“ einsehen."
        ], []))
    remedy = (decision.legal_remedy if decision else "") or configured_remedy or REMEDY
    sections.append(("Rechtsbehelfsbelehrung", [remedy], []))
    if permit.channel == "online":
        sections.append(("Bekanntgabe", [RETRIEVAL], []))

    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=A4, lang="de-DE")
    canvas.setCreator("smartcity")
    canvas.setTitle("Gebührenbescheid – Bewohnerparkausweis")
    canvas.setAuthor(settings.CITY_NAME)
    canvas.setSubject(f"Bewohnerparkausweis {permit.number}")
    canvas.setKeywords(url)  # lets software (and tests) read the token without decoding the QR image
    page = _Page(canvas)
    page.paragraph(SUBHEADING, settings.CITY_NAME)
    page.rule()
    page.spacer(6 * mm)
    page.paragraph(BODY, "\n".join(_recipient(holder, application)))
    page.spacer(6 * mm)
    page.rows([("Aktenzeichen", application.reference), ("Datum", _date(timezone.localtime(permit.issued_at)))])
    page.spacer(4 * mm)
    page.paragraph(HEADING, "Gebührenbescheid – Bewohnerparkausweis")
    for heading, paragraphs, rows in sections:
        page.section(heading, paragraphs, rows)
    page.new_page()
    _windscreen_permit(page, permit, plates, validity, url, authority)
    page.spacer(8 * mm)
    page.paragraph(SMALL, f"{authority} · Dieses Schreiben wurde maschinell erstellt und ist ohne "
                          f"Unterschrift gültig. Prüfung des Ausweises: {settings.SITE_URL}{_path(url)}")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


@lru_cache(maxsize=1024)
def _lines(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """Line breaks of ``text`` (explicit newlines kept, runs of blanks collapsed as in a paragraph). Memoised:
    most texts of the permit (headings, fixed paragraphs, the legal remedy) are the same for every permit."""
    lines: list[str] = []
    for part in text.split("\n"):
        lines += simpleSplit(" ".join(part.split()), font, size, width) or [""]
    return tuple(lines)


class _Page:
    """A top-down cursor over the A4 text frame of the city's letters: paragraphs, label/value rows and sections
    that are kept together on one page (a long configured legal remedy moves to the next page as a whole)."""

    def __init__(self, canvas: Canvas):
        self.canvas = canvas
        self.left = LEFT + FRAME_PADDING
        self.width = A4[0] - LEFT - RIGHT - 2 * FRAME_PADDING
        self.top = A4[1] - TOP - FRAME_PADDING
        self.bottom = BOTTOM + FRAME_PADDING
        self.y = self.top
        self.after = 0.0  # space after the previous block, already taken; the next block's space before shrinks by it

    def new_page(self) -> None:
        self.canvas.showPage()
        self.y, self.after = self.top, 0.0

    def _space(self, before: float) -> float:
        return 0.0 if self.y >= self.top else max(before - self.after, 0.0)

    def spacer(self, height: float) -> None:
        self.y -= height
        self.after = 0.0

    def rule(self) -> None:
        """The blue line under the city's name."""
        self.y -= 1
        self.canvas.setStrokeColor(RULE_COLOR)
        self.canvas.setLineWidth(1)
        self.canvas.setLineCap(1)
        self.canvas.line(self.left, self.y, self.left + self.width, self.y)
        self.y -= 1
        self.after = 1.0

    def text(self, style: Style, text: str, x: float, top: float, width: float) -> float:
        """Draw ``text`` wrapped to ``width`` with its first line's top at ``top``; returns the height used."""
        lines = _lines(text, style.font, style.size, width)
        self._draw(style, lines, x, top)
        return len(lines) * style.leading

    def _draw(self, style: Style, lines: tuple[str, ...], x: float, top: float) -> None:
        obj = self.canvas.beginText(x, top - style.size)
        obj.setFont(style.font, style.size, style.leading)
        obj.setFillColor(style.color)
        for line in lines:
            obj.textLine(line)
        self.canvas.drawText(obj)

    def paragraph(self, style: Style, text: str) -> None:
        """A paragraph over the frame's width; lines that do not fit continue on a new page."""
        self.y -= self._space(style.space_before)
        lines = _lines(text, style.font, style.size, self.width)
        while lines:
            room = int((self.y - self.bottom) // style.leading)
            if room < 1 and self.y < self.top:
                self.new_page()
                continue
            chunk, lines = lines[:max(room, 1)], lines[max(room, 1):]
            self._draw(style, chunk, self.left, self.y)
            self.y -= len(chunk) * style.leading
        self.y -= style.space_after
        self.after = style.space_after

    def _row_height(self, label: str, value: str) -> float:
        label_lines = _lines(label, BODY.font, BODY.size, LABEL_WIDTH - 6)
        value_lines = _lines(value, BODY.font, BODY.size, self.width - LABEL_WIDTH - 6)
        return max(len(label_lines), len(value_lines)) * BODY.leading + 2 * CELL_PADDING

    def rows(self, rows: list[tuple[str, str]]) -> None:
        """A label/value table (labels 55 mm wide)."""
        self.y -= self._space(0)
        for label, value in rows:
            height = self._row_height(label, value)
            if self.y - height < self.bottom and self.y < self.top:
                self.new_page()
            self.text(BODY, label, self.left, self.y - CELL_PADDING, LABEL_WIDTH - 6)
            self.text(BODY, value, self.left + LABEL_WIDTH, self.y - CELL_PADDING, self.width - LABEL_WIDTH - 6)
            self.y -= height
        self.after = 0.0

    def section(self, heading: str, paragraphs: list[str], rows: list[tuple[str, str]]) -> None:
        """Heading, paragraphs and rows, kept together: moved to a new page when it does not fit."""
        height = SUBHEADING.space_before + len(_lines(heading, SUBHEADING.font, SUBHEADING.size, self.width)) * \
            SUBHEADING.leading + SUBHEADING.space_after
        height += sum(BODY.space_before + len(_lines(p, BODY.font, BODY.size, self.width)) * BODY.leading
                      for p in paragraphs)
        height += sum(self._row_height(label, value) for label, value in rows)
        if self.y - height < self.bottom and self.y < self.top:
            self.new_page()
        self.paragraph(SUBHEADING, heading)
        for text in paragraphs:
            self.paragraph(BODY, text)
        if rows:
            self.rows(rows)


def _windscreen_permit(page: _Page, permit: Permit, plates: str, validity: str, url: str, authority: str) -> None:
    """A DIN A6 card (148 × 105 mm) with a dashed cutting line, the QR code on the right."""
    page.paragraph(HEADING, "Parkausweis zum Ausschneiden")
    page.paragraph(BODY, "Bitte entlang der gestrichelten Linie ausschneiden und gut lesbar hinter die "
                         "Windschutzscheibe legen. Der Ausweis gilt nur für das angegebene Kennzeichen und Gebiet.")
    page.spacer(6 * mm)
    canvas, left, top = page.canvas, page.left, page.y
    width, height, info_width = 140 * mm, 97 * mm, 88 * mm
    canvas.saveState()
    canvas.setStrokeColor(colors.grey)
    canvas.setLineWidth(0.8)
    canvas.setDash(4, 3)
    canvas.rect(left, top - height, width, height)
    canvas.restoreState()

    # The card's left cell: padding 4 mm; inside a table cell the spaces before and after simply add up.
    y, first = top - 4 * mm, True
    x, text_width = left + 4 * mm, info_width - 4 * mm - 6
    for style, text in ((SUBHEADING, "Bewohnerparkausweis"), (SMALL, settings.CITY_NAME), (None, 2 * mm),
                        (ZONE, permit.zone.code), (BODY, f"Bewohnerparkgebiet {permit.zone.name}"), (None, 3 * mm),
                        (PLATE, plates), (BODY, f"gültig {validity}"), (SMALL, f"Nr. {permit.number}")):
        if style is None:  # a spacer
            y, first = y - text, False
            continue
        y -= (0 if first else style.space_before)
        y -= page.text(style, text, x, y, text_width) + style.space_after
        first = False

    qr_size = 44 * mm
    qr_left, qr_top = left + info_width + 4 * mm, top - 4 * mm
    canvas.saveState()
    canvas.translate(qr_left, qr_top - qr_size)
    canvas.scale(qr_size, qr_size)
    canvas.setFillColor(colors.black)
    canvas.addLiteral(qr_code_mask(url))
    canvas.restoreState()
    page.text(SMALL, "Echtheit prüfen: QR-Code scannen", qr_left, qr_top - qr_size - SMALL.space_before,
              width - info_width - 4 * mm - 6)

    page.y, page.after = top - height, 0.0
    page.spacer(4 * mm)
    page.paragraph(SMALL, f"Ausgestellt von: {authority}")


def _path(url: str) -> str:
    return url.split("#", 1)[0].removeprefix(settings.SITE_URL)


def _payment_note(application) -> str:
    if application.payment_id:
        return f"online bezahlt (Zahlungsnummer {application.payment_id}); es ist nichts mehr zu zahlen"
    return "es ist nichts mehr zu zahlen"


def _recipient(holder, application) -> list[str]:
    name = holder.get_full_name() or holder.get_username()
    address = application.address
    if address is not None:
        return [name, f"{address.street} {address.house_number}", f"{address.postcode} {address.city}"]
    return [line for line in (name, f"{holder.street} {holder.house_number}".strip(),
                              f"{holder.postcode} {holder.city}".strip()) if line]
