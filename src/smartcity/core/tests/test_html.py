"""core.html: escaping as Django escapes, and URLs as reverse() and {% url %} write them."""

import pytest
from django.urls import reverse, set_script_prefix
from django.utils.html import conditional_escape as django_conditional_escape
from django.utils.html import escape as django_escape
from django.utils.safestring import mark_safe

from smartcity.core.html import conditional_escape, escape, url_for_each

VALUES = ["DUS-2026-000123", "a b", "äß?x#y", "A&B'C\"<d>", "50%", "~:@!$()*+,;=", "0", "x0y0"]


@pytest.mark.parametrize("value", VALUES + [None, 17])
def test_escape_is_djangos(value):
    assert escape(value) == django_escape(value)


def test_conditional_escape_keeps_safe_strings():
    assert conditional_escape(mark_safe("<b>")) == django_conditional_escape(mark_safe("<b>")) == "<b>"
    assert conditional_escape("<b>") == django_conditional_escape("<b>") == "&lt;b&gt;"


@pytest.mark.parametrize("viewname", ["portal:detail", "backoffice:case"])
@pytest.mark.parametrize("prefix", ["/", "/stadt & land/"])
def test_url_for_each_is_reverse_escaped(viewname, prefix):
    set_script_prefix(prefix)
    try:
        url = url_for_each(viewname)
        for value in VALUES:
            assert url(value) == django_escape(reverse(viewname, args=[value])), value
    finally:
        set_script_prefix("/")


def test_url_for_each_with_a_slug():
    assert url_for_each("catalogue:detail")("hund-anmelden") == reverse("catalogue:detail", args=["hund-anmelden"])
