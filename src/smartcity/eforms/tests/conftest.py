import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.accounts.testing import login_citizen, make_citizen
from smartcity.catalogue import demo as catalogue_demo
from smartcity.core.pdf import Letter, render_letter
from smartcity.eforms import demo
from smartcity.eforms.models import FormDefinition

PDF = render_letter(Letter(title="Kaufvertrag Hund"))


@pytest.fixture
def forms(db):
    catalogue_demo.load(io.StringIO())
    demo.load_definitions(io.StringIO())
    return {f.slug: f for f in FormDefinition.objects.all()}


@pytest.fixture
def citizen(db):
    return make_citizen(first_name="Erika", last_name="Mustermann")


@pytest.fixture
def citizen_client(client, citizen):
    login_citizen(client, citizen)
    return client


def pdf_upload(name: str = "kaufvertrag.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")
