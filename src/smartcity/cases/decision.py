"""The decision letter (Bescheid) as PDF, in the city's one letter layout."""

from typing import Any

from django.conf import settings
from django.utils import timezone

from smartcity.core.pdf import Letter, Section, render_letter

OUTCOME_TITLES = {"approved": "Bescheid: Ihr Antrag wird genehmigt", "rejected": "Bescheid: Ihr Antrag wird abgelehnt"}
OUTCOME_TENOR = {
    "approved": "Ihrem Antrag vom {received} wird stattgegeben.",
    "rejected": "Ihr Antrag vom {received} wird abgelehnt.",
}
REMEDY = (
    "Gegen diesen Bescheid können Sie innerhalb eines Monats nach Bekanntgabe Klage erheben. Die Klage ist "
    "schriftlich oder zur Niederschrift der Urkundsbeamtin oder des Urkundsbeamten der Geschäftsstelle beim "
    "Verwaltungsgericht Düsseldorf, Bastionstraße 39, 40213 Düsseldorf, zu erheben. Die Klage kann auch als "
    "elektronisches Dokument nach Maßgabe des § 55a der Verwaltungsgerichtsordnung (VwGO) eingereicht werden."
)
RETRIEVAL = (
    "Dieser Bescheid wurde Ihnen zum Abruf im Digitalen Rathaus bereitgestellt. Er gilt am Tag nach dem Abruf "
    "als bekannt gegeben (§ 41 Abs. 2a VwVfG NRW)."
)


def build_decision_letter(case: Any, *, outcome: str, reasons: str, legal_basis: str) -> Letter:
    applicant = case.applicant
    recipient = []
    if applicant:
        recipient = [applicant.get_full_name() or applicant.get_username(),
                     f"{applicant.street} {applicant.house_number}".strip(),
                     f"{applicant.postcode} {applicant.city}".strip()]
    received = timezone.localtime(case.received_at).strftime("%d.%m.%Y")
    sections = [
        Section("Entscheidung", [OUTCOME_TENOR[outcome].format(received=received)],
                rows=[("Antrag", case.title), ("Aktenzeichen", case.reference)]),
        Section("Begründung", [reasons or "Die Voraussetzungen wurden anhand Ihrer Angaben und Unterlagen geprüft."]),
    ]
    if legal_basis:
        sections.append(Section("Rechtsgrundlage", [legal_basis]))
    sections += [Section("Rechtsbehelfsbelehrung", [REMEDY]), Section("Bekanntgabe", [RETRIEVAL])]
    return Letter(title=OUTCOME_TITLES[outcome], recipient=[line for line in recipient if line],
                  reference=case.reference, date=timezone.localdate().strftime("%d.%m.%Y"), sections=sections,
                  footer=f"{settings.CITY_NAME} · {case.department.name} · Dieses Schreiben wurde maschinell "
                         "erstellt und ist ohne Unterschrift gültig.")


def store_decision_pdf(case: Any, *, outcome: str, reasons: str, legal_basis: str) -> Any:
    from smartcity.documents.services import store_generated

    pdf = render_letter(build_decision_letter(case, outcome=outcome, reasons=reasons, legal_basis=legal_basis))
    return store_generated(pdf, filename=f"Bescheid-{case.reference}.pdf", content_type="application/pdf",
                           owner=case.applicant, case=case, kind="decision")
