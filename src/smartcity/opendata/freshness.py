"""Alerts when a published dataset misses its declared update frequency (dct:accrualPeriodicity)."""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from smartcity.audit.services import record

from . import services, vocab
from .models import Dataset, Membership

logger = logging.getLogger(__name__)


def overdue_datasets():
    """Public datasets whose frequency says a newer version is due and that were not alerted yet."""
    checked = [k for k, (_title, days) in vocab.FREQUENCIES.items() if days]
    now = timezone.now()
    candidates = Dataset.objects.filter(state=Dataset.State.ACTIVE, frequency__in=checked,
                                        freshness_alerted_at__isnull=True).select_related("organization")
    return [ds for ds in candidates if services.is_overdue(ds, now)]


def check_freshness() -> int:
    """Notify the organisation's editors once per overdue dataset; returns the number of alerts."""
    from smartcity.notifications.services import notify

    alerts = 0
    for ds in overdue_datasets():
        frequency = vocab.FREQUENCIES[ds.frequency][0]
        link = settings.SITE_URL + reverse("opendata:editor_edit", args=[ds.name])
        subject = f"Datensatz nicht aktuell: {ds.title}"
        body = (f"Der Datensatz „{ds.title}“ ({ds.organization.title}) soll {frequency} aktualisiert werden, "
                f"die letzte Aktualisierung war am {timezone.localtime(ds.modified or ds.issued):%d.%m.%Y}. "
                f"Bitte laden Sie die aktuellen Daten hoch oder passen Sie die Aktualisierungsfrequenz an.")
        editors = Membership.objects.filter(organization=ds.organization).select_related("user")
        for membership in editors:
            notify(membership.user, subject, body, link=link)
        Dataset.objects.filter(pk=ds.pk).update(freshness_alerted_at=timezone.now())
        services.reindex(ds)  # the quality score includes freshness
        record("system:opendata", "opendata.dataset.overdue", ds, name=ds.name, editors=editors.count())
        alerts += 1
    return alerts
