"""A form's fields copied per instance without ``copy.deepcopy``'s generic machinery (ADR 0090).

Django's ``BaseForm.__init__`` gives every form instance ``copy.deepcopy(self.base_fields)``: the dispatch of
``deepcopy`` through ``copy.copy``, ``__reduce_ex__`` and ``_reconstruct`` for every field and widget, and the
recursion into every choice. The back-office queue's filter form spent ~650 Python calls per request on it.
``FieldCopies`` is the ``base_fields`` of ``FieldCopiesMetaclass``'s forms: its ``__deepcopy__`` does what
Django's ``Field.__deepcopy__``, ``ChoiceField.__deepcopy__``, ``Widget.__deepcopy__`` and
``ChoiceWidget.__deepcopy__`` do, directly, for fields and widgets that use exactly those methods and are plain
instances; any other field (e.g. ``ModelChoiceField``, ``MultiValueField``) is deep-copied by Django as before.
core/tests/test_formfields.py compares the copies with ``copy.deepcopy``'s.
"""

import copy
import functools
from typing import Any

from django.forms import ChoiceField, Field
from django.forms.forms import DeclarativeFieldsMetaclass
from django.forms.widgets import ChoiceWidget, Widget
from django.utils.functional import Promise

_FIELD_COPIES = (Field.__deepcopy__, ChoiceField.__deepcopy__)
_WIDGET_COPIES = (Widget.__deepcopy__, ChoiceWidget.__deepcopy__)
# deepcopy returns these types unchanged (not their subclasses, e.g. SafeString, which it copies).
_ATOMS = frozenset((str, int, float, bool, type(None)))


@functools.cache
def _plain(cls: type) -> bool:
    """Whether ``copy.copy`` of a ``cls`` instance is a new instance with the same ``__dict__`` entries."""
    return (cls.__new__ is object.__new__ and cls.__reduce_ex__ is object.__reduce_ex__
            and cls.__reduce__ is object.__reduce__ and cls.__getstate__ is object.__getstate__
            and not hasattr(cls, "__setstate__") and not hasattr(cls, "__copy__")
            and not any("__slots__" in vars(klass) for klass in cls.__mro__))


def _shallow(obj: Any) -> Any:
    """``copy.copy(obj)`` of a plain instance."""
    result = object.__new__(type(obj))
    result.__dict__.update(obj.__dict__)
    return result


def _copy_choices(value: Any, memo: dict[int, Any]) -> Any:
    """``copy.deepcopy(value, memo)`` for (nested) lists and tuples of strings, numbers and lazy strings."""
    kind = type(value)
    if kind is list:
        known = memo.get(id(value))
        if known is None:
            known = memo[id(value)] = []
            known.extend(_copy_choices(item, memo) for item in value)
        return known
    if kind is tuple:
        items = [_copy_choices(item, memo) for item in value]
        return value if all(a is b for a, b in zip(items, value, strict=True)) else tuple(items)
    if kind in _ATOMS or isinstance(value, Promise):  # a lazy string's __deepcopy__ returns itself
        return value
    return copy.deepcopy(value, memo)


def _start(obj: Any, memo: dict[int, Any], methods: tuple) -> tuple[Any, bool]:
    """The copy of ``obj`` and whether it is a new shallow copy that the caller completes as ``methods`` would;
    otherwise it is the memo's or Django's own deep copy."""
    known = memo.get(id(obj))
    if known is not None:
        return known, False
    cls = type(obj)
    if cls.__deepcopy__ not in methods or not _plain(cls):
        return copy.deepcopy(obj, memo), False
    result = memo[id(obj)] = _shallow(obj)
    return result, True


def copy_field(field: Field, memo: dict[int, Any]) -> Field:
    """``copy.deepcopy(field, memo)``."""
    result, fresh = _start(field, memo, _FIELD_COPIES)
    if not fresh:
        return result
    widget, fresh = _start(field.widget, memo, _WIDGET_COPIES)
    if fresh:
        widget.attrs = field.widget.attrs.copy()
        if type(widget).__deepcopy__ is ChoiceWidget.__deepcopy__:
            widget.choices = copy.copy(field.widget.choices)
    result.widget = widget
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    if type(field).__deepcopy__ is ChoiceField.__deepcopy__:
        result._choices = _copy_choices(field._choices, memo)
    return result


class FieldCopies(dict):
    """A form class's ``base_fields``, deep-copied field by field with ``copy_field``."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Field]:
        return {name: copy_field(field, memo) for name, field in self.items()}


class FieldCopiesMetaclass(DeclarativeFieldsMetaclass):
    """Django's form metaclass, with ``base_fields`` as ``FieldCopies``."""

    def __new__(mcs, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> type:
        new_class = super().__new__(mcs, name, bases, attrs)
        new_class.base_fields = FieldCopies(new_class.base_fields)
        return new_class
