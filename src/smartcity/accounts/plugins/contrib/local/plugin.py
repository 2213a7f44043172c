from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from ...base import LoginProvider
from ...registry import register


@register("local")
class LocalProvider(LoginProvider):
    """E-mail (or user name) and password. A confirmed e-mail address gives "basisregistrierung"."""

    label = _("Mit E-Mail-Adresse und Passwort anmelden")

    def start(self, request: HttpRequest, *, next_url: str, min_trust_level: str) -> HttpResponse:
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
