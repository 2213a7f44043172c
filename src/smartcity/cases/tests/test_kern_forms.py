"""{% kern_field %} renders exactly what cases/_field.html renders."""

import pytest
from django import forms
from django.template import engines
from django.utils import translation

from smartcity.backoffice.forms import DecideForm, ExtendForm, NoteForm, QueueFilter, StaffMessageForm, TransitionForm
from smartcity.cases.forms import KernForm, MessageForm
from smartcity.core.tests.test_formrenderer import EveryWidget

TEMPLATE = '{% for field in form %}{% include "cases/_field.html" %}{% endfor %}'
TAG = "{% load kern_forms %}{% for field in form %}{% kern_field field %}{% endfor %}"


class Hostile(KernForm):
    name = forms.CharField(label='Name <b>"&"</b>', help_text="Hilfe <i>&</i>", max_length=3)
    agree = forms.BooleanField(label="Einverstanden <&>")
    secret = forms.CharField(widget=forms.HiddenInput, required=False)


def _both(form):
    django = engines["django"]
    return [django.from_string(source).render({"form": form}) for source in (TEMPLATE, TAG)]


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("data", [None, {}, {"name": "<zu lang>", "outcome": "x", "working_days": "0", "status": "<",
                                             "department": "9", "to_status": "x", "body": "", "agree": ""}])
def test_kern_field_renders_as_the_template(db, language, data):
    with translation.override(language):
        for form in (QueueFilter(data, user=None, department_ids=[]), MessageForm(data), StaffMessageForm(data),
                     NoteForm(data), DecideForm(data), ExtendForm(data), TransitionForm(data), Hostile(data),
                     EveryWidget(data)):
            form.is_valid() if data is not None else None
            template, tag = _both(form)
            assert tag == template, type(form).__name__
