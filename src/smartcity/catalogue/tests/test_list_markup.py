"""The catalogue search page's choices and result cards are built in Python (catalogue_tags): the page holds
exactly what the template loops they replace rendered, in German and English, with every value escaped."""

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from smartcity.catalogue.models import Category, Service

# The loops of catalogue/list.html before they became {% category_options %} and {% service_cards %}.
OPTIONS_LOOP = Template(
    '{% for category in categories %}<option value="{{ category.slug }}"{% if category.slug == selected_category %}'
    ' selected{% endif %}>{{ category.name }}</option>{% endfor %}')
CARDS_LOOP = Template("""{% load i18n %}<ul class="kern-list catalogue-results">
  {% for service in page.object_list %}
  <li class="kern-card catalogue-result">
    <div class="kern-card__container">
      <div class="kern-card__header">
        <h2 class="kern-heading-small"><a class="kern-link" href="{{ service.get_absolute_url }}">{{ service.name }}</a></h2>
      </div>
      <div class="kern-card__body">
        <p class="kern-body">{{ service.description|truncatewords:30 }}</p>
        <p class="kern-body kern-body--small">
          {% if service.online %}<span class="kern-badge kern-badge--success"><span class="kern-label kern-label--small">{% translate "online verfügbar" %}</span></span>{% endif %}
          {% for category in service.categories.all %}<span class="catalogue-tag">{{ category.name }}</span>{% endfor %}
        </p>
      </div>
    </div>
  </li>
  {% endfor %}
</ul>""")  # noqa: E501 - the template's lines as they were


@pytest.mark.parametrize("language", ["de", "en"])
@pytest.mark.parametrize("params", [{"category": "x-1"}, {"q": "hund"}, {"category": "umzug", "online": "1"},
                                    {"q": "gibtsnicht"}])
def test_choices_and_cards_are_the_template_loops(client, demo_catalogue, language, params):
    # Markup characters in every shown value, a long description (truncated) and a service without Lebenslage.
    lebenslage = Category.objects.create(slug="x-1", name_de='<i>Haus & "Hof"</i>', name_en="Home 'n' yard",
                                         position=99)
    service = Service.objects.order_by("name_de").first()
    service.name_de = service.name_en = "Hund <b>&</b> 'Katze'"
    service.description_de = service.description_en = " ".join(f"Wort{i} <&>" for i in range(40))
    service.save()
    service.categories.add(lebenslage)
    Service.objects.exclude(pk=service.pk).filter(online=True).first().categories.clear()
    response = client.get(reverse("catalogue:list"), params, HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    context = {key: response.context[key] for key in ("categories", "selected_category", "page")}
    with translation.override(language):
        assert OPTIONS_LOOP.render(Context(context)) in body
        if context["page"].object_list:
            assert CARDS_LOOP.render(Context(context)) in body
    assert ("Home &#x27;n&#x27; yard" if language == "en" else "&lt;i&gt;Haus &amp; &quot;Hof&quot;&lt;/i&gt;") in body


def test_a_card_shows_escaped_values_truncated_description_and_badge(client, demo_catalogue):
    service = Service.objects.filter(online=True).first()
    service.name_de = "Hund <b>&</b>"
    service.description_de = " ".join(f"w{i}" for i in range(31))
    service.save()
    body = client.get(reverse("catalogue:list"), {"q": "Hund"}).content.decode()
    assert f'href="/leistungen/{service.slug}/">Hund &lt;b&gt;&amp;&lt;/b&gt;</a>' in body
    assert " ".join(f"w{i}" for i in range(30)) + " …</p>" in body
    assert "online verfügbar" in body
