"""Importing definitions: service function, management command, admin upload, admin editing."""

import io
import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from smartcity.cases.models import CaseType
from smartcity.eforms import services
from smartcity.eforms.demo import DEFINITIONS
from smartcity.eforms.models import FormDefinition


def _definition() -> dict:
    return yaml.safe_load((DEFINITIONS / "personenstandsurkunde.yaml").read_text(encoding="utf-8"))


def test_import_sets_up_case_type_service_link_and_fees(forms):
    form = forms["personenstandsurkunde"]
    case_type = CaseType.objects.get(code="personenstandsurkunde")
    assert case_type.department.code == "standesamt" and case_type.deadline_working_days == 10
    assert form.service.slug == "personenstandsurkunde-anfordern"
    assert form.service.fees[0]["amount_cents"] == 1200


def test_reimport_bumps_the_version_only_on_change(forms):
    data = _definition()
    assert services.import_definition(data).version == 1
    data["fee"]["first_cents"] = 1500
    form = services.import_definition(data)
    assert form.version == 2
    form.service.refresh_from_db()
    assert form.service.fees[0]["text_de"] == "15,00 € für das erste Exemplar"


def test_management_command(forms, tmp_path):
    path = tmp_path / "urkunde.json"
    path.write_text(json.dumps(_definition()))
    out = io.StringIO()
    call_command("eforms_import", str(path), stdout=out)
    assert "personenstandsurkunde: Version 1 importiert." in out.getvalue()
    broken = tmp_path / "kaputt.yaml"
    broken.write_text("slug: x\nsteps: [")
    with pytest.raises(CommandError, match="Datei nicht lesbar"):
        call_command("eforms_import", str(broken))
    invalid = tmp_path / "ungueltig.yaml"
    data = _definition()
    data["steps"][0]["fields"][0]["type"] = "farbe"
    invalid.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(CommandError, match=r"steps\[0\]\.fields\[0\]\.type: Wert nicht erlaubt"):
        call_command("eforms_import", str(invalid))


@pytest.fixture
def admin_client(client, db):
    from smartcity.accounts.testing import login_staff, make_staff

    login_staff(client, make_staff("buergerservice", role="admin", is_superuser=True))
    return client


def test_admin_import_upload_reports_errors_and_imports(admin_client, forms):
    url = reverse("admin:eforms_import")
    data = _definition()
    data["fee"]["quantity_field"] = "zweck"
    bad = SimpleUploadedFile("urkunde.yaml", yaml.safe_dump(data, allow_unicode=True).encode())
    response = admin_client.post(url, {"file": bad}, follow=True)
    assert "quantity_field: „zweck“ ist kein Zahlenfeld" in response.content.decode()
    data["fee"]["quantity_field"] = "anzahl"
    data["title"]["de"] = "Urkunde bestellen"
    good = SimpleUploadedFile("urkunde.yaml", yaml.safe_dump(data, allow_unicode=True).encode())
    response = admin_client.post(url, {"file": good})
    assert response.status_code == 302
    assert FormDefinition.objects.get(slug="personenstandsurkunde").title_de == "Urkunde bestellen"


def test_admin_edit_validates_the_definition(admin_client, forms):
    form = forms["hund-anmelden"]
    url = reverse("admin:eforms_formdefinition_change", args=[form.pk])
    assert admin_client.get(url).status_code == 200
    broken = dict(form.definition, steps=[])
    response = admin_client.post(url, {"slug": form.slug, "definition": json.dumps(broken), "published": "on"})
    assert response.status_code == 200
    assert "teps: Mindestens 1 Einträge nötig" in response.content.decode()
    changed = dict(form.definition, intro={"de": "Neuer Einleitungstext"})
    response = admin_client.post(url, {"slug": form.slug, "definition": json.dumps(changed), "published": "on"})
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.intro == "Neuer Einleitungstext" and form.version == 2


def test_admin_yaml_download(admin_client, forms):
    url = reverse("admin:eforms_formdefinition_changelist")
    response = admin_client.post(url, {"action": "download_yaml", "_selected_action": [forms["hund-anmelden"].pk]})
    assert yaml.safe_load(response.content)["slug"] == "hund-anmelden"


def test_retention_days_come_from_the_definition_and_are_checked(forms):
    assert CaseType.objects.get(code="hundesteuer").retention_days == 3650  # tax records: ten years
    data = _definition()
    data["case_type"]["retention_days"] = 3 * 365
    services.import_definition(data)
    assert CaseType.objects.get(code="personenstandsurkunde").retention_days == 3 * 365
    del data["case_type"]["retention_days"]
    services.import_definition(data)  # without the key the case type keeps its setting
    assert CaseType.objects.get(code="personenstandsurkunde").retention_days == 3 * 365
    for wrong in (7, "zwei Jahre"):
        data["case_type"]["retention_days"] = wrong
        with pytest.raises(services.schema.DefinitionError, match="retention_days"):
            services.import_definition(data)
    assert CaseType.objects.get(code="personenstandsurkunde").retention_days == 3 * 365
