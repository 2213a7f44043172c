"""Documents a person uploaded or received."""

from typing import Any

from django.utils.translation import gettext as _

from smartcity.accounts.models import User

from .models import Document
from .services import purge


def export(user: User) -> dict[str, Any]:
    return {_("Dokumente"): [
        {"Name": d.original_name, "Art": d.get_kind_display(), "Typ": d.content_type, "Größe (Byte)": d.size,
         "Vorgang": d.case.reference if d.case_id else None, "Hochgeladen/erstellt": d.created_at,
         "Virenprüfung": d.get_scan_status_display(), "Erstmals abgerufen": d.first_retrieved_at}
        for d in Document.objects.filter(owner=user).select_related("case")
    ]}


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
