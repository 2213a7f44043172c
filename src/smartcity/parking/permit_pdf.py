"""The permit PDF: page 1 is the fee notice (Gebührenbescheid), page 2 the permit to cut out and show
behind the windscreen, with a QR code holding the signed token (ADR 0060).

Called by the issuing pipeline for every permit, so it is kept lean: one query each for the decision record and
the configuration, vector graphics only, no images or fonts to embed.
"""

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph, Spacer, Table, TableStyle

from smartcity.cases.decision import REMEDY, RETRIEVAL
from smartcity.core.pdf import BODY, HEADING, SMALL, SUBHEADING, Letter, Section, qr_flowable, render_letter, text

from .enforcement.verification import issue_token, verification_url
from .models import DecisionRecord, Permit
from .rules.fees import FEE_LEGAL_BASIS, format_euros
from .services import get_config

PLATE_STYLE = ParagraphStyle("permit-plate", parent=HEADING, fontSize=24, leading=28)
ZONE_STYLE = ParagraphStyle("permit-zone", parent=HEADING, fontSize=40, leading=44)


def _date(value) -> str:
    return value.strftime("%d.%m.%Y")


def render_permit_pdf(permit: Permit) -> bytes:
    """Fee notice and windscreen permit for ``permit`` as one PDF."""
    application = permit.application
    holder = permit.holder
    decision = (DecisionRecord.objects.filter(application=application, outcome__in=[
        DecisionRecord.Outcome.ISSUE, DecisionRecord.Outcome.APPROVE]).first())
    config = get_config()
    token = issue_token(permit)
    url = verification_url(token)
    plates = ", ".join(p for p in (permit.plate, permit.second_plate) if p)
    validity = f"{_date(permit.valid_from)} bis {_date(permit.valid_until)}"
    zone = f"{permit.zone.code} – {permit.zone.name}"

    sections = [
        Section("Ihr Bewohnerparkausweis", [
            "Ihr Antrag auf einen Bewohnerparkausweis wurde bewilligt. Den Ausweis finden Sie auf Seite 2: "
            "Schneiden Sie ihn aus und legen Sie ihn gut lesbar hinter die Windschutzscheibe.",
        ], rows=[("Ausweisnummer", permit.number), ("Kennzeichen", plates), ("Bewohnerparkgebiet", zone),
                 ("Gültig", validity)]),
        Section("Festsetzung der Gebühr", [
            f"Für die Erteilung des Bewohnerparkausweises wird eine Gebühr von {format_euros(permit.fee_cents)} "
            "festgesetzt.",
        ], rows=[("Gebühr", format_euros(permit.fee_cents)),
                 ("Berechnung", application.fee_basis or "laut Gebührentabelle"),
                 ("Zahlung", _payment_note(application))]),
        Section("Rechtsgrundlagen", rows=[
            ("Bewohnerparkausweis", decision.legal_basis if decision else "§ 45 Abs. 1b Satz 1 Nr. 2a StVO"),
            ("Gebühr", FEE_LEGAL_BASIS),
        ]),
    ]
    if permit.automated:
        sections.append(Section("Automatische Entscheidung", [
            "Dieser Bescheid wurde vollständig automatisiert erlassen (§ 35a VwVfG). Die Gründe der "
            "Entscheidung können Sie in Ihrem Konto unter „Meine Anträge“ einsehen."
        ]))
    remedy = (decision.legal_remedy if decision else "") or config.legal_remedy or REMEDY
    sections.append(Section("Rechtsbehelfsbelehrung", [remedy]))
    if permit.channel == "online":
        sections.append(Section("Bekanntgabe", [RETRIEVAL]))

    letter = Letter(
        title="Gebührenbescheid – Bewohnerparkausweis",
        recipient=_recipient(holder, application),
        reference=application.reference,
        date=_date(timezone.localtime(permit.issued_at)),
        sections=sections,
        footer=f"{config.authority} · Dieses Schreiben wurde maschinell erstellt und ist ohne Unterschrift gültig. "
               f"Prüfung des Ausweises: {settings.SITE_URL}{_path(url)}",
        extra=[PageBreak(), *_windscreen_permit(permit, plates, validity, url, config.authority)],
        subject=f"Bewohnerparkausweis {permit.number}",
        keywords=[url],  # lets software (and tests) read the token without decoding the QR image
    )
    return render_letter(letter)


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


def _windscreen_permit(permit: Permit, plates: str, validity: str, url: str, authority: str) -> list:
    """A DIN A6 card (148 × 105 mm) with a dashed cutting line."""
    info = [
        Paragraph("Bewohnerparkausweis", SUBHEADING),
        Paragraph(text(settings.CITY_NAME), SMALL),
        Spacer(1, 2 * mm),
        Paragraph(text(permit.zone.code), ZONE_STYLE),
        Paragraph(f"Bewohnerparkgebiet {text(permit.zone.name)}", BODY),
        Spacer(1, 3 * mm),
        Paragraph(text(plates), PLATE_STYLE),
        Paragraph(f"gültig {text(validity)}", BODY),
        Paragraph(f"Nr. {text(permit.number)}", SMALL),
    ]
    qr = [qr_flowable(url, size_mm=44), Paragraph("Echtheit prüfen: QR-Code scannen", SMALL)]
    card = Table([[info, qr]], colWidths=[88 * mm, 52 * mm], rowHeights=[97 * mm], hAlign="LEFT")
    card.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 0.8, colors.grey, None, (4, 3)),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4 * mm),
        ("TOPPADDING", (0, 0), (-1, -1), 4 * mm),
    ]))
    return [
        Paragraph("Parkausweis zum Ausschneiden", HEADING),
        Paragraph("Bitte entlang der gestrichelten Linie ausschneiden und gut lesbar hinter die "
                  "Windschutzscheibe legen. Der Ausweis gilt nur für das angegebene Kennzeichen und Gebiet.", BODY),
        Spacer(1, 6 * mm),
        card,
        Spacer(1, 4 * mm),
        Paragraph(f"Ausgestellt von: {text(authority)}", SMALL),
    ]
