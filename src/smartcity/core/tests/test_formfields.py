"""core/formfields.py: a form's field copies are those of copy.deepcopy, and the forms render and validate alike."""

import copy
from typing import Any

import pytest
from django import forms
from django.template import engines
from django.utils import translation
from django.utils.functional import Promise

from smartcity.backoffice.forms import (
    AssignForm,
    DecideForm,
    ExtendForm,
    NoteForm,
    QueueFilter,
    StaffMessageForm,
    TransitionForm,
)
from smartcity.cases.forms import KernForm, MessageForm
from smartcity.core.formfields import FieldCopies, copy_field
from smartcity.core.tests.test_formrenderer import DATA, EveryWidget

FORMS = [QueueFilter, AssignForm, DecideForm, ExtendForm, NoteForm, StaffMessageForm, TransitionForm, MessageForm]


class Shared(forms.Form):
    """Corner cases of deepcopy's memo: a list of choices used twice and a widget instance shared by two fields."""
    widget = forms.TextInput(attrs={"size": 3})
    one = forms.CharField(widget=widget)
    two = forms.CharField(widget=widget)
    pair = forms.ChoiceField(choices=[("a", [("1", "x"), ("2", "y")]), ("b", [("3", "z")])])


Shared.base_fields["two"].widget = Shared.base_fields["one"].widget
Shared.base_fields["pair"]._choices.append(("c", Shared.base_fields["pair"]._choices[0][1]))


def _assert_same_copy(fast: Any, deep: Any, original: Any, seen: dict[int, int]) -> None:
    """``fast`` and ``deep`` (copies of ``original``) have the same types, values and identities: an object
    deepcopy kept is kept, one it copied is copied (once, as often as deepcopy shares the copy)."""
    assert type(fast) is type(deep)
    if deep is original:
        assert fast is original
        return
    assert fast is not original or isinstance(original, str | int | Promise | type(None))
    if id(deep) in seen:
        assert seen[id(deep)] == id(fast)
        return
    seen[id(deep)] = id(fast)
    if isinstance(deep, dict):
        assert list(fast) == list(deep)
        for key in deep:
            _assert_same_copy(fast[key], deep[key], original[key], seen)
    elif isinstance(deep, list | tuple):
        assert len(fast) == len(deep)
        for a, b, c in zip(fast, deep, original, strict=True):
            _assert_same_copy(a, b, c, seen)
    elif isinstance(deep, forms.Field | forms.Widget):
        _assert_same_copy(vars(fast), vars(deep), vars(original), seen)
    elif type(deep).__eq__ is not object.__eq__:  # e.g. a queryset, copied by Django's own __deepcopy__ in both
        assert fast == deep


@pytest.mark.parametrize("form_class", [*FORMS, EveryWidget, Shared])
def test_copies_are_those_of_deepcopy(form_class):
    original = dict(form_class.base_fields)
    deep = copy.deepcopy(original)
    fast = copy.deepcopy(FieldCopies(original))
    assert type(fast) is dict
    _assert_same_copy(fast, deep, original, {})


def test_only_plain_fields_take_the_short_way():
    """Fields and widgets with their own copying (a queryset, subfields, subwidgets) are deep-copied by Django."""
    fields = {**AssignForm.base_fields, **EveryWidget.base_fields}
    for name in ("assignee", "split", "time"):
        memo: dict[int, Any] = {}
        assert copy_field(fields[name], memo) is memo[id(fields[name])]
    copied = copy.deepcopy(FieldCopies(fields))
    assert copied["assignee"].queryset is not fields["assignee"].queryset
    assert copied["split"].fields[0] is not fields["split"].fields[0]
    assert copied["split"].widget.widgets[0] is not fields["split"].widget.widgets[0]


def test_instances_do_not_share_what_they_change(db):
    first, second = QueueFilter(user=None, department_ids=[]), QueueFilter(user=None, department_ids=[])
    first.fields["sort"].choices = [("x", "X")]
    first.fields["q"].widget.attrs["aria-invalid"] = "true"
    first.fields["q"].error_messages["required"] = "!"
    first.fields["q"].validators.append(len)
    assert [value for value, _ in second.fields["sort"].choices] == ["eingang", "frist", "aktenzeichen"]
    assert [value for value, _ in second.fields["sort"].widget.choices] == ["eingang", "frist", "aktenzeichen"]
    assert "aria-invalid" not in second.fields["q"].widget.attrs
    assert "aria-invalid" not in QueueFilter.base_fields["q"].widget.attrs
    assert second.fields["q"].error_messages == QueueFilter.base_fields["q"].error_messages
    assert len(second.fields["q"].validators) == len(QueueFilter.base_fields["q"].validators)


def _render(form: KernForm) -> str:
    return engines["django"].from_string(
        "{% load kern_forms %}{% for field in form %}{% kern_field field %}{% endfor %}{{ form.errors }}"
    ).render({"form": form})


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("data", [None, {}, {"status": "<", "department": "9", "q": "x" * 101, "sort": "frist",
                                             "body": "", "outcome": "rejected", "working_days": "0"}, DATA[2]])
def test_forms_render_and_validate_as_with_deepcopy(db, monkeypatch, language, data):
    def forms_() -> list[KernForm]:
        made = [form_class(data) for form_class in FORMS if form_class not in (QueueFilter, AssignForm)]
        made.append(QueueFilter(data, user=None, department_ids=[]))
        for form in made:
            form.is_valid() if data is not None else None
        return made

    with translation.override(language):
        fast = [(_render(form), form.errors, form.cleaned_data if data else None) for form in forms_()]
        for form_class in FORMS:
            monkeypatch.setattr(form_class, "base_fields", dict(form_class.base_fields))
        assert [(_render(form), form.errors, form.cleaned_data if data else None) for form in forms_()] == fast
