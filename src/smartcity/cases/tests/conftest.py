"""Fixtures shared by the cases, back-office, portal and notification tests (their conftests import these)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from smartcity.accounts.models import StaffRole
from smartcity.accounts.testing import make_citizen, make_staff
from smartcity.cases import services


@pytest.fixture
def case_type(db):
    return services.ensure_case_type("hundesteuer-anmeldung", name="Hundesteuer-Anmeldung",
                                     department_code="steueramt", deadline_working_days=10,
                                     legal_basis="Hundesteuersatzung Düsseldorf")


@pytest.fixture
def other_case_type(db):
    return services.ensure_case_type("personenstandsurkunde", name="Personenstandsurkunde",
                                     department_code="standesamt")


@pytest.fixture
def citizen(db):
    return make_citizen()


@pytest.fixture
def other_citizen(db):
    return make_citizen()


@pytest.fixture
def caseworker(case_type):
    return make_staff("steueramt")


@pytest.fixture
def teamlead(case_type):
    return make_staff("steueramt", StaffRole.Role.TEAMLEAD)


@pytest.fixture
def case(case_type, citizen):
    return services.create_case(case_type=case_type, applicant=citizen, data={"hund_name": "Bello"},
                                title="Hundesteuer: Bello")


@pytest.fixture
def png_upload():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, format="PNG")
    return SimpleUploadedFile("nachweis.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def fake_pdf_upload():
    return SimpleUploadedFile("nachweis.pdf", b"das ist kein PDF", content_type="application/pdf")
