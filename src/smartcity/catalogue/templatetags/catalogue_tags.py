"""The catalogue search page's repeated markup, built in Python: the Lebenslage choices and the result cards.

The search is one of the portal's busiest pages, and the template engine spent most of its render in these two
loops (an ``{% if %}`` per choice; per card a URL reversed, lookups, a filter and the card's Lebenslagen). The
markup is the loops', byte for byte (catalogue/tests/test_list_markup.py)."""

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString
from django.utils.text import Truncator
from django.utils.translation import gettext

from smartcity.core.html import escape, url_for_each

from ..models import Category, Service

register = template.Library()
DESCRIPTION_WORDS = 30


@register.simple_tag
def category_options(categories: Iterable[Category], selected: str) -> SafeString:
    return SafeString("".join(
        f'<option value="{escape(c.slug)}"{" selected" if c.slug == selected else ""}>{escape(c.name)}</option>'
        for c in categories))


@register.simple_tag
def service_cards(services: Iterable[Service]) -> SafeString:
    """The ``<li>`` cards of a result page; ``services`` come with their Lebenslagen prefetched."""
    detail_url = url_for_each("catalogue:detail")
    online = ('<span class="kern-badge kern-badge--success"><span class="kern-label kern-label--small">'
              f'{escape(gettext("online verfügbar"))}</span></span>')
    return SafeString("".join(
        f'\n  <li class="kern-card catalogue-result">\n    <div class="kern-card__container">'
        f'\n      <div class="kern-card__header">\n        <h2 class="kern-heading-small"><a class="kern-link" '
        f'href="{detail_url(s.slug)}">{escape(s.name)}</a></h2>\n      </div>\n      <div class="kern-card__body">'
        f'\n        <p class="kern-body">{escape(Truncator(s.description).words(DESCRIPTION_WORDS, truncate=" …"))}'
        f'</p>\n        <p class="kern-body kern-body--small">\n          {online if s.online else ""}\n          '
        + "".join(f'<span class="catalogue-tag">{escape(c.name)}</span>' for c in s.categories.all())
        + "\n        </p>\n      </div>\n    </div>\n  </li>\n  " for s in services))
