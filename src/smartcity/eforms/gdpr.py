"""GDPR self-service: drafts belong to the citizen; submitted answers live on in the case (its retention rule)."""

from typing import Any

from .models import Submission


def export(user: Any) -> dict:
    return {"antraege": [
        {"formular": s.form.slug, "status": s.status, "angelegt": s.created_at.isoformat(),
         "eingereicht": s.submitted_at.isoformat() if s.submitted_at else None,
         "aktenzeichen": s.case.reference if s.case_id else None, "angaben": s.data}
        for s in Submission.objects.filter(applicant=user).select_related("form", "case")
    ]}


def erase(user: Any) -> list[str]:
    drafts = Submission.objects.filter(applicant=user, status=Submission.Status.DRAFT)
    count = drafts.count()
    drafts.delete()
    notes = [f"{count} Antragsentwürfe wurden gelöscht."] if count else []
    if Submission.objects.filter(applicant=user).exists():
        notes.append("Eingereichte Anträge sind Teil der Verwaltungsvorgänge und werden nach deren "
                      "Aufbewahrungsfrist gelöscht.")
    return notes
