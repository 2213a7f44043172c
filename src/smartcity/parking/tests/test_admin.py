"""The Django admin shows parking applications and permits as status and metadata only."""

from types import SimpleNamespace

import pytest
from django.db import transaction
from django.urls import reverse

from smartcity.parking import services
from smartcity.parking.models import Permit
from smartcity.parking.tests.test_services import apply

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    """A city admin (superuser, second factor confirmed) without a case-reading role."""
    from smartcity.accounts.testing import login_staff, make_staff

    login_staff(client, make_staff("it", role="admin", is_superuser=True))
    return client


def test_admin_sees_no_personal_data_of_applications_and_permits(admin_client, resident,
                                                                 django_capture_on_commit_callbacks):
    app = apply(resident, special_circumstances="Ich pflege meine Mutter.")  # routed: free text, register data
    other = apply(resident)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.on_paid(SimpleNamespace(pk="p", subject_id=other.pk))
    permit = Permit.objects.get(application=other)
    pages = [admin_client.get(reverse("admin:parking_application_changelist")),
             admin_client.get(reverse("admin:parking_application_change", args=[app.pk])),
             admin_client.get(reverse("admin:parking_permit_changelist"))]
    pages.append(admin_client.get(reverse("admin:parking_permit_change", args=[permit.pk])))
    for page in pages:
        body = page.content.decode()
        assert page.status_code == 200
        assert "D-EM 1234" not in body and "pflege" not in body and "Mustermann" not in body
        assert "Kaiserstraße" not in body and "4711" not in body
    assert app.reference in pages[0].content.decode()


def test_admin_cannot_change_or_delete_parking_records(admin_client, resident):
    app = apply(resident)
    url = reverse("admin:parking_application_change", args=[app.pk])
    response = admin_client.post(url, {"status": "issued"})
    assert response.status_code == 403
    assert admin_client.post(reverse("admin:parking_application_delete", args=[app.pk])).status_code == 403
    app.refresh_from_db()
    assert app.status == "awaiting_payment"
