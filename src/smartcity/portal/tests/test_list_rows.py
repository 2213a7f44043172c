"""Meine Anträge's rows are built in Python (portal_tags.case_rows): the page holds exactly what the template
loop they replace rendered, in German and English, with every cell escaped."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from smartcity.accounts.testing import login_citizen
from smartcity.cases import services
from smartcity.cases.models import Case

# The loop of portal/list.html before it became {% case_rows %} (columns in today's order: the status second, so
# that a phone shows it beside the title).
TEMPLATE_LOOP = Template(
    """{% load i18n %}{% for case in page %}
    <tr>
      <td><a class="kern-link" href="{% url 'portal:detail' case.reference %}">{{ case.title }}</a></td>
      <td>{{ case.status_label }}{% if case.open_question %} <span class="kern-badge kern-badge--warning">{% translate "Ihre Antwort wird benötigt" %}</span>{% endif %}</td>
      <td>{{ case.received_at|date:"d.m.Y" }}</td>
      <td>{{ case.reference }}</td>
    </tr>
  {% endfor %}""")  # noqa: E501 - the template's lines as they were


@pytest.mark.parametrize("language", ["de", "en"])
def test_case_rows_are_the_template_loops_rows(client, citizen, case, case_type, caseworker, language):
    tricky = services.create_case(case_type=case_type, applicant=citizen, data={}, title='<b>Hund & "Rex"</b> \'1\'')
    # Received just before midnight UTC: the local date (Europe/Berlin) is the next day.
    Case.objects.filter(pk=tricky.pk).update(received_at="2026-03-01T23:30:00+00:00", status="genehmigt")
    services.send_message(case, sender=caseworker, body="Bitte Impfpass nachreichen.", is_question=True)
    login_citizen(client, citizen)
    response = client.get(reverse("portal:list"), HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    page = response.context["page"]
    assert len(page.object_list) == 2 and sum(c.open_question for c in page.object_list) == 1
    with translation.override(language):
        expected = TEMPLATE_LOOP.render(Context({"page": page}))
    assert f"<tbody>{expected}</tbody>" in body
    assert "&lt;b&gt;Hund &amp; &quot;Rex&quot;&lt;/b&gt; &#x27;1&#x27;" in body and "<td>02.03.2026</td>" in body
    assert ("Your answer is needed" if language == "en" else "Ihre Antwort wird benötigt") in body
