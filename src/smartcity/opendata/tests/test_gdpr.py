import pytest

from smartcity.opendata import gdpr
from smartcity.opendata.models import ApiToken, Membership

pytestmark = pytest.mark.django_db


def test_export_and_erase(editor, token, catalogue):
    data = gdpr.export(editor)
    assert data["opendata_mitgliedschaften"] == [{"organisation": "duesseldorf", "rolle": "editor"}]
    assert data["opendata_api_tokens"][0]["name"] == "test"
    notes = gdpr.erase(editor)
    assert notes and not ApiToken.objects.filter(user=editor).exists()
    assert not Membership.objects.filter(user=editor).exists()
    assert catalogue[0].__class__.objects.filter(name="parkhaeuser").exists()

