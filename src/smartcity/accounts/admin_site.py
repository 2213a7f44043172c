from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class SmartCityAdminSite(AdminSite):
    """Admin access needs staff status AND a session confirmed with a TOTP device.

    Sign-in goes through the portal login (password, then code), so there is one login with one lockout.
    """

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and request.user.is_verified()

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        next_url = request.GET.get("next") or reverse("admin:index")
        user = request.user
        if user.is_authenticated:
            if user.needs_two_factor and not user.is_verified():
                return redirect(f"{reverse('accounts:two_factor')}?{urlencode({'next': next_url})}")
            raise PermissionDenied  # signed in, but without admin rights
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")


class SmartCityAdminConfig(AdminConfig):
    """Installed instead of django.contrib.admin so ``admin.site`` is the TOTP-guarded site."""

    default_site = "smartcity.accounts.admin_site.SmartCityAdminSite"
