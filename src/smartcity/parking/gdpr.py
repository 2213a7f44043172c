"""GDPR self-service: what resident parking holds about a person, and what it must keep."""

from django.conf import settings
from django.utils import timezone

from . import services
from .models import Application, Permit


def _date(value) -> str | None:
    return value.isoformat() if value else None


def export(user) -> dict:
    applications = Application.objects.filter(applicant=user).select_related("zone").prefetch_related("decisions")
    return {
        "antraege": [{
            "antragsnummer": a.reference, "art": a.get_kind_display(), "status": a.get_status_display(),
            "kennzeichen": a.plate, "zweites_kennzeichen": a.second_plate, "fin_letzte_4": a.vin_suffix,
            "laufzeit_monate": a.months, "gebiet": a.zone.code if a.zone else None,
            "besondere_umstaende": a.special_circumstances, "stellungnahme": a.hearing_statement,
            "gebuehr_cent": a.fee_cents, "angelegt": timezone.localtime(a.created_at).isoformat(),
            "entscheidungen": [{"datum": timezone.localtime(d.created_at).isoformat(),
                                "ergebnis": d.get_outcome_display(), "automatisch": d.automated,
                                "regelwerk": d.ruleset_version, "gruende": d.reasons,
                                "rechtsgrundlage": d.legal_basis, "pruefungen": d.checks}
                               for d in a.decisions.all()],
        } for a in applications],
        "ausweise": [{
            "nummer": p.number, "kennzeichen": p.plate, "zweites_kennzeichen": p.second_plate, "gebiet": p.zone.code,
            "gueltig_ab": _date(p.valid_from), "gueltig_bis": _date(p.valid_until), "status": p.get_status_display(),
        } for p in Permit.objects.filter(holder=user).select_related("zone")],
    }


def erase(user) -> list[str]:
    notes: list[str] = []
    drafts = Application.objects.filter(applicant=user, status=Application.Status.DRAFT, submitted_at=None)
    deleted, _ = drafts.delete()
    if deleted:
        notes.append(f"{deleted} nicht eingereichte Antragsentwürfe für Bewohnerparkausweise wurden gelöscht.")
    for application in Application.objects.filter(applicant=user, status__in=services.WITHDRAWABLE):
        try:
            services.withdraw(application, actor=user)
        except services.ParkingError:
            continue  # closed meanwhile, e.g. with its case by the cases app's erase
        notes.append(f"Der offene Antrag {application.reference} wurde zurückgezogen.")
    if Application.objects.filter(applicant=user).exists():
        years = round(settings.PARKING_RETENTION_DAYS / 365)
        notes.append(f"Eingereichte Anträge, Entscheidungsprotokolle und erteilte Bewohnerparkausweise bleiben als "
                     f"Verwaltungsvorgang (Nachweis der Entscheidung und der Gebühr) {years} Jahre nach ihrem Ende "
                     "erhalten – nach Ablehnung oder Rücknahme des Antrags bzw. nach Ablauf oder Rückgabe des "
                     "Ausweises. Danach werden sie anonymisiert: Kennzeichen, FIN-Angabe, Ihre Angaben und "
                     "Registerdaten werden gelöscht, nur statistische Angaben bleiben. Ein gültiger Ausweis bleibt bis "
                     "zu seinem Ablauf gültig.")
    return notes
