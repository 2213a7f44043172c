"""``{% url 'name' %}`` without arguments, reversed once: a builtin in place of Django's ``url`` tag.

base.html renders 14 ``{% url %}`` of argument-free names on every page; Django's tag resolves the name through
the resolver's namespaces on each call (~120 Python calls). This tag remembers the reversed URL per URL name,
URL configuration, script prefix, language and current app (the only inputs of ``reverse()`` without arguments);
the memo is cleared whenever a setting changes (tests) and holds at most one entry per URL name and combination.
Every other form of ``{% url %}`` (arguments, ``as var``, a variable name) is Django's node unchanged.
"""

from typing import Any

from django.core.signals import setting_changed
from django.template import Library
from django.template.base import FilterExpression
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = Library()
_urls: dict[tuple, str] = {}
_MAX_URLS = 2000  # a bound, should the script prefix ever come from outside


def _forget_urls(**kwargs: Any) -> None:
    _urls.clear()


setting_changed.connect(_forget_urls, dispatch_uid="smartcity.core.fast_url")


def current_app(request: Any) -> str | None:
    """The current app that Django's ``url`` tag passes to ``reverse()``."""
    try:
        return request.current_app
    except AttributeError:
        try:
            return request.resolver_match.namespace
        except AttributeError:
            return None


def url_inputs(context: Any) -> tuple[str | None, Any, str]:
    """The current app, URL configuration and script prefix of a render: the inputs of an argument-free
    ``reverse()`` besides the language. Read once per context (each costs thread-local look-ups): the handler
    sets them per request before any rendering, and no template tag changes them."""
    inputs = context.__dict__.get("_url_inputs")
    if inputs is None:
        inputs = context._url_inputs = (current_app(getattr(context, "request", None)), get_urlconf(),
                                         get_script_prefix())
    return inputs


class MemoURLNode(URLNode):
    """``{% url 'name' %}`` (a constant name, no arguments, no ``as``): reversed once per combination."""

    def render(self, context: Any) -> str:
        inputs = url_inputs(context)
        key = (self.view_name.var, inputs, get_language())
        url = _urls.get(key)
        if url is None:
            url = reverse(self.view_name.var, current_app=inputs[0])
            if len(_urls) >= _MAX_URLS:
                _urls.clear()
            _urls[key] = url
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser: Any, token: Any) -> URLNode:
    node = django_url(parser, token)
    if (not node.args and not node.kwargs and node.asvar is None and isinstance(node.view_name, FilterExpression)
            and not node.view_name.filters and isinstance(node.view_name.var, str)):
        node.__class__ = MemoURLNode  # the name is a literal: its value is .var
    return node
