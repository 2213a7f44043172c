from datetime import timedelta

from django.utils import timezone

from smartcity.eforms import gdpr, services
from smartcity.eforms.models import Submission


def test_stale_drafts_are_deleted(forms, citizen, settings):
    settings.EFORMS_DRAFT_RETENTION_DAYS = 30
    old = services.start_draft(forms["hund-anmelden"], citizen)
    fresh = services.start_draft(forms["hund-anmelden"], citizen)
    Submission.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=31))
    assert services.delete_stale_drafts() == 1
    assert list(Submission.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_gdpr_export_and_erase(forms, citizen):
    draft = services.start_draft(forms["personenstandsurkunde"], citizen)
    exported = gdpr.export(citizen)["antraege"]
    assert exported[0]["formular"] == "personenstandsurkunde" and exported[0]["angaben"] == draft.data
    assert exported[0]["angaben"]["vorname"] == "Erika"  # prefilled from the account
    assert gdpr.erase(citizen) == ["1 Antragsentwürfe wurden gelöscht."]
    assert not Submission.objects.exists()
