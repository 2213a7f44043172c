"""Public pages and the editor UI."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from smartcity.accounts.testing import PASSWORD, login_staff, make_citizen
from smartcity.opendata.models import Dataset

pytestmark = pytest.mark.django_db


def test_search_page_with_facets(client, catalogue):
    page = client.get("/opendata/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 Datensätze" in html and "Landeshauptstadt Düsseldorf" in html
    filtered = client.get("/opendata/", {"organization": "koeln"}).content.decode()
    assert "1 Datensatz" in filtered and "Baumkataster" in filtered
    text = client.get("/opendata/", {"q": "parkhäuser"}).content.decode()
    assert "Parkhaeuser" in text and "Spielplaetze" not in text
    assert client.get("/opendata/", {"q": "(kaputt"}).status_code == 200


def test_dataset_and_resource_pages(client, catalogue):
    ds = catalogue[0]
    page = client.get(f"/opendata/dataset/{ds.name}/")
    assert page.status_code == 200 and "Datenlizenz Deutschland" in page.content.decode()
    assert client.get(f"/opendata/dataset/{ds.id}").status_code == 302
    res = ds.resources.get()
    assert client.get(f"/opendata/dataset/{ds.name}/resource/{res.id}/").status_code == 200
    assert client.get("/opendata/dataset/gibt-es-nicht/").status_code == 404


def test_draft_is_invisible_to_the_public(client, orgs):
    from .conftest import make_dataset

    draft = make_dataset(orgs[0], "entwurf", state="draft")
    assert client.get(f"/opendata/dataset/{draft.name}/").status_code == 404
    assert "entwurf" not in client.get("/opendata/").content.decode()


def test_editor_creates_uploads_and_publishes(client, editor, django_capture_on_commit_callbacks):
    login_staff(client, editor)
    assert client.get("/opendata/redaktion/").status_code == 200
    form = {"title": "Wochenmärkte", "name": "wochenmaerkte", "owner_org": "duesseldorf", "notes": "Märkte",
            "tag_string": "Markt, Einkaufen", "groups": ["econ"], "frequency": "ANNUAL",
            "license_id": "http://dcat-ap.de/def/licenses/dl-zero-de/2.0", "maintainer_email": "markt@example.org"}
    response = client.post("/opendata/redaktion/neu/", form)
    assert response.status_code == 302
    ds = Dataset.objects.get(name="wochenmaerkte")
    assert ds.state == "draft" and {t.name for t in ds.tags.all()} == {"Markt", "Einkaufen"}
    bad = client.post("/opendata/redaktion/neu/", {**form, "name": "Falsch Name"})
    assert bad.status_code == 200 and "Kleinbuchstaben" in bad.content.decode()
    upload = SimpleUploadedFile("maerkte.csv", b"markt,tag\nCarlsplatz,Mo-Sa\n")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/opendata/redaktion/{ds.name}/ressource/", {"name": "Märkte", "upload": upload,
                                                                        "format": "CSV"}).status_code == 302
    empty = client.post(f"/opendata/redaktion/{ds.name}/ressource/", {"upload": SimpleUploadedFile("x.csv", b"")})
    assert empty.status_code == 200
    edit = client.get(f"/opendata/redaktion/{ds.name}/")
    assert edit.status_code == 200 and "Qualität" in edit.content.decode()
    client.post(f"/opendata/redaktion/{ds.name}/status/", {"state": "active"})
    ds.refresh_from_db()
    assert ds.state == "active" and ds.resources.get().datastore_status == "done"


def test_editor_cannot_touch_other_organisations(client, editor, orgs):
    from .conftest import make_dataset

    other = make_dataset(orgs[1], "koeln-intern", state="draft")
    login_staff(client, editor)
    assert client.get(f"/opendata/redaktion/{other.name}/").status_code == 403
    assert client.post(f"/opendata/redaktion/{other.name}/status/", {"state": "active"}).status_code == 403
    other.refresh_from_db()
    assert other.state == "draft"


def test_tokens_are_shown_once_and_revocable(client, editor):
    login_staff(client, editor)
    page = client.post("/opendata/redaktion/tokens/", {"name": "Skript"}).content.decode()
    assert "sc_" in page
    token = editor.opendata_tokens.get()
    client.post("/opendata/redaktion/tokens/", {"revoke": str(token.id)})
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_editors_need_the_second_factor(client, editor, orgs):
    """Editors publish in the city's name and see private datasets: like staff, they log in with TOTP."""
    assert editor.needs_two_factor and not make_citizen().needs_two_factor
    client.force_login(editor)  # a session without the second factor (e.g. from before it was required)
    for url in ("/opendata/redaktion/", "/opendata/redaktion/neu/", "/opendata/redaktion/tokens/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:two_factor")), url
    client.logout()
    editor.set_password(PASSWORD)
    editor.save()
    login = client.post(reverse("accounts:login"), {"username": editor.username, "password": PASSWORD,
                                                    "next": "/opendata/redaktion/"})
    assert login["Location"] == reverse("accounts:two_factor") and "_auth_user_id" not in client.session
