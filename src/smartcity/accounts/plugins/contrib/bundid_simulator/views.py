from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .... import ratelimit, services
from ....forms import SimulatorForm
from ....models import TrustLevel
from ....navigation import next_url_from
from ... import registry
from ...base import STORK_QAA, VerifiedIdentity
from .persons import PERSONS, Person, by_id

IDENTIFIER = "bundid-simulator"


def _label(person: Person) -> str:
    born = _("geb. %(date)s") % {"date": date_format(person["birth_date"], "d.m.Y")}
    return (f"{person['first_name']} {person['last_name']}, {born}, "
            f"{person['street']} {person['house_number']}, {person['postcode']} {person['city']}")


def identity_for(person: Person, trust_level: str) -> VerifiedIdentity:
    attributes = {k: person[k] for k in ("first_name", "last_name", "birth_date", "street", "house_number",
                                          "postcode", "city")}
    return VerifiedIdentity(
        provider=IDENTIFIER, external_id=person["bpk2"], trust_level=trust_level, attributes=attributes,
        auth_context={"source": IDENTIFIER, "levelOfAssurance": STORK_QAA[trust_level],
                      "identifier": {"type": "bPK2", "value": person["bpk2"]}},
    )


@never_cache
def simulator_login(request: HttpRequest) -> HttpResponse:
    try:
        registry.get(IDENTIFIER)
    except KeyError:
        raise Http404
    next_url = next_url_from(request)
    level = request.GET.get("level") or request.POST.get("level") or TrustLevel.BASIC
    if level not in STORK_QAA:
        level = TrustLevel.BASIC
    form = SimulatorForm([(p["bpk2"], _label(p)) for p in PERSONS],
                         data=request.POST if request.method == "POST" else None,
                         initial={"trust_level": max(level, TrustLevel.SUBSTANTIAL, key=TrustLevel.rank),
                                  "person": PERSONS[0]["bpk2"]})
    status = 200
    if request.method == "POST":
        if "cancel" in request.POST:
            messages.info(request, _("Die Anmeldung mit BundID wurde abgebrochen."))
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
        if not ratelimit.allow(IDENTIFIER, ratelimit.client_ip(request),
                               limit=settings.BUNDID_SIMULATOR_RATE_LIMIT, window_seconds=600):
            form.add_error(None, _("Zu viele Anmeldungen in kurzer Zeit. Bitte versuchen Sie es in einigen "
                                   "Minuten erneut."))
            status = 429
        elif form.is_valid():
            chosen = form.cleaned_data["trust_level"]
            if TrustLevel.rank(chosen) < TrustLevel.rank(level):
                form.add_error("trust_level", _("Dieser Vorgang verlangt mindestens das Vertrauensniveau "
                                                "„%(level)s“.") % {"level": TrustLevel(level).label})
            else:
                person = by_id(form.cleaned_data["person"])
                try:
                    return services.sign_in_with_identity(request, identity_for(person, chosen), next_url)
                except services.AccountDisabled:
                    form.add_error(None, _("Das Konto zu dieser Identität ist gesperrt. Bitte wenden Sie sich an "
                                           "den Bürgerservice."))
                    status = 403
                except services.IdentityConflict:
                    messages.error(request, _("Diese Identität ist bereits mit einem anderen Konto verknüpft. "
                                              "Bitte melden Sie sich mit jenem Konto an."))
                    return redirect("accounts:profile")
    return render(request, "accounts/bundid_simulator.html",
                  {"form": form, "next": next_url, "level": level, "level_label": TrustLevel(level).label},
                  status=status)
