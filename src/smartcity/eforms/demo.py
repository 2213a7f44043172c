"""The two demo services, defined entirely as data in definitions/*.yaml, and applications filed through them.

A demo application holds what a submitted one holds (``services.file_case``: the answers, their summary, the fee,
the uploads attached), so the back office and Meine Anträge show it as they show real ones.
"""

import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from smartcity.accounts.models import User
from smartcity.cases import demo as cases_demo
from smartcity.cases.models import Case
from smartcity.core.pdf import Letter, Section, render_letter
from smartcity.documents.services import store_upload

from . import flow, services
from .models import FormDefinition

DEFINITIONS = Path(__file__).resolve().parent / "definitions"
DOG_FORM, CERTIFICATE_FORM = "hund-anmelden", "personenstandsurkunde"

# (name, breed option, sex option); two breeds listed in the Landeshundegesetz bring up its step.
DOGS = [("Bello", "labrador", "ruede"), ("Luna", "mischling", "huendin"),
        ("Rocky", "staffordshire_bullterrier", "ruede"), ("Emma", "dackel", "huendin"),
        ("Balu", "golden_retriever", "ruede"), ("Kira", "rottweiler", "huendin")]
LISTED = {"staffordshire_bullterrier", "rottweiler"}
CERTIFICATES = ["geburt", "ehe", "sterbe"]
PURPOSES = ["rente", "eheschliessung", "erbschaft", "behoerde"]
QUESTIONS = {
    DOG_FORM: "Bitte laden Sie den Nachweis über die Haftpflichtversicherung Ihres Hundes hoch.",
    CERTIFICATE_FORM: "Bitte nennen Sie den Geburtsnamen der Person; im Register ist ein anderer Name eingetragen.",
}


def load_definitions(stdout) -> dict[str, FormDefinition]:
    """The demo services' forms by slug, from definitions/*.yaml."""
    forms = {}
    for path in sorted(DEFINITIONS.glob("*.yaml")):
        form = services.load_definition_path(path, actor="system:demo")
        forms[form.slug] = form
        stdout.write(f"  Online-Antrag „{form.title_de}“ (Version {form.version})")
    return forms


def load(stdout) -> None:
    forms = load_definitions(stdout)

    def apply(i: int, person: User, received: datetime, rng: random.Random) -> tuple[Case, str]:
        form = forms[DOG_FORM if i % 3 else CERTIFICATE_FORM]
        answers = flow.visible_answers(form.definition,
                                       (_dog if form.slug == DOG_FORM else _certificate)(person, received, rng))
        case = services.file_case(form, answers, applicant=person, fee_paid=True, received_at=received,
                                  extra_data={"demo": True})
        return case, QUESTIONS[form.slug]

    cases_demo.add_cases(apply, stdout)


def _applicant(person: User, rng: random.Random) -> dict[str, Any]:
    """The applicant's fields of both forms (``flow.visible_answers`` keeps those a form has)."""
    return {"vorname": person.first_name, "nachname": person.last_name, "strasse": person.street,
            "hausnummer": person.house_number, "plz": person.postcode, "ort": person.city or "Düsseldorf",
            "email": person.email,
            "geburtsdatum": (person.birth_date.isoformat() if person.birth_date
                             else f"{rng.randint(1950, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")}


def _dog(person: User, received: datetime, rng: random.Random) -> dict[str, Any]:
    name, breed, sex = rng.choice(DOGS)
    answers = {**_applicant(person, rng), "weitere_hunde": 0, "hundename": name, "rasse": breed, "geschlecht": sex,
               "wurfdatum": (received - timedelta(days=rng.randint(90, 3000))).date().isoformat(),
               "haltungsbeginn": (received - timedelta(days=rng.randint(1, 13))).date().isoformat(),
               "chipnummer": "276098" + "".join(str(rng.randint(0, 9)) for _ in range(9)),
               "nachweis_hund": _upload(person, f"Heimtierausweis-{name}.pdf", f"Heimtierausweis für {name}")}
    if breed in LISTED:
        answers |= {"erlaubnis_vorhanden": "beantragt",
                    "erlaubnis_aktenzeichen": f"32/2-{received:%Y}-{rng.randint(100, 999)}",
                    "versicherung": f"Beispiel-Versicherung AG, Nr. HH-{rng.randint(100000, 999999)}",
                    "sachkunde": _upload(person, "Sachkundenachweis.pdf", "Sachkundenachweis für die Hundehaltung"),
                    "versicherungsnachweis": _upload(person, "Versicherungsbestaetigung.pdf",
                                                     "Bestätigung der Hundehalter-Haftpflichtversicherung")}
    return answers


def _certificate(person: User, received: datetime, rng: random.Random) -> dict[str, Any]:
    kind = rng.choice(CERTIFICATES)
    applicant = _applicant(person, rng)
    # A death certificate is asked for a parent; the others for oneself.
    name = f"{rng.choice(['Gertrud', 'Heinrich', 'Ursula', 'Wilhelm'])} {person.last_name}" if kind == "sterbe" \
        else person.get_full_name()
    event = received - timedelta(days=rng.randint(30, 365 * 40)) if kind != "geburt" \
        else datetime.fromisoformat(applicant["geburtsdatum"])
    return {**applicant, "urkundenart": kind, "name_person": name, "datum_ereignis": event.date().isoformat(),
            "berechtigung": "verwandt" if kind == "sterbe" else "selbst", "zweck": rng.choice(PURPOSES),
            "anzahl": rng.randint(1, 3)}


def _upload(person: User, filename: str, title: str) -> dict[str, str]:
    """A one-page PDF uploaded by ``person`` through the same checks as a citizen's upload, marked as demo data."""
    content = render_letter(Letter(title=title, recipient=[person.get_full_name()], sections=[
        Section(heading="Demodokument", paragraphs=["Erzeugt für die Demodaten; kein echter Nachweis."])]))
    document = store_upload(SimpleUploadedFile(filename, content, content_type="application/pdf"), owner=person)
    return {"document": str(document.pk), "name": document.original_name}
