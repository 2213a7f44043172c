"""{% url %} and {% translate %} of core/templatetags render exactly as Django's tags."""

import pytest
from django.template import Context, Engine
from django.template.loader import get_template
from django.test import RequestFactory, override_settings
from django.urls import NoReverseMatch, resolve
from django.utils import translation

from smartcity.core.templatetags import fast_url
from smartcity.core.templatetags.fast_i18n import LiteralTranslateNode
from smartcity.core.templatetags.fast_url import MemoURLNode


def engines() -> tuple[Engine, Engine]:
    """Django's tags, and the project's (created when the apps are ready)."""
    return (Engine(libraries={"i18n": "django.templatetags.i18n"}),
            Engine(builtins=["smartcity.core.templatetags.fast_url"],
                   libraries={"i18n": "smartcity.core.templatetags.fast_i18n"}))

SOURCE = """{% load i18n %}
<a href="{% url 'catalogue:list' %}">{% translate "Leistungen" %}</a>
<a href="{% url 'backoffice:case' 'DUS-2026-000001' %}">{% translate "Meine Anträge" as mine %}{{ mine }}</a>
{% url 'portal:list' as list_url %}{{ list_url }} {% url name %} {% url "core:home" %}
{% translate "Abmelden" noop %} {% translate "50 %% <b>fett</b>" %} {% translate "Hauptnavigation"|upper %}
{% translate "Mai" context "month name" %} {% translate "" %} {% translate variable %} {% trans "Postfach" %}
{% blocktranslate count counter=3 %}{{ counter }} Vorgang{% plural %}{{ counter }} Vorgänge{% endblocktranslate %}
{% get_current_language as LANG %}{{ LANG }} {{ "<x>"|safe }} {{ variable }}
"""


def _render(engine, language, autoescape, request=None):
    with translation.override(language):
        context = Context({"name": "portal:list", "variable": "Status <&>"}, autoescape=autoescape)
        context.request = request
        return engine.from_string(SOURCE).render(context)


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_same_output_as_djangos_tags(language, autoescape):
    fast_url._urls.clear()
    django, fast = engines()
    for _ in range(2):  # the second time from the memo
        assert _render(fast, language, autoescape) == _render(django, language, autoescape)
    request = RequestFactory().get("/backoffice/")
    request.resolver_match = resolve("/backoffice/")
    assert _render(fast, language, autoescape, request) == _render(django, language, autoescape, request)


def test_the_fast_nodes_are_used_only_for_the_simple_forms():
    nodes = engines()[1].from_string(SOURCE).nodelist
    memo = [n for n in nodes.get_nodes_by_type(MemoURLNode)]
    literal = [n for n in nodes.get_nodes_by_type(LiteralTranslateNode)]
    assert [n.view_name.var for n in memo] == ["catalogue:list", "core:home"]
    assert [n.msgid for n in literal] == ["Leistungen", "Meine Anträge", "50 %%%% <b>fett</b>", "", "Postfach"]


def test_script_prefix_is_part_of_the_memo_and_errors_are_djangos():
    from django.urls import set_script_prefix

    fast = engines()[1]
    template = fast.from_string("{% url 'catalogue:list' %}")
    try:
        set_script_prefix("/stadt/")
        assert template.render(Context()) == "/stadt/leistungen/"
    finally:
        set_script_prefix("/")
    assert template.render(Context()) == "/leistungen/"
    with pytest.raises(NoReverseMatch):
        fast.from_string("{% url 'gibt-es-nicht' %}").render(Context())


def test_url_inputs_are_read_once_per_context(monkeypatch):
    """The current app, URL configuration and script prefix are read at a context's first argument-free
    ``{% url %}``; included templates (also ``only``) see the same request, and a new context reads them anew."""
    reads = []
    monkeypatch.setattr(fast_url, "get_script_prefix", lambda: reads.append(1) or "/")
    request = RequestFactory().get("/backoffice/")
    request.resolver_match = resolve("/backoffice/")
    engine = Engine(builtins=["smartcity.core.templatetags.fast_url"], loaders=[(
        "django.template.loaders.locmem.Loader", {"part.html": "{% url 'core:home' %}{% url 'portal:list' %}"})])
    template = engine.from_string("{% url 'catalogue:list' %}{% include 'part.html' %}{% include 'part.html' only %}")
    context = Context()
    context.request = request
    assert template.render(context) == "/leistungen///meine-antraege///meine-antraege/"
    assert len(reads) == 1
    template.render(Context())
    assert len(reads) == 2


@override_settings(ROOT_URLCONF="smartcity.core.tests.urls_for_fast_tags")
def test_memo_is_cleared_when_settings_change():
    assert engines()[1].from_string("{% url 'catalogue:list' %}").render(Context()) == "/anders/"


def test_the_project_templates_use_them():
    base = get_template("base.html").template
    assert base.nodelist.get_nodes_by_type(MemoURLNode) and base.nodelist.get_nodes_by_type(LiteralTranslateNode)


def test_system_check_accepts_our_i18n_but_still_reports_other_duplicates():
    from django.template import engines

    from smartcity.core.templatebackend import ProjectTemplates

    assert engines["django"].check() == []
    other = ProjectTemplates({"NAME": "x", "DIRS": [], "APP_DIRS": False, "OPTIONS": {
        "libraries": {"i18n": "smartcity.core.templatetags.fast_i18n", "static": "django.templatetags.i18n"}}})
    assert [w.id for w in other.check()] == ["templates.W003"]
