"""The queue's table rows, built in Python: the queue is the busiest back-office page, and the template
engine spent ~0.13 ms per row on its ~20 lookups, filters and ``{% url %}`` (6 ms for a page of 50)."""

from datetime import date
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from smartcity.cases.models import Case

register = template.Library()
_PLACEHOLDER = "0"


def _deadline(case: Case, today: date) -> SafeString:
    if case.closed_at:
        return SafeString("–")
    if case.suspended_since:
        return format_html('<span class="kern-badge kern-badge--info">{}</span>', gettext("ruht"))
    if case.due_date is None:
        return SafeString("")
    if case.due_date < today:
        return format_html('{} <span class="kern-badge kern-badge--danger">{}</span>',
                           f"{case.due_date:%d.%m.%Y}", gettext("überfällig"))
    return format_html("{}", f"{case.due_date:%d.%m.%Y}")


@register.simple_tag
def queue_rows(cases: list[Case], today: date) -> SafeString:
    # One reverse() for the page: the case URL differs only in the reference.
    head, _, tail = reverse("backoffice:case", args=[_PLACEHOLDER]).rpartition(_PLACEHOLDER)
    rows = []
    for case in cases:
        assignee = (case.assignee.get_full_name() or case.assignee.username) if case.assignee else "–"
        rows.append((head + quote(case.reference, safe="-") + tail, case.reference, case.case_type.name,
                     case.applicant_name or "–", case.status_label,
                     f"{timezone.localtime(case.received_at):%d.%m.%Y}", _deadline(case, today), assignee))
    return format_html_join(
        "\n", '<tr><td><a class="kern-link" href="{}">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>'
              "<td>{}</td><td>{}</td></tr>", rows)
