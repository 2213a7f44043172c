"""Django's i18n tag library with a faster ``{% translate "literal" %}`` (settings: TEMPLATES libraries "i18n").

Every page renders ~20 ``{% translate "literal" %}``; Django's node builds a lazy string, localises and escapes
it (~85 Python calls). Without filters, ``noop`` or ``context`` (with or without ``as var``) this node calls
``gettext`` directly: the result is the same safe string Django's node produces (template literals are safe
strings, so the translation is not escaped). Every other form, and all other tags and filters of the library,
are Django's.
"""

from typing import Any

from django.template import Library, Variable
from django.templatetags import i18n
from django.templatetags.i18n import TranslateNode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

register = Library()


class LiteralTranslateNode(TranslateNode):
    """``{% translate "literal" %}`` (optionally ``as var``): ``gettext`` of the literal, as Django renders it."""

    def __init__(self, node: TranslateNode) -> None:
        self.__dict__.update(node.__dict__)
        # Template literals are safe strings; Django doubles their percent signs before the lookup.
        self.msgid = SafeString(self.filter_expression.var.literal.replace("%", "%%"))

    def render(self, context: Any) -> str:
        value = mark_safe(gettext(self.msgid).replace("%%", "%"))
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


def _translate(parser: Any, token: Any) -> TranslateNode:
    node = i18n.do_translate(parser, token)
    var = node.filter_expression.var
    if (type(node) is TranslateNode and not node.noop and node.message_context is None
            and not node.filter_expression.filters and isinstance(var, Variable) and var.lookups is None
            and isinstance(var.literal, SafeString)):
        return LiteralTranslateNode(node)
    return node


# The rest of Django's i18n library as it is; translate/trans with the fast path.
register.tags.update({name: tag for name, tag in i18n.register.tags.items() if name not in ("translate", "trans")})
register.filters.update(i18n.register.filters)
register.tag("translate", _translate)
register.tag("trans", _translate)
