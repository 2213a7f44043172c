"""What the accounts app holds about a person: profile, login history, roles, second factor."""

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartcity.audit.models import AuditEvent

from .models import User

PROFILE_FIELDS = ("username", "email", "email_verified", "first_name", "last_name", "birth_date", "street",
                  "house_number", "postcode", "city", "trust_level", "login_provider", "verified_fields",
                  "date_joined", "last_login")


def export(user: User) -> dict[str, Any]:
    events = AuditEvent.objects.filter(actor=user).order_by("id").values("created_at", "action", "object_type",
                                                                         "details")
    return {
        _("Profil"): {name: getattr(user, name) for name in PROFILE_FIELDS},
        _("Rollen"): [{"Fachbereich": r.department.name, "Rolle": r.get_role_display()}
                      for r in user.staff_roles.select_related("department")],
        _("Zweiter Faktor"): [{"Name": d.name, "bestätigt": d.confirmed}
                              for d in TOTPDevice.objects.filter(user=user)],
        _("Protokoll Ihrer Aktionen"): list(events),
        _("Anmeldungen (Sicherheitsprotokoll)"): list(
            AccessLog.objects.filter(username=user.get_username()).order_by("-attempt_time")
            .values("attempt_time", "logout_time", "ip_address", "user_agent")[:200]),
    }


def erase(user: User) -> list[str]:
    TOTPDevice.objects.filter(user=user).delete()
    for model in (AccessLog, AccessAttempt, AccessFailureLog):  # django-axes keeps user name, IP and browser
        model.objects.filter(username=user.get_username()).delete()
    return [
        _("Ihr Konto mit Profil, Adresse und Anmeldedaten wird gelöscht."),
        _("Das Prüfprotokoll (Audit-Log) der Verwaltung bleibt aus Nachweisgründen bestehen; es verweist nur noch "
          "auf das pseudonyme Kennzeichen „%(label)s“ und nicht mehr auf Ihr Konto.") % {"label": user.username},
    ]
