from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import URLPattern, path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ....models import TrustLevel
from ...base import LoginProvider
from ...registry import register


@register("bundid-simulator")
class BundIDSimulatorProvider(LoginProvider):
    """A local stand-in for BundID: a tester picks a person and a trust level instead of using an eID card.

    It hands the same ``VerifiedIdentity`` to the accounts services that a SAML BundID provider would build
    from the assertion (bPK2, names, date of birth, address, STORK-QAA level). Off in production.
    """

    label = _("Mit BundID anmelden (Simulator)")
    max_trust_level = TrustLevel.HIGH

    def is_enabled(self) -> bool:
        return settings.BUNDID_SIMULATOR_ENABLED

    def start(self, request: HttpRequest, *, next_url: str, min_trust_level: str) -> HttpResponse:
        query = urlencode({"next": next_url, "level": min_trust_level or TrustLevel.BASIC})
        return redirect(f"{reverse('accounts:bundid-simulator-login')}?{query}")

    def urlpatterns(self) -> list[URLPattern]:
        from .views import simulator_login

        return [path("", simulator_login, name="login")]
