"""How a verification result reads for people: one headline, one alert level and one sentence per status."""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from smartcity.parking.tokens import Status, Verification


@dataclass(frozen=True)
class Outcome:
    headline: Promise
    level: str  # KERN alert modifier
    explanation: Promise


OUTCOMES = {
    Status.VALID: Outcome(_("Gültig"), "success", _("Der Ausweis ist echt und heute gültig.")),
    Status.TAMPERED: Outcome(_("Manipuliert oder beschädigt"), "danger", _(
        "Der Code ist unvollständig oder sein Inhalt passt nicht zur Signatur. Der Ausweis ist nicht als echt "
        "bestätigt.")),
    Status.EXPIRED: Outcome(_("Abgelaufen"), "danger", _("Der Ausweis ist echt, aber nicht mehr gültig.")),
    Status.NOT_YET_VALID: Outcome(_("Noch nicht gültig"), "warning", _(
        "Der Ausweis ist echt, gilt aber erst ab dem angegebenen Tag.")),
    Status.REVOKED: Outcome(_("Widerrufen"), "danger", _(
        "Der Ausweis wurde widerrufen oder durch einen neuen Ausweis ersetzt und gilt nicht mehr.")),
    Status.UNKNOWN_KEY: Outcome(_("Unbekannter Schlüssel"), "danger", _(
        "Der Code ist mit einem Schlüssel signiert, den die Stadt nicht veröffentlicht hat. Der Ausweis ist "
        "nicht als echt bestätigt.")),
}


def as_json(result: Verification) -> dict:
    """The API shape of a verification result; permit details only when the signature checked out."""
    claims = result.claims
    return {
        "status": result.status.value,
        "valid": result.is_valid,
        "kid": result.kid or None,
        "permit": None if claims is None else {
            "id": claims.permit_id, "number": claims.number, "plate": claims.plate, "zone": claims.zone,
            "valid_from": claims.valid_from.isoformat(), "valid_until": claims.valid_until.isoformat(),
        },
    }
