"""Alerts when a published dataset misses its declared update frequency (dct:accrualPeriodicity)."""

import logging

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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
    from smartcity.notifications.services import in_language_of, notify

    alerts = 0
    for ds in overdue_datasets():
        link = settings.SITE_URL + reverse("opendata:editor_edit", args=[ds.name])
        facts = {"title": ds.title, "organisation": ds.organization.title,
                 "last": f"{timezone.localtime(ds.modified or ds.issued):%d.%m.%Y}"}
        editors = Membership.objects.filter(organization=ds.organization).select_related("user")
        for membership in editors:
            with in_language_of(membership.user):
                facts["frequency"] = _(vocab.FREQUENCIES[ds.frequency][0])
                notify(membership.user, _("Datensatz nicht aktuell: %(title)s") % facts,
                       _("Der Datensatz „%(title)s“ (%(organisation)s) soll %(frequency)s aktualisiert werden, "
                         "die letzte Aktualisierung war am %(last)s. Bitte laden Sie die aktuellen Daten hoch "
                         "oder passen Sie die Aktualisierungsfrequenz an.") % facts, link=link)
        Dataset.objects.filter(pk=ds.pk).update(freshness_alerted_at=timezone.now())
        services.reindex(ds)  # the quality score includes freshness
        record("system:opendata", "opendata.dataset.overdue", ds, name=ds.name, editors=editors.count())
        alerts += 1
    return alerts
