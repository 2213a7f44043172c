"""core/templatefold.py: folded templates render exactly as unfolded ones, in every language and URL setting."""

import re

import pytest
from django.conf import settings
from django.template import Context, Engine
from django.template.base import NodeList
from django.template.loader_tags import BlockNode
from django.test import RequestFactory, override_settings
from django.urls import resolve, reverse, set_script_prefix
from django.utils import translation

from smartcity.core.templatefold import ConstantRunNode, TemplateNodeList, fold

TEMPLATES = {
    "base.html": """{% load i18n static %}
<title>{% block title %}{% translate "Digitales Rathaus" %}{% endblock %}</title>
<link href="{% static 'smartcity/site.css' %}"><a href="{% url 'catalogue:list' %}">{% translate "Leistungen" %}</a>
{% if user %}<b>{{ user }}</b> <a href="{% url 'portal:list' %}">{% translate "Meine Anträge" %}</a>{% endif %}
{% block content %}{% endblock %}{% language "en" %}<i>{% translate "Abmelden" %}</i>{% endlanguage %}
<footer><a href="{% url 'core:imprint' %}">{% translate "Impressum" %} & {% translate "50 %% <b>fett</b>" %}</a>
</footer>""",
    "page.html": """{% extends "base.html" %}{% load i18n static %}
{% block content %}{% for x in items %}<li>{% translate "Postfach" %} {{ x }} {% url 'core:home' %}</li>{% endfor %}
{% translate "Stand" as stand %}{{ stand }} {% static 'x.css' as css %}{{ css }} {% url 'core:home' as home %}{{ home }}
{% autoescape off %}{% url 'catalogue:list' %}{% translate "Suchen" %}{% endautoescape %}{% include "part.html" %}
{% endblock %}""",
    "sub.html": """{% extends "page.html" %}{% block title %}Unter – {{ block.super }}{% endblock %}""",
    "part.html": """{% load i18n %}<p>{% translate "Datenschutz" %} {% url 'core:privacy' %}</p>""",
}


def _engine(loader: str) -> Engine:
    return Engine(loaders=[(loader, [("django.template.loaders.locmem.Loader", TEMPLATES)])],
                  builtins=["smartcity.core.templatetags.fast_url"],
                  libraries={"i18n": "smartcity.core.templatetags.fast_i18n", "static": "django.templatetags.static"})


def _render(engine: Engine, language: str, request=None, name: str = "page.html") -> str:
    with translation.override(language):
        context = Context({"user": "Anna <A>", "items": [1, 2]})
        context.request = request
        return engine.get_template(name).render(context)


@pytest.mark.parametrize("language", ["de", "en"])
def test_same_output_as_the_unfolded_template(language):
    folded, plain = _engine("smartcity.core.templatefold.Loader"), _engine("django.template.loaders.cached.Loader")
    request = RequestFactory().get("/backoffice/")
    request.resolver_match = resolve("/backoffice/")
    for other in ("en" if language == "de" else "de", language, language):  # the memo of the other language too
        assert _render(folded, other) == _render(plain, other)
    assert _render(folded, language, request) == _render(plain, language, request)
    try:
        set_script_prefix("/rathaus/")
        assert "/rathaus/leistungen/" in _render(folded, language) == _render(plain, language)
    finally:
        set_script_prefix("/")
    assert "/rathaus/" not in _render(folded, language)


def test_block_nodes_of_a_loaded_template_are_looked_up_once(monkeypatch):
    """ExtendsNode asks the root template for its blocks on every render: answered from the first walk, with
    the same nodes; two levels of {% extends %} and {{ block.super }} render as with Django's loader."""
    folded, plain = _engine("smartcity.core.templatefold.Loader"), _engine("django.template.loaders.cached.Loader")
    expected = {language: (_render(plain, language, name="sub.html"), _render(plain, language))
                for language in ("de", "en")}
    base = folded.get_template("base.html")
    assert isinstance(base.nodelist, TemplateNodeList)
    blocks = base.nodelist.get_nodes_by_type(BlockNode)
    assert [block.name for block in blocks] == ["title", "content"]
    assert _render(folded, "de", name="sub.html") == expected["de"][0]  # loads (and parses) every template
    walks = []
    walk = NodeList.get_nodes_by_type
    monkeypatch.setattr(NodeList, "get_nodes_by_type", lambda self, kind: walks.append(kind) or walk(self, kind))
    for language in ("de", "en", "de"):
        assert "Unter – " in _render(folded, language, name="sub.html") == expected[language][0]
        assert _render(folded, language) == expected[language][1]
    assert BlockNode not in walks
    again = base.nodelist.get_nodes_by_type(BlockNode)
    assert again == blocks and again is not blocks


def test_only_constant_nodes_are_folded():
    template = _engine("smartcity.core.templatefold.Loader").get_template("page.html")
    base = _engine("smartcity.core.templatefold.Loader").get_template("base.html")
    runs = [*template.nodelist.get_nodes_by_type(ConstantRunNode), *base.nodelist.get_nodes_by_type(ConstantRunNode)]
    folded = "".join(str(node.nodelist) for node in runs)
    assert len(runs) >= 6
    for kept in ("VariableNode", "ForNode", "IfNode", "BlockNode", "IncludeNode", "csrf"):
        assert kept not in folded
    # With "as", a tag writes into the context: never folded.
    assert all(node.asvar is None for run in runs for node in run.nodelist if hasattr(node, "asvar"))
    before = template.nodelist.get_nodes_by_type(ConstantRunNode)
    fold(template.nodelist)  # a second fold changes nothing
    assert template.nodelist.get_nodes_by_type(ConstantRunNode) == before


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["de", "en"])
def test_pages_render_as_with_djangos_loader(client, language):
    """The project's templates through the whole stack: the same HTML (but for the CSRF tokens, random per
    request) with the folding loader as with Django's cached loader."""
    plain = [{**settings.TEMPLATES[0], "OPTIONS": {
        **settings.TEMPLATES[0]["OPTIONS"], "loaders": [("django.template.loaders.cached.Loader", [
            "django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"])]}}]

    def pages() -> list[str]:
        token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
        return [token.sub("", client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode())
                for url in (reverse("core:home"), reverse("catalogue:list") + "?q=hund", reverse("core:imprint"))]

    folded = pages()
    with override_settings(TEMPLATES=plain):
        assert pages() == folded
