"""Runs of template nodes whose output depends only on the language and URL configuration, rendered once per
process for each combination (settings: TEMPLATES loaders, ADR 0090).

base.html alone has ~30 such nodes around the per-request parts: literal text, ``{% translate "literal" %}``,
``{% url 'name' %}`` without arguments and ``{% static 'path' %}``. Each already has a cheap node
(core/templatetags), but every node still costs its own lookups of the active language, URL configuration and
script prefix on each request. When a template is loaded, this loader replaces every run of consecutive such
nodes (at least one of them not plain text) by one node that renders the run as Django would and remembers the
result per language, URL configuration, script prefix, current app and autoescaping: the only inputs of those
nodes. Anything that reads the context, the request, the user or the CSRF token is never part of a run. The
memo is dropped whenever a setting changes (tests).

A loaded template's top-level node list also remembers its ``{% block %}`` nodes: Django's ``ExtendsNode``
walks the whole parent template for them on every render of a child (~470 Python calls per page that extends
base.html), though a loaded template never changes.
"""

from typing import Any

from django.core.signals import setting_changed
from django.template import Template
from django.template.base import Node, NodeList, TextNode
from django.template.defaulttags import IfNode
from django.template.loader_tags import BlockNode
from django.template.loaders import cached
from django.templatetags.static import StaticNode
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from .templatetags.fast_i18n import LiteralTranslateNode
from .templatetags.fast_url import MemoURLNode, url_inputs

_generation = 0  # part of every memo key; a setting change makes all remembered output unreachable
_MAX_PER_RUN = 64  # a bound, should the script prefix ever come from outside


def _forget(**kwargs: Any) -> None:
    global _generation
    _generation += 1


setting_changed.connect(_forget, dispatch_uid="smartcity.core.templatefold")


def _constant(node: Node) -> bool:
    """Whether the node's output depends on nothing but the memo key (and writes nothing into the context)."""
    kind = type(node)
    if kind is TextNode or kind is MemoURLNode:
        return True
    if kind is LiteralTranslateNode:
        return node.asvar is None
    if kind is StaticNode:
        return node.varname is None and isinstance(node.path.var, str) and not node.path.filters
    return False


class ConstantRunNode(Node):
    """Consecutive constant nodes, rendered once per key."""

    child_nodelists = ("nodelist",)

    def __init__(self, nodes: list[Node]) -> None:
        self.nodelist = NodeList(nodes)
        self.token, self.origin = nodes[0].token, nodes[0].origin  # for Django's error pages
        self._rendered: dict[tuple, SafeString] = {}

    def render(self, context: Any) -> SafeString:
        key = (_generation, get_language(), url_inputs(context), context.autoescape)
        output = self._rendered.get(key)
        if output is None:
            output = self.nodelist.render(context)
            if len(self._rendered) >= _MAX_PER_RUN:
                self._rendered.clear()
            self._rendered[key] = output
        return output


def fold(nodelist: NodeList) -> None:
    """Replace the runs of constant nodes in ``nodelist`` and in every nodelist below it, in place."""
    folded: list[Node] = []
    run: list[Node] = []
    for node in [*nodelist, None]:
        if node is not None and _constant(node):
            run.append(node)
            continue
        if any(type(n) is not TextNode for n in run):
            folded.append(ConstantRunNode(run))
        else:
            folded.extend(run)
        run = []
        if node is not None:
            folded.append(node)
            for child in _child_nodelists(node):
                fold(child)
    nodelist[:] = folded


def _child_nodelists(node: Node) -> list[NodeList]:
    if isinstance(node, ConstantRunNode):
        return []  # folded already (the cached loader can hand out one template under two keys)
    if isinstance(node, IfNode):
        return [nodelist for _, nodelist in node.conditions_nodelists]
    return [value for value in vars(node).values() if isinstance(value, NodeList)]


class TemplateNodeList(NodeList):
    """A loaded (and folded) template's top-level nodes, which no longer change: the block nodes below them
    are looked up once."""

    _blocks: list[Node] | None = None

    def get_nodes_by_type(self, nodetype: type[Node]) -> list[Node]:
        if nodetype is not BlockNode:
            return super().get_nodes_by_type(nodetype)
        if self._blocks is None:
            self._blocks = super().get_nodes_by_type(BlockNode)
        return list(self._blocks)  # the caller's own list, as Django's


class Loader(cached.Loader):
    """Django's cached loader; a template is folded once, when it is first loaded."""

    def get_template(self, template_name: str, skip: list | None = None) -> Template:
        first = self.cache_key(template_name, skip) not in self.get_template_cache
        template = super().get_template(template_name, skip)
        if first:
            fold(template.nodelist)
            nodelist = TemplateNodeList(template.nodelist)
            nodelist.contains_nontext = template.nodelist.contains_nontext
            template.nodelist = nodelist
        return template
