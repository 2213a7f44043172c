"""The Python widget rendering of FastWidgetRenderer gives the HTML of Django's widget templates, byte for byte."""

import datetime
import decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from smartcity.backoffice.forms import QueueFilter
from smartcity.core.formrenderer import FastWidgetRenderer

CHOICES = [("", gettext_lazy("alle Status")), (1, "Bürgerservice"), ("a&b", 'Müller <"&">'),
           ("x", mark_safe("<em>sicher</em>")), ("n", 42), ("d", datetime.date(2026, 12, 7)),
           (True, "wahr"), (decimal.Decimal("1.5"), "anderthalb")]
GROUPS = [("Gruppe <1>", [("g1", "Eins"), ("g2", "Zwei")]), ("solo", "Allein"), (gettext_lazy("Status"), [(3, "Drei")])]


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=10, help_text="Hilfe <b>", widget=forms.TextInput(attrs={"class": "k", "x": True,
                                                                                                "y": False, "z": 0}))
    optional = forms.CharField(required=False, label=gettext_lazy("Suche nach Aktenzeichen oder Name"))
    number = forms.IntegerField(min_value=1, max_value=120)
    amount = forms.DecimalField(localize=True, required=False)
    email = forms.EmailField(required=False)
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(required=False)
    file = forms.FileField(required=False)
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "data-x": mark_safe("a&amp;b")}))
    check = forms.BooleanField(required=False)
    check_value = forms.CharField(widget=forms.CheckboxInput, required=False)
    select = forms.ChoiceField(choices=CHOICES, required=False)
    typed = forms.TypedChoiceField(choices=[("", "–"), (1, "eins"), (2, "zwei")], coerce=int, required=False)
    groups = forms.ChoiceField(choices=GROUPS, required=False, disabled=False)
    multiple = forms.MultipleChoiceField(choices=GROUPS, required=False)
    nullbool = forms.NullBooleanField(required=False)
    disabled = forms.ChoiceField(choices=CHOICES, disabled=True, required=False)
    radio = forms.ChoiceField(choices=CHOICES[1:3], widget=forms.RadioSelect, required=False)
    area = forms.CharField(widget=forms.Textarea, required=False)
    split = forms.SplitDateTimeField(required=False)


DATA = [
    None,
    {},
    {"text": 'zu lang <&"\'> und mehr', "number": "0", "amount": "1,5", "email": "kein", "url": "x y",
     "password": "geheim", "hidden": "h&", "date": "2026-13-01", "time": "25:00", "search": "Müller",
     "check": "on", "check_value": "ja", "select": "a&b", "typed": "2", "groups": "g2", "multiple": ["g1", "3"],
     "nullbool": "true", "disabled": "x", "radio": "1", "area": "<text>", "split_0": "2026-12-07", "split_1": "x"},
    {"select": "<script>", "typed": "9", "groups": "solo", "multiple": ["solo"], "nullbool": "false", "text": "ok",
     "number": "5", "search": "s", "check": ""},
]


def _render(form_class, data, renderer, **kwargs):
    form = form_class(data, renderer=renderer, **kwargs)
    form.is_valid() if data is not None else None
    return [str(bound) for bound in form] + [form.as_div(), form.as_p()]


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("data", DATA)
def test_every_widget_renders_as_with_the_templates(data, language):
    with translation.override(language):
        fast = _render(EveryWidget, data, FastWidgetRenderer())
        slow = _render(EveryWidget, data, DjangoTemplates())
    assert fast == slow


def test_initial_values_and_localised_inputs_render_as_with_the_templates():
    initial = {"text": "Anfang", "number": 7, "amount": decimal.Decimal("1234.5"), "date": datetime.date(2026, 1, 2),
               "time": datetime.time(9, 30), "check": True, "select": 1, "multiple": ["g1", 3], "nullbool": None}
    for language in ("de", "en"):
        with translation.override(language):
            assert (_render(EveryWidget, None, FastWidgetRenderer(), initial=initial)
                    == _render(EveryWidget, None, DjangoTemplates(), initial=initial))


@pytest.mark.django_db
def test_queue_filter_renders_as_with_the_templates(django_assert_num_queries):
    from smartcity.cases.services import ensure_case_type

    case_type = ensure_case_type("hundesteuer-anmeldung", name="Hundesteuer <Anmeldung>", department_code="steueramt")
    for data in (None, {"status": "<x>", "department": "99", "q": "x" * 120, "mine": "on", "sort": "frist"},
                 {"case_type": str(case_type.pk), "department": str(case_type.department_id)}):
        forms_ = [QueueFilter(data, user=None, department_ids=[case_type.department_id], renderer=renderer)
                  for renderer in (FastWidgetRenderer(), DjangoTemplates())]
        rendered = [[str(bound) for bound in form] for form in forms_]
        assert rendered[0] == rendered[1]


def test_the_project_uses_it_and_overridden_templates_still_render():
    assert settings.FORM_RENDERER == "smartcity.core.formrenderer.FastWidgetRenderer"
    renderer = FastWidgetRenderer()
    assert set(renderer._fast) >= {"django/forms/widgets/select.html", "django/forms/widgets/text.html"}
    # A widget with its own template (not one of Django's) goes through that template.
    assert renderer.render("django/forms/widgets/textarea.html", {"widget": {
        "name": "n", "value": "v", "attrs": {}, "template_name": "django/forms/widgets/textarea.html"}}) == (
        '<textarea name="n">\nv</textarea>')


def test_only_widgets_with_localised_labels_or_other_templates_fall_back(monkeypatch):
    templates = []
    monkeypatch.setattr(DjangoTemplates, "render", lambda self, name, context, request=None: templates.append(name))
    [str(bound) for bound in EveryWidget(DATA[2], renderer=FastWidgetRenderer())]
    # The file field (its own template), the two selects whose labels include a number and a date, the radio
    # buttons, the textarea and the split field.
    assert templates == ["django/forms/widgets/clearable_file_input.html", "django/forms/widgets/select.html",
                         "django/forms/widgets/select.html", "django/forms/widgets/radio.html",
                         "django/forms/widgets/textarea.html", "django/forms/widgets/splitdatetime.html"]


@pytest.mark.parametrize("value", ["", "plain", "<a href=\"x\">O'Neil & Söhne</a>", mark_safe("<b>&amp;</b>"),
                                   gettext_lazy("Status")])
def test_fast_escaping_is_djangos(value):
    from django.utils import html as django_html

    from smartcity.core import html

    assert html.escape(value) == django_html.escape(value)
    assert html.conditional_escape(str(value)) == django_html.conditional_escape(str(value))
