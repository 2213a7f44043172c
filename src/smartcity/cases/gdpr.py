"""A person's cases: exported in full; on account deletion open cases are withdrawn, records kept."""

from typing import Any

from django.utils.translation import gettext as _

from smartcity.accounts.models import User

from . import services
from .models import Case
from .workflow import WITHDRAWN


def export(user: User) -> dict[str, Any]:
    cases = Case.objects.filter(applicant=user).select_related("case_type").prefetch_related(
        "status_changes", "messages")
    return {_("Anträge"): [
        {"Aktenzeichen": c.reference, "Leistung": c.case_type.name, "Betreff": c.title, "Status": c.status_label,
         "Eingang": c.received_at, "Abgeschlossen": c.closed_at, "Antragsdaten": c.data,
         "Verlauf": [{"Zeit": s.created_at, "Status": c.case_type.flow.label(s.to_status),
                      "Hinweis": s.citizen_text or c.case_type.flow.citizen_text(s.to_status)}
                     for s in c.status_changes.all()],
         "Nachrichten": [{"Zeit": m.created_at, "Von": _("Behörde") if m.from_staff else _("Sie"), "Text": m.body}
                         for m in c.messages.all()]}
        for c in cases
    ]}


def erase(user: User) -> list[str]:
    """Open cases cannot be continued without an account: they are withdrawn. Records stay until retention ends."""
    withdrawn = 0
    for case in Case.objects.filter(applicant=user, closed_at__isnull=True).select_related("case_type"):
        if WITHDRAWN in case.case_type.flow.allowed(case.status):
            services.transition(case, WITHDRAWN, actor=user, comment="Konto auf Wunsch gelöscht",
                                notify_citizen=False)
            withdrawn += 1
    kept = Case.objects.filter(applicant=user).count()
    notes = []
    if withdrawn:
        notes.append(_("%(n)d offene(r) Antrag/Anträge wurde(n) zurückgezogen, weil die Bearbeitung ohne Konto "
                       "nicht fortgesetzt werden kann.") % {"n": withdrawn})
    if kept:
        notes.append(_("%(n)d Antrag/Anträge bewahrt die Verwaltung bis zum Ende der Aufbewahrungsfrist der "
                       "jeweiligen Leistung auf (Nachweispflicht der Verwaltung); danach werden sie automatisch "
                       "anonymisiert.") % {"n": kept})
    return notes
