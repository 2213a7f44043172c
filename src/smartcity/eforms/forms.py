"""Django forms built from a definition step, and the view model the templates render."""

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from . import dates, flow
from .models import localised
from .validators import is_valid_iban, normalise_iban

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def required_message(spec: dict[str, Any]) -> str:
    label = localised(spec["label"])
    if spec["type"] in ("select", "radio"):
        return _("Bitte wählen Sie aus: „%(label)s“.") % {"label": label}
    if spec["type"] == "checkbox":
        return _("Bitte bestätigen Sie: „%(label)s“.") % {"label": label}
    if spec["type"] == "file":
        return _("Bitte laden Sie hoch: „%(label)s“.") % {"label": label}
    return _("Bitte geben Sie „%(label)s“ an.") % {"label": label}


def _date_bounds(spec: dict[str, Any], today: date) -> list:
    def check(value: date) -> None:
        if not value:
            return
        if "min_date" in spec and value < dates.resolve(spec["min_date"], today):
            raise ValidationError(_("Das Datum darf nicht vor dem %(date)s liegen.")
                                  % {"date": dates.resolve(spec["min_date"], today).strftime("%d.%m.%Y")})
        if "max_date" in spec and value > dates.resolve(spec["max_date"], today):
            raise ValidationError(_("Das Datum darf nicht nach dem %(date)s liegen.")
                                  % {"date": dates.resolve(spec["max_date"], today).strftime("%d.%m.%Y")})
    return [check]


def _pattern(spec: dict[str, Any]) -> list:
    if "pattern" not in spec:
        return []
    regex = re.compile(spec["pattern"])
    message = localised(spec.get("pattern_message")) or _("Die Angabe hat nicht das erwartete Format.")

    def check(value: str) -> None:
        if value and not regex.fullmatch(value):
            raise ValidationError(message)
    return [check]


def _iban(value: str) -> None:
    if value and not is_valid_iban(value):
        raise ValidationError(_("Bitte geben Sie eine gültige IBAN an (z. B. DE89 3704 0044 0532 0130 00)."))


def django_field(spec: dict[str, Any], today: date) -> forms.Field:
    kind = spec["type"]
    common: dict[str, Any] = {"required": bool(spec.get("required")), "label": localised(spec["label"]),
                              "error_messages": {"required": required_message(spec)}}
    if kind in ("text", "textarea"):
        return forms.CharField(max_length=spec.get("max_length", 200 if kind == "text" else 5000),
                               min_length=spec.get("min_length"), validators=_pattern(spec), **common)
    if kind == "number":
        common["error_messages"]["invalid"] = _("Bitte geben Sie eine ganze Zahl an.")
        return forms.IntegerField(min_value=spec.get("min"), max_value=spec.get("max"), **common)
    if kind == "date":
        common["error_messages"]["invalid"] = _("Bitte geben Sie ein gültiges Datum an (TT.MM.JJJJ).")
        return forms.DateField(input_formats=DATE_FORMATS, validators=_date_bounds(spec, today), **common)
    if kind in ("select", "radio"):
        common["error_messages"]["invalid_choice"] = _("Bitte wählen Sie eine der angebotenen Möglichkeiten.")
        return forms.ChoiceField(choices=[(o["value"], localised(o["label"])) for o in spec["options"]], **common)
    if kind == "checkbox":
        return forms.BooleanField(**common)
    if kind == "email":
        common["error_messages"]["invalid"] = _("Bitte geben Sie eine gültige E-Mail-Adresse an.")
        return forms.EmailField(max_length=254, **common)
    if kind == "iban":
        return forms.CharField(max_length=42, validators=[_iban], **common)
    raise ValueError(kind)


def to_answer(spec: dict[str, Any], value: Any) -> Any:
    """Cleaned form value → JSON answer (dates as ISO strings)."""
    if isinstance(value, date):
        return value.isoformat()
    if spec["type"] == "iban" and value:
        return normalise_iban(value)
    return value


def to_form_value(spec: dict[str, Any], answer: Any) -> Any:
    if answer is None:
        return "" if spec["type"] != "checkbox" else False
    return answer


def build_form(step: dict[str, Any], answers: dict[str, Any], *, data: Any = None) -> forms.Form:
    """A form for the step's visible, non-upload fields. ``data`` binds it (POST or stored answers)."""
    today = timezone.localdate()
    fields = {spec["key"]: django_field(spec, today) for spec in flow.visible_fields(step, answers)
              if spec["type"] != "file"}
    form = forms.Form(data=data, initial={k: to_form_value(s, answers.get(k)) for k, s in _specs(step).items()})
    form.fields.update(fields)
    return form


def _specs(step: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {spec["key"]: spec for spec in step["fields"]}


def answers_as_data(step: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Stored answers as form data, to re-validate a step at submission."""
    data = {}
    for key, spec in _specs(step).items():
        value = answers.get(key)
        if spec["type"] == "checkbox":
            if value:
                data[key] = "on"
        elif value is not None:
            data[key] = str(value)
    return data


@dataclass
class FieldView:
    """Everything a template needs to render one field accessibly."""

    key: str
    type: str
    label: str
    hint: str
    required: bool
    value: Any
    options: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    upload_name: str = ""
    autocomplete: str = ""
    min: Any = None
    max: Any = None

    @property
    def id(self) -> str:
        return f"feld-{self.key}"

    @property
    def hint_id(self) -> str:
        return f"{self.id}-hinweis"

    @property
    def error_id(self) -> str:
        return f"{self.id}-fehler"

    @property
    def describedby(self) -> str:
        ids = [self.hint_id] if self.hint else []
        if self.errors:
            ids.append(self.error_id)
        if self.upload_name:
            ids.append(f"{self.id}-datei")
        return " ".join(ids)


def _german_date(value: Any) -> Any:
    """Stored ISO dates are shown as TT.MM.JJJJ; anything the applicant typed stays as typed."""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    return value


def field_views(step: dict[str, Any], answers: dict[str, Any], form: forms.Form,
                upload_errors: dict[str, list[str]]) -> list[FieldView]:
    views = []
    for spec in flow.visible_fields(step, answers):
        key = spec["key"]
        if spec["type"] == "file":
            stored = answers.get(key)
            value, errors = None, upload_errors.get(key, [])
            upload_name = stored.get("name", "") if isinstance(stored, dict) else ""
        else:
            bound = form[key]
            value, errors, upload_name = bound.value(), list(bound.errors), ""
            if spec["type"] == "date":
                value = _german_date(value)
        hint = localised(spec.get("hint"))
        if spec["type"] == "date":
            # A text field with a stated format: easier to type and to read aloud than a native date picker.
            hint = " ".join(filter(None, [hint, _("Format: TT.MM.JJJJ, zum Beispiel 17.05.1980")]))
        views.append(FieldView(
            key=key, type=spec["type"], label=localised(spec["label"]), hint=hint,
            required=bool(spec.get("required")), value=value, errors=errors, upload_name=upload_name,
            options=[(o["value"], localised(o["label"])) for o in spec.get("options", [])],
            autocomplete=spec.get("autocomplete", ""), min=spec.get("min"), max=spec.get("max"),
        ))
    return views
