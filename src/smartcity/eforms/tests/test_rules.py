"""Pure modules: fees, dates, flow, validators and the definition schema."""

from datetime import date
from pathlib import Path

import pytest
import yaml

from smartcity.eforms import dates, fees, flow, schema
from smartcity.eforms.validators import is_valid_iban

DEFINITIONS = Path(__file__).resolve().parents[1] / "definitions"


def _load(name: str) -> dict:
    return yaml.safe_load((DEFINITIONS / name).read_text(encoding="utf-8"))


def test_euro_formatting():
    assert fees.euro(1200) == "12,00 €"
    assert fees.euro(123456) == "1.234,56 €"
    assert fees.euro(1200, "en") == "€12.00"


def test_per_copy_fee_of_the_certificate_service():
    rule = _load("personenstandsurkunde.yaml")["fee"]
    assert fees.amount_due(rule, {"anzahl": 1}) == 1200
    assert fees.amount_due(rule, {"anzahl": 3}) == 2400
    assert fees.amount_due(rule, {"anzahl": "kaputt"}) == 1200
    assert fees.amount_due(rule, {}) == 1200
    lines = fees.fee_lines(rule)
    assert [line["amount_cents"] for line in lines] == [1200, 600]
    assert lines[0]["text_de"] == "12,00 € für das erste Exemplar"


def test_fixed_and_no_fee():
    assert fees.amount_due({"kind": "fixed", "amount_cents": 2500}, {}) == 2500
    assert fees.amount_due(None, {}) == 0
    assert fees.fee_lines(None) == [{"amount_cents": 0, "text_de": "Gebührenfrei", "text_en": "Free of charge"}]
    dog = fees.fee_lines(_load("hund.yaml")["fee"])
    assert dog[0]["amount_cents"] is None and "96 €" in dog[0]["text_de"]


@pytest.mark.parametrize(("spec", "expected"), [
    ("today", date(2026, 1, 31)),
    ("today+30d", date(2026, 3, 2)),
    ("today-18y", date(2008, 1, 31)),
    ("today+1m", date(2026, 2, 28)),
    ("2020-02-29", date(2020, 2, 29)),
])
def test_date_bounds(spec, expected):
    assert dates.resolve(spec, date(2026, 1, 31)) == expected


def test_bad_date_bound():
    with pytest.raises(dates.DateSpecError, match="keine gültige Datumsgrenze"):
        dates.resolve("morgen", date(2026, 1, 1))


def test_iban_checksum():
    assert is_valid_iban("DE89 3704 0044 0532 0130 00")
    assert not is_valid_iban("DE89 3704 0044 0532 0130 01")
    assert not is_valid_iban("DE89")


def test_listed_breed_shows_the_extra_step_and_hidden_answers_are_dropped():
    definition = _load("hund.yaml")
    keys = [s["key"] for s in flow.visible_steps(definition, {"rasse": "labrador"})]
    assert keys == ["halter", "hund"]
    keys = [s["key"] for s in flow.visible_steps(definition, {"rasse": "rottweiler"})]
    assert keys == ["halter", "hund", "listenhund"]
    answers = {"rasse": "labrador", "versicherung": "HUK 123", "sachkunde": {"document": "x", "name": "a.pdf"},
               "nachweis_hund": {"document": "y", "name": "b.pdf"}}
    assert "versicherung" not in flow.visible_answers(definition, answers)
    assert flow.document_ids(definition, answers) == ["y"]
    assert flow.neighbours(definition, {"rasse": "rottweiler"}, "hund") == ("halter", "listenhund")
    assert flow.neighbours(definition, {"rasse": "labrador"}, "hund") == ("halter", None)


def test_conditional_field_in_the_certificate_form():
    definition = _load("personenstandsurkunde.yaml")
    step = flow.find_step(definition, "exemplare")
    assert [f["key"] for f in flow.visible_fields(step, {"zweck": "rente"})] == ["anzahl"]
    assert [f["key"] for f in flow.visible_fields(step, {"zweck": "ausland"})] == ["anzahl", "zweck_ausland_land"]


@pytest.mark.parametrize("name", ["personenstandsurkunde.yaml", "hund.yaml"])
def test_demo_definitions_are_valid(name):
    schema.validate(_load(name))


def _errors(definition) -> list[str]:
    with pytest.raises(schema.DefinitionError) as excinfo:
        schema.validate(definition)
    return excinfo.value.errors


def test_schema_errors_are_german_and_name_the_place():
    definition = _load("hund.yaml")
    definition["steps"][1]["fields"][0]["type"] = "farbe"
    del definition["case_type"]["department"]
    definition["extra"] = 1
    errors = _errors(definition)
    assert "steps[1].fields[0].type: Wert nicht erlaubt; erlaubt sind: text, textarea" in errors[-1] or any(
        e.startswith("steps[1].fields[0].type: Wert nicht erlaubt") for e in errors)
    assert "case_type: Pflichtangabe fehlt: department" in errors
    assert "(Wurzel): Unbekannte Angabe: extra" in errors


def test_semantic_errors():
    definition = _load("personenstandsurkunde.yaml")
    definition["steps"][0]["fields"][1]["key"] = "urkundenart"  # duplicate
    definition["steps"][0]["fields"][0]["condition"] = "anzahl > 1"  # later step
    definition["steps"][2]["fields"][0]["pattern"] = "[a-"  # bad regex on a number field
    definition["steps"][1]["condition"] = "berechtigung =="
    definition["fee"]["quantity_field"] = "zweck"
    del definition["fee"]["purpose"]
    errors = "\n".join(_errors(definition))
    assert "Feld „urkundenart“ ist doppelt" in errors
    assert "steps[0].fields[0].condition: unbekannte Felder anzahl" in errors
    assert "kein gültiger regulärer Ausdruck" in errors
    assert "steps[1].condition: Wert oder Feldname erwartet" in errors
    assert "fee.quantity_field: „zweck“ ist kein Zahlenfeld" in errors
    assert "fee.purpose: Verwendungszweck" in errors


def test_text_must_be_string_or_de_en_object():
    definition = _load("hund.yaml")
    definition["title"] = {"fr": "Chien"}
    assert any(e.startswith("title: Erwartet wird ein Text") for e in _errors(definition))


def test_the_example_in_the_documentation_is_valid():
    docs = (Path(__file__).resolve().parents[4] / "docs" / "portal.md").read_text(encoding="utf-8")
    section = docs[docs.index("## Online-Anträge (deklarativ)"):]
    example = section[section.index("```yaml") + len("```yaml"):]
    schema.validate(yaml.safe_load(example[:example.index("```")]))
