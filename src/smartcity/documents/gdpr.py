"""Documents a person uploaded or received."""

from typing import Any

from django.utils.translation import gettext as _

from smartcity.accounts.models import User
from smartcity.audit.models import AuditEvent

from .models import Document
from .services import purge


def export(user: User) -> dict[str, Any]:
    documents = list(Document.objects.filter(owner=user).select_related("case"))
    # Art. 15 (1) c GDPR: which office looked at the citizen's documents and when (not which employee).
    reads = AuditEvent.objects.filter(action="documents.read_personal", object_type="documents.document",
                                      object_id__in=[str(d.pk) for d in documents]).order_by("created_at")
    names = {str(d.pk): d.original_name for d in documents}
    return {
        _("Dokumente"): [
            {"Name": d.original_name, "Art": d.get_kind_display(), "Typ": d.content_type, "Größe (Byte)": d.size,
             "Vorgang": d.case.reference if d.case_id else None, "Hochgeladen/erstellt": d.created_at,
             "Virenprüfung": d.get_scan_status_display(), "Erstmals abgerufen": d.first_retrieved_at}
            for d in documents
        ],
        _("Einsichtnahmen der Verwaltung"): [
            {"Dokument": names[e.object_id], "Vorgang": e.details.get("case"), "Zeitpunkt": e.created_at}
            for e in reads
        ],
    }


def erase(user: User) -> list[str]:
    loose = Document.objects.filter(owner=user, case__isnull=True)
    deleted = purge(loose.iterator(), reason="erasure")
    kept = Document.objects.filter(owner=user, case__isnull=False).count()
    notes = [_("%(n)d Dokument(e) ohne Bezug zu einem Antrag wurden gelöscht.") % {"n": deleted}] if deleted else []
    if kept:
        notes.append(_("%(n)d Dokument(e) zu Ihren Anträgen (z. B. Nachweise und Bescheide) bewahrt die Verwaltung "
                       "bis zum Ende der gesetzlichen Aufbewahrungsfrist auf; danach werden sie automatisch gelöscht.")
                     % {"n": kept})
    return notes
