"""HTML escaping and URLs for code that builds markup in Python on hot paths (list rows, form widgets)."""

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from django.urls import reverse

# The replacements of django.utils.html.escape (html.escape with quote=True), done by one C call.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def escape(value: Any) -> str:
    """``django.utils.html.escape`` returning a plain ``str``, without its lazy-string and SafeString wrapping."""
    return str(value).translate(_ESCAPES)


def conditional_escape(value: str) -> str:
    """``django.utils.html.conditional_escape`` of a string: safe strings (``__html__``) stay as they are."""
    html = getattr(value, "__html__", None)
    return html() if html is not None else value.translate(_ESCAPES)


# reverse() quotes the finished path with these characters kept (django.urls.resolvers, RFC 3986 sub-delims).
_URL_SAFE = "!$&'()*+,;=/~:@"
_SLOT = "0"  # matches the str, slug and int converters


def url_for_each(viewname: str) -> Callable[[str], str]:
    """``reverse(viewname, args=[value])``, escaped for an attribute, for the many values of one page: reversed
    once with a placeholder instead of once per value (~120 Python calls each). Only for patterns with one
    argument, at the end of the path, whose values always match its converter (slugs, case references): the
    converter is not checked per value. Call it per render, as reverse() depends on language and script prefix."""
    head, _, tail = reverse(viewname, args=[_SLOT]).rpartition(_SLOT)
    head, tail = escape(head), escape(tail)
    return lambda value: f"{head}{quote(value, safe=_URL_SAFE).translate(_ESCAPES)}{tail}"
