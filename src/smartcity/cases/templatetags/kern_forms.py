"""``{% kern_field field %}``: the markup of ``cases/_field.html`` for one form field, written in Python.

``{% for field in form %}{% include "cases/_field.html" %}{% endfor %}`` costs ~350 Python calls per field in the
template engine; the back-office queue's filter form renders eight fields on every view. This tag gives the
template's output byte for byte (tests/test_kern_forms.py compares both for every widget and state); the
template stays the reference and serves the pages that include it.
"""

from typing import Any

from django import template
from django.forms import BoundField
from django.template.base import render_value_in_context
from django.template.defaultfilters import join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def kern_field(context: Any, field: BoundField) -> SafeString:
    def text(value: Any) -> str:
        return render_value_in_context(value, context)

    widget = text(field)
    if field.is_hidden:
        return SafeString(f"{widget}\n")
    auto_id, label = text(field.auto_id), text(field.label)
    errors = field.errors
    error_text = join(errors, SafeString(" "), autoescape=context.autoescape) if errors else ""
    if field.widget_type == "checkbox":
        error = f'<p class="kern-error" id="{auto_id}_error">{error_text}</p>' if errors else ""
        return SafeString(f'\n<div class="kern-form-check">\n  {widget}\n  <label class="kern-label" for="{auto_id}">'
                          f"{label}</label>\n  {error}\n</div>\n")
    optional = ("" if field.field.required
                else f' <span class="kern-label__optional">– {gettext(SafeString("optional"))}</span>')
    help_text = (f'<div class="kern-hint" id="{auto_id}_helptext">{text(field.help_text)}</div>'
                 if field.help_text else "")
    error = f'<p class="kern-error" id="{auto_id}_error" role="alert">{error_text}</p>' if errors else ""
    if field.widget_type == "select":
        widget = f'<div class="kern-form-input__select-wrapper">{widget}</div>'
    return SafeString(f'\n<div class="kern-form-input{" kern-form-input--error" if errors else ""}">\n'
                      f'  <label class="kern-label" for="{auto_id}">{label}{optional}</label>\n'
                      f"  {help_text}\n  {error}\n  {widget}\n</div>\n")
