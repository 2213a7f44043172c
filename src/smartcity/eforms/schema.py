"""The format of a form definition (JSON Schema) and the checks beyond it. Errors are German, with a path.

A definition is plain data (YAML or JSON); see docs/portal.md, „Online-Anträge (deklarativ)“.
"""

import re
from typing import Any

import jsonschema

from . import conditions, dates

FIELD_TYPES = ["text", "textarea", "number", "date", "select", "radio", "checkbox", "email", "iban", "file"]
PREFILL_SOURCES = ["first_name", "last_name", "email", "birth_date", "street", "house_number", "postcode", "city"]
TRUST_LEVELS = ["basisregistrierung", "substantiell", "hoch"]
KEY = r"^[a-z][a-z0-9_]{0,39}$"

_TEXT = {"oneOf": [
    {"type": "string", "minLength": 1},
    {"type": "object", "required": ["de"], "additionalProperties": False,
     "properties": {"de": {"type": "string", "minLength": 1}, "en": {"type": "string"}}},
]}
_OPTION = {"type": "object", "required": ["value", "label"], "additionalProperties": False,
           "properties": {"value": {"type": "string", "pattern": r"^[a-z0-9_-]{1,60}$"}, "label": _TEXT}}
_FIELD = {
    "type": "object",
    "required": ["key", "type", "label"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "pattern": KEY},
        "type": {"enum": FIELD_TYPES},
        "label": _TEXT,
        "hint": _TEXT,
        "required": {"type": "boolean"},
        "condition": {"type": "string"},
        "options": {"type": "array", "minItems": 1, "items": _OPTION},
        "min": {"type": "number"},
        "max": {"type": "number"},
        "min_length": {"type": "integer", "minimum": 0},
        "max_length": {"type": "integer", "minimum": 1, "maximum": 5000},
        "pattern": {"type": "string"},
        "pattern_message": _TEXT,
        "min_date": {"type": "string"},
        "max_date": {"type": "string"},
        "prefill": {"enum": PREFILL_SOURCES},
        "autocomplete": {"type": "string", "pattern": r"^[a-z0-9 -]{1,60}$"},
    },
}
_STEP = {
    "type": "object",
    "required": ["key", "title", "fields"],
    "additionalProperties": False,
    "properties": {
        "key": {"type": "string", "pattern": KEY},
        "title": _TEXT,
        "intro": _TEXT,
        "condition": {"type": "string"},
        "fields": {"type": "array", "minItems": 1, "items": _FIELD},
    },
}
_FEE = {
    "type": "object",
    "required": ["kind"],
    "additionalProperties": False,
    "properties": {
        "kind": {"enum": ["none", "fixed", "per_quantity"]},
        "amount_cents": {"type": "integer", "minimum": 0},
        "quantity_field": {"type": "string", "pattern": KEY},
        "first_cents": {"type": "integer", "minimum": 0},
        "further_cents": {"type": "integer", "minimum": 0},
        "purpose": {"type": "string", "minLength": 1, "maxLength": 27},
        "note": {"type": "object", "required": ["de"], "additionalProperties": False,
                 "properties": {"de": {"type": "string"}, "en": {"type": "string"}}},
    },
}
DEFINITION_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["slug", "title", "case_type", "steps"],
    "additionalProperties": False,
    "properties": {
        "slug": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9-]{1,79}$"},
        "title": _TEXT,
        "intro": _TEXT,
        "service": {"type": "string", "pattern": r"^\d{14}$"},
        "trust_level": {"enum": TRUST_LEVELS},
        "case_type": {
            "type": "object",
            "required": ["code", "name", "department"],
            "additionalProperties": False,
            "properties": {
                "code": {"type": "string", "pattern": r"^[a-z0-9_-]{2,40}$"},
                "name": {"type": "string", "minLength": 1},
                "department": {"type": "string", "pattern": r"^[a-z0-9_-]{2,40}$"},
                "deadline_working_days": {"type": "integer", "minimum": 1, "maximum": 365},
                # Days a closed case is kept before it is anonymised (cases.retention); 30 days to 30 years.
                "retention_days": {"type": "integer", "minimum": 30, "maximum": 10950},
                "legal_basis": {"type": "string"},
            },
        },
        "fee": _FEE,
        "steps": {"type": "array", "minItems": 1, "items": _STEP},
    },
}

_MESSAGES = {
    "required": "Pflichtangabe fehlt: {detail}",
    "enum": "Wert nicht erlaubt; erlaubt sind: {detail}",
    "type": "Falscher Typ; erwartet: {detail}",
    "additionalProperties": "Unbekannte Angabe: {detail}",
    "pattern": "Format ungültig (Muster {detail})",
    "minItems": "Mindestens {detail} Einträge nötig",
    "minLength": "Darf nicht leer sein",
    "maxLength": "Zu lang (höchstens {detail} Zeichen)",
    "minimum": "Zu klein (mindestens {detail})",
    "maximum": "Zu groß (höchstens {detail})",
    "oneOf": "Erwartet wird ein Text oder {{\"de\": …, \"en\": …}}",
}


