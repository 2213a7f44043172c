"""GDPR export and erasure for the open data portal (collected by accounts)."""

from typing import Any

from .models import ApiToken, Dataset, DatasetRevision, Membership


def export(user: Any) -> dict:
    return {
        "opendata_mitgliedschaften": [{"organisation": m.organization.name, "rolle": m.role}
                                      for m in Membership.objects.filter(user=user).select_related("organization")],
        "opendata_api_tokens": [{"name": t.name, "erstellt": t.created_at.isoformat(),
                                 "widerrufen": t.revoked_at.isoformat() if t.revoked_at else None}
                                for t in ApiToken.objects.filter(user=user)],
        "opendata_angelegte_datensaetze": list(Dataset.objects.filter(creator_user=user).values_list("name",
                                                                                                   flat=True)),
    }


def erase(user: Any) -> list[str]:
    ApiToken.objects.filter(user=user).delete()
    Membership.objects.filter(user=user).delete()
    Dataset.objects.filter(creator_user=user).update(creator_user=None)
    DatasetRevision.objects.filter(actor=user).update(actor=None)
    return ["Offene Daten: API-Tokens und Mitgliedschaften gelöscht. Veröffentlichte Datensätze bleiben "
            "erhalten (sie gehören der Organisation); im Änderungsverlauf bleibt der Benutzername als "
            "Bearbeitungsvermerk, wie im Prüfprotokoll."]
