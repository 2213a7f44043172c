"""The second login step for staff: TOTP code entry and first-time enrolment. Failures count towards axes."""

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from . import services, twofactor
from .forms import TokenForm
from .models import User
from .navigation import next_url_from


def _waiting_user(request: HttpRequest) -> tuple[User, dict] | None:
    """The staff member between password and code: a parked login, or a session without verified device."""
    pending = services.pending_login(request)
    if pending:
        return pending
    user = request.user
    if user.is_authenticated and user.needs_two_factor and not user.is_verified():
        return user, {"provider": user.login_provider or "local", "next": next_url_from(request), "context": {}}
    return None


def _check_token(request: HttpRequest, user: User, device, form: TokenForm) -> bool:
    allowed, _details = device.verify_is_allowed()  # django-otp's back-off after wrong codes
    if allowed and device.verify_token(form.cleaned_data["otp_token"]):
        return True
    form.add_error("otp_token", _("Der Sicherheitscode ist nicht gültig. Bitte geben Sie den aktuellen Code aus "
                                  "Ihrer Authenticator-App ein.") if allowed else
                   _("Zu viele falsche Codes in kurzer Zeit. Bitte warten Sie einen Moment und geben Sie dann den "
                     "aktuellen Code ein."))
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)
    return False


@sensitive_post_parameters("otp_token")
@never_cache
def two_factor(request: HttpRequest) -> HttpResponse:
    waiting = _waiting_user(request)
    if waiting is None:
        return redirect("accounts:login")
    user, pending = waiting
    device = twofactor.confirmed_device(user)
    if device is None:
        return redirect("accounts:two_factor_enrol")
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, credentials=credentials)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid() and _check_token(request, user, device, form):
        services.finish_login(request, user, provider=pending["provider"], device=device,
                              auth_context=pending.get("context"))
        return redirect(pending["next"])
    return render(request, "accounts/two_factor.html", {"form": form})


@sensitive_post_parameters("otp_token")
@never_cache
def two_factor_enrol(request: HttpRequest) -> HttpResponse:
    waiting = _waiting_user(request)
    if waiting is None:
        return redirect("accounts:login")
    user, pending = waiting
    if twofactor.confirmed_device(user) is not None:
        return redirect("accounts:two_factor")
    credentials = {"username": user.get_username()}
    if AxesProxyHandler.is_locked(request, credentials):
        return get_lockout_response(request, credentials=credentials)
    device = twofactor.pending_device(user)
    form = TokenForm(request.POST if request.method == "POST" else None)
    if form.is_valid() and _check_token(request, user, device, form):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        services.record_enrolment(user, device)
        services.finish_login(request, user, provider=pending["provider"], device=device,
                              auth_context=pending.get("context"))
        return redirect(pending["next"])
    return render(request, "accounts/two_factor_enrol.html", {
        "form": form, "qr": twofactor.qr_data_uri(device), "secret": twofactor.secret_base32(device)})