class DefinitionError(ValueError):
    """A definition is invalid; ``errors`` lists German messages, each starting with its path."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def _path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(Wurzel)"


def _schema_errors(definition: Any) -> list[str]:
    validator = jsonschema.Draft202012Validator(DEFINITION_SCHEMA)
    errors = []
    for error in sorted(validator.iter_errors(definition), key=lambda e: list(map(str, e.absolute_path))):
        kind = error.validator
        if kind == "required":
            detail = error.message.split("'")[1] if "'" in error.message else error.message
        elif kind == "additionalProperties":
            detail = ", ".join(sorted(set(error.instance) - set(error.schema.get("properties", {}))))
        elif kind in ("enum",):
            detail = ", ".join(map(str, error.validator_value))
        else:
            detail = str(error.validator_value)
        template = _MESSAGES.get(str(kind), "{detail}")
        errors.append(f"{_path(error.absolute_path)}: {template.format(detail=detail)}")
    return errors


def validate(definition: Any) -> None:
    """Raise DefinitionError with every problem found (structure first, then meaning)."""
    errors = _schema_errors(definition)
    if errors:
        raise DefinitionError(errors)
    errors = _semantic_errors(definition)
    if errors:
        raise DefinitionError(errors)


def _semantic_errors(definition: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    seen_steps: set[str] = set()
    earlier_fields: dict[str, dict[str, Any]] = {}
    for s, step in enumerate(definition["steps"]):
        where = f"steps[{s}]"
        if step["key"] in seen_steps:
            errors.append(f"{where}.key: Schritt „{step['key']}“ ist doppelt.")
        seen_steps.add(step["key"])
        errors += _condition_errors(f"{where}.condition", step.get("condition"), earlier_fields)
        step_fields: dict[str, dict[str, Any]] = {}
        for f, field in enumerate(step["fields"]):
            fwhere = f"{where}.fields[{f}]"
            if field["key"] in earlier_fields or field["key"] in step_fields:
                errors.append(f"{fwhere}.key: Feld „{field['key']}“ ist doppelt.")
            # Conditions read only earlier steps, so every page is complete without JavaScript.
            errors += _condition_errors(f"{fwhere}.condition", field.get("condition"), earlier_fields)
            errors += _field_errors(fwhere, field)
            step_fields[field["key"]] = field
        earlier_fields.update(step_fields)
    fee = definition.get("fee") or {"kind": "none"}
    if fee["kind"] == "fixed" and "amount_cents" not in fee:
        errors.append("fee.amount_cents: Pflichtangabe bei kind „fixed“.")
    if fee["kind"] == "per_quantity":
        for key in ("quantity_field", "first_cents", "further_cents"):
            if key not in fee:
                errors.append(f"fee.{key}: Pflichtangabe bei kind „per_quantity“.")
        target = earlier_fields.get(fee.get("quantity_field", ""))
        if fee.get("quantity_field") and (target is None or target["type"] != "number"):
            errors.append(f"fee.quantity_field: „{fee['quantity_field']}“ ist kein Zahlenfeld des Formulars.")
    if fee["kind"] != "none" and "purpose" not in fee:
        errors.append("fee.purpose: Verwendungszweck (höchstens 27 Zeichen) fehlt.")
    return errors


def _condition_errors(where: str, expression: str | None, known: dict[str, Any]) -> list[str]:
    if not expression:
        return []
    try:
        node = conditions.parse(expression)
    except conditions.ConditionError as exc:
        return [f"{where}: {exc}"]
    unknown = sorted(conditions.names(node) - set(known))
    if unknown:
        return [f"{where}: unbekannte Felder {', '.join(unknown)} (Bedingungen dürfen nur Felder früherer "
                "Schritte verwenden)."]
    return []


def _field_errors(where: str, field: dict[str, Any]) -> list[str]:
    errors = []
    kind = field["type"]
    if kind in ("select", "radio") and not field.get("options"):
        errors.append(f"{where}.options: Auswahlfelder brauchen Optionen.")
    if field.get("options") and kind not in ("select", "radio"):
        errors.append(f"{where}.options: nur bei select und radio erlaubt.")
    if "pattern" in field:
        try:
            re.compile(field["pattern"])
        except re.error as exc:
            errors.append(f"{where}.pattern: kein gültiger regulärer Ausdruck ({exc}).")
    for bound in ("min_date", "max_date"):
        if bound in field:
            if kind != "date":
                errors.append(f"{where}.{bound}: nur bei Datumsfeldern erlaubt.")
            try:
                dates.resolve(field[bound], dates.date(2000, 1, 1))
            except dates.DateSpecError as exc:
                errors.append(f"{where}.{bound}: {exc}")
    if ("min" in field or "max" in field) and kind != "number":
        errors.append(f"{where}: min/max nur bei Zahlenfeldern erlaubt.")
    if "min" in field and "max" in field and field["min"] > field["max"]:
        errors.append(f"{where}: min ist größer als max.")
    return errors
