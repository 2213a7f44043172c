"""Django's form renderer with its most used widget templates rendered in Python (settings.FORM_RENDERER).

Every ``{{ field }}`` renders its widget through a template: ``select.html`` includes ``select_option.html`` per
choice and both include ``attrs.html``, ~100 Python calls per option. The back-office queue's filter form alone
spent ~9,000 calls per request on it. For the templates below, this renderer writes the same HTML itself, byte
for byte (core/tests/test_formrenderer.py compares both renderers over every widget and state); any other
template, and these too when an app overrides them, go through the templates as before.
"""

import datetime
import decimal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django.forms
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.safestring import SafeData

from .html import conditional_escape, escape

_WIDGETS = "django/forms/widgets/"
_INPUT_TEMPLATES = {f"{_WIDGETS}{name}.html" for name in (
    "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password", "search", "tel", "text",
    "time", "url", "input")}
_OPTION = f"{_WIDGETS}select_option.html"
_DJANGO_TEMPLATES = Path(django.forms.__file__).parent / "templates"
# {{ value }} formats these by the locale (formats.localize): left to the template.
_LOCALISED = (bool, int, float, decimal.Decimal, datetime.date, datetime.time)


def _text(value: Any) -> str:
    """``{{ value }}`` in an autoescaping template, for values the template would not localise."""
    if isinstance(value, _LOCALISED):
        raise _Fallback
    return conditional_escape(value if isinstance(value, str) else str(value))


def _formatted(value: Any) -> str:
    """``{{ value|stringformat:'s' }}`` in an autoescaping template."""
    try:
        text = "%s" % (str(value) if isinstance(value, tuple) else value)  # noqa: UP031 - the filter's own logic
    except (ValueError, TypeError):
        text = ""
    return text if isinstance(value, SafeData) else escape(text)


def _attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_formatted(value)}"')
    return "".join(out)


def _input(widget: dict[str, Any]) -> str:
    value = widget["value"]
    shown = f' value="{_formatted(value)}"' if value != None else ""  # noqa: E711 - the template's `!= None`
    return f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"{shown}{_attrs(widget["attrs"])}>'


def _option(option: dict[str, Any]) -> str:
    if option.get("template_name") != _OPTION:
        raise _Fallback
    return (f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>{_text(option["label"])}'
            "</option>\n")


def _select(widget: dict[str, Any]) -> str:
    out = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_text(group_name)}">')
        out.extend(f"\n  {_option(option)}" for option in group_choices)
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>")
    return "".join(out)


class _Fallback(Exception):  # noqa: N818 - control flow, not an error
    """The widget needs the template after all."""


class FastWidgetRenderer(DjangoTemplates):
    """``DjangoTemplates`` (Django's default renderer) with input and select widgets rendered in Python."""

    @cached_property
    def _fast(self) -> dict[str, Callable[[dict[str, Any]], str]]:
        fast = {name: _input for name in _INPUT_TEMPLATES} | {f"{_WIDGETS}select.html": _select}
        # An app may override a widget template (the engine has APP_DIRS): then that template renders.
        return {name: render for name, render in fast.items()
                if Path(self.get_template(name).origin.name).is_relative_to(_DJANGO_TEMPLATES)
                and (render is not _select
                     or Path(self.get_template(_OPTION).origin.name).is_relative_to(_DJANGO_TEMPLATES))}

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        render = self._fast.get(template_name)
        if render is not None and "widget" in context:
            try:
                return render(context["widget"])
            except _Fallback:
                pass
        return super().render(template_name, context, request)
