"""HTML escaping for code that builds markup in Python on hot paths (queue rows, form widgets)."""

from typing import Any

# The replacements of django.utils.html.escape (html.escape with quote=True), done by one C call.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def escape(value: Any) -> str:
    """``django.utils.html.escape`` returning a plain ``str``, without its lazy-string and SafeString wrapping."""
    return str(value).translate(_ESCAPES)


def conditional_escape(value: str) -> str:
    """``django.utils.html.conditional_escape`` of a string: safe strings (``__html__``) stay as they are."""
    html = getattr(value, "__html__", None)
    return html() if html is not None else value.translate(_ESCAPES)
