"""Resident parking in Meine Anträge: every application (also the automatically decided ones) with its
status timeline. Read-only; the timeline comes from the audit events the services write anyway, so the
automatic issuing path does no extra work for it.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from smartcity.audit.models import AuditEvent

from .models import Application

Status = Application.Status

_ACTIONS = {Status.AWAITING_PAYMENT: gettext_noop("Bitte bezahlen Sie die Gebühr."),
            Status.HEARING: gettext_noop("Anhörung: Sie können sich äußern."),
            Status.DRAFT: gettext_noop("Bitte prüfen Sie Ihre Angaben.")}
_NOT_SUBMITTED = gettext_noop("Noch nicht eingereicht.")
# Events the citizen sees without a status change; internal ones (zone set by staff, reads) stay out.
_EVENT_TITLES = {"parking.application.created": gettext_noop("Antrag angelegt"),
                 "parking.application.submitted": gettext_noop("Antrag eingereicht"),
                 "parking.application.corrected": gettext_noop("Angaben korrigiert"),
                 "parking.application.paid_at_counter": gettext_noop("Gebühr im Bürgerbüro bezahlt")}
# For portal.providers: whether the user (the parameter) has any application, i.e. my_applications has entries.
ANY_APPLICATION = "EXISTS (SELECT 1 FROM parking_application WHERE applicant_id = %s)"


def my_applications(user: Any) -> list:
    """portal.providers provider: the user's parking applications, newest first."""
    from smartcity.portal.providers import LIMIT, Entry

    applications = Application.objects.filter(applicant=user).only(
        "pk", "reference", "kind", "plate", "status", "created_at", "submitted_at").order_by("-created_at")[:LIMIT]
    entries = []
    for app in applications:
        action = _ACTIONS.get(app.status, "")
        if app.status == Status.DRAFT and app.submitted_at is None:
            action = _NOT_SUBMITTED
        entries.append(Entry(
            title=_("Bewohnerparkausweis: %(kind)s %(plate)s") % {"kind": app.get_kind_display(), "plate": app.plate},
            reference=app.reference, at=app.submitted_at or app.created_at, status=app.get_status_display(),
            url=reverse("parking:application", args=[app.pk]), action=_(action) if action else ""))
    return entries


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str


def timeline(application: Application) -> list[TimelineEntry]:
    """The application's history for the citizen, newest first: each status it reached and the main steps."""
    labels = dict(Status.choices)
    entries = []
    events = AuditEvent.objects.filter(object_type="parking.application", object_id=str(application.pk),
                                       action__startswith="parking.application.").only(
        "created_at", "action", "details").order_by("-id")[:100]
    for event in events:
        to_status = (event.details or {}).get("to_status")
        if to_status in labels:
            entries.append(TimelineEntry(event.created_at, str(labels[to_status])))
        elif event.action in _EVENT_TITLES:
            entries.append(TimelineEntry(event.created_at, _(_EVENT_TITLES[event.action])))
    return entries
