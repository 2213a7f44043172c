"""Meine Anträge's table rows, built in Python: the list is one of the portal's busiest pages, and the template
engine spent most of its render on the row loop (a ``{% url %}`` with an argument, four lookups, a date filter
and a translated badge per row). The markup is the loop's, byte for byte (portal/tests/test_list_rows.py)."""

from collections.abc import Iterable

from django import template
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from smartcity.cases.models import Case
from smartcity.core.html import conditional_escape, escape, url_for_each

register = template.Library()


@register.simple_tag
def case_rows(cases: Iterable[Case]) -> SafeString:
    """The ``<tr>`` elements of the citizen's case table; ``cases`` carry ``open_question`` and their CaseType."""
    detail_url = url_for_each("portal:detail")
    tz = timezone.get_current_timezone()
    waiting = f' <span class="kern-badge kern-badge--warning">{escape(gettext("Ihre Antwort wird benötigt"))}</span>'
    return SafeString("".join(
        f'\n    <tr>\n      <td><a class="kern-link" href="{detail_url(case.reference)}">{escape(case.title)}</a></td>'
        f"\n      <td>{conditional_escape(str(case.status_label))}{waiting if case.open_question else ''}</td>"
        f"\n      <td>{case.received_at.astimezone(tz):%d.%m.%Y}</td>\n      <td>{escape(case.reference)}</td>"
        f"\n    </tr>\n  " for case in cases))
