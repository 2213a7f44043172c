"""Login-provider interface.

A provider proves who a person is. It either checks a local secret (the local provider) or hands the person
to an identity provider and gets verified attributes back (BundID via SAML, an OIDC broker such as Keycloak,
the local BundID simulator). The provider's own views end by calling
``smartcity.accounts.services.sign_in_with_identity(request, identity, next_url)``; account lookup, linking,
the second factor for staff and the audit trail are the same for every provider.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern

from ..models import TrustLevel


@dataclass(frozen=True)
class VerifiedIdentity:
    """What an identity provider confirmed about a person.

    ``external_id`` is the provider's stable pseudonym (BundID: bPK2). ``attributes`` holds profile values
    (keys from ``User.VERIFIABLE_FIELDS`` and ``email``) the provider vouches for; ``auth_context`` keeps the
    raw assurance data (e.g. STORK-QAA level, provider name) for the session and the audit log.
    """

    provider: str
    external_id: str
    trust_level: str
    attributes: dict[str, str | date] = field(default_factory=dict)
    auth_context: dict[str, Any] = field(default_factory=dict)


class LoginProvider(ABC):
    identifier: str = ""
    #: Button text on the login page, e.g. "Mit BundID anmelden".
    label: str = ""
    #: The highest trust level this provider can deliver; used to offer it for step-up.
    max_trust_level: str = TrustLevel.BASIC

    def is_enabled(self) -> bool:
        return True

    def can_provide(self, level: str) -> bool:
        return TrustLevel.rank(self.max_trust_level) >= TrustLevel.rank(level)

    @abstractmethod
    def start(self, request: HttpRequest, *, next_url: str, min_trust_level: str) -> HttpResponse:
        """Begin a login: render a form or redirect to the identity provider (e.g. a SAML AuthnRequest
        with RequestedAuthnContext ``minimum`` mapped from ``min_trust_level``)."""

    def urlpatterns(self) -> list[URLPattern]:
        """Callback routes (SAML ACS, OIDC redirect URI, simulator form), mounted under
        ``/konto/anmelden/<identifier>/`` with names ``accounts:<identifier>-<name>``."""
        return []


#: BundID expresses assurance as STORK-QAA levels in SAML (RequestedAuthnContext / AuthnContextClassRef).
STORK_QAA = {
    TrustLevel.BASIC: "STORK-QAA-Level-1",
    TrustLevel.SUBSTANTIAL: "STORK-QAA-Level-3",
    TrustLevel.HIGH: "STORK-QAA-Level-4",
}
