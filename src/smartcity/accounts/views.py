import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import gdpr_registry, ratelimit, services
from .forms import DeleteAccountForm, EmailChangeForm, ProfileForm, RegistrationForm
from .models import TrustLevel, User
from .navigation import next_url_from
from .plugins import registry

DELETED_NOTES_KEY = "accounts.deletion_notes"


@never_cache
def step_up(request: HttpRequest) -> HttpResponse:
    """A service needs a higher trust level than the current login: offer providers that can deliver it."""
    level = request.GET.get("level", TrustLevel.SUBSTANTIAL)
    if level not in TrustLevel.values or not level:
        level = TrustLevel.SUBSTANTIAL
    next_url = next_url_from(request)
    if request.user.is_authenticated and request.user.has_trust(level):
        return redirect(next_url)
    providers = [p for p in registry.enabled() if p.identifier != "local" and p.can_provide(level)]
    return render(request, "accounts/step_up.html", {"level": TrustLevel(level), "providers": providers,
                                                     "next": next_url})


@never_cache
def provider_start(request: HttpRequest, identifier: str) -> HttpResponse:
    try:
        provider = registry.get(identifier)
    except KeyError:
        raise Http404
    level = request.GET.get("level", "")
    return provider.start(request, next_url=next_url_from(request),
                          min_trust_level=level if level in TrustLevel.values else "")


@sensitive_post_parameters("password1", "password2")
@never_cache
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not ratelimit.allow("register", ratelimit.client_ip(request),
                               limit=settings.ACCOUNTS_REGISTER_RATE_LIMIT, window_seconds=3600):
            form.add_error(None, _("Von Ihrem Anschluss wurden in kurzer Zeit sehr viele Konten angelegt. "
                                   "Bitte versuchen Sie es in einer Stunde erneut."))
            return render(request, "accounts/register.html", {"form": form}, status=429)
        if form.is_valid():
            data = form.cleaned_data
            existing = User.objects.filter(email__iexact=data["email"]).first()
            if existing is None:
                user = services.register_citizen(email=data["email"], first_name=data["first_name"],
                                                 last_name=data["last_name"], password=data["password1"])
                services.send_verification_mail(user)
            else:
                # Same answer either way, so the form does not reveal who has an account.
                send_mail(_("Registrierung im Digitalen Rathaus"),
                          render_to_string("accounts/email/already_registered.txt",
                                           {"site_url": settings.SITE_URL}),
                          None, [existing.email])
            request.session["accounts.registered_email"] = data["email"]
            return redirect("accounts:register_done")
    return render(request, "accounts/register.html", {"form": form})


def register_done(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/register_done.html",
                  {"email": request.session.get("accounts.registered_email", "")})


@never_cache
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    user = services.confirm_email(token)
    return render(request, "accounts/verify_email.html", {"verified_user": user}, status=200 if user else 400)


@require_http_methods(["GET", "POST"])
@ratelimit.limit_posts("resend-verification", limit=5, window_seconds=3600)
@never_cache
def resend_verification(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        email = request.POST.get("email", "").strip().lower()
        user = User.objects.filter(email__iexact=email, email_verified=False).first() if email else None
        if user is not None:
            services.send_verification_mail(user)
        request.session["accounts.registered_email"] = email
        return redirect("accounts:register_done")
    return render(request, "accounts/resend_verification.html")


@login_required
@never_cache
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = ProfileForm(request.POST if request.method == "POST" else None,
                       instance=User.objects.get(pk=user.pk))
    if request.method == "POST" and form.is_valid():
        editable = {n: form.cleaned_data[n] for n in form.fields if not form.fields[n].disabled}
        changed = services.update_profile(user, editable)
        messages.success(request, _("Ihre Angaben wurden gespeichert.") if changed
                         else _("Es gab keine Änderungen."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {
        "form": form, "auth_context": request.session.get(services.AUTH_CONTEXT_KEY, {}),
        "trust_label": TrustLevel(user.trust_level).label if user.trust_level in TrustLevel.values else "",
    })


@sensitive_post_parameters("password")
@login_required
@never_cache
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        # Each request sends a mail to an address of the caller's choosing.
        if not ratelimit.allow("email-change", str(request.user.pk), limit=5, window_seconds=3600):
            form.add_error(None, _("Zu viele Versuche. Bitte versuchen Sie es in einer Stunde erneut."))
        elif form.is_valid():
            email = form.cleaned_data["email"]
            services.request_email_change(request.user, email)
            messages.success(request, _("Wir haben einen Bestätigungslink an %(email)s gesendet. Ihre Adresse "
                                        "ändert sich, sobald Sie den Link öffnen.") % {"email": email})
            return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form})


@login_required
@never_cache
def email_change_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.confirm_email_change(request.user, token)
    except services.EmailChangeFailed as failure:
        return render(request, "accounts/email_change_failed.html", {"reason": str(failure)}, status=400)
    messages.success(request, _("Ihre neue E-Mail-Adresse ist bestätigt und gespeichert."))
    return redirect("accounts:profile")


@login_required
@never_cache
def data_export(request: HttpRequest) -> HttpResponse:
    """GDPR Art. 15/20: everything the platform holds about the signed-in person."""
    data = gdpr_registry.export_all(request.user)
    services.record_export(request.user)
    if request.GET.get("format") == "json":
        response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2, default=str),
                                content_type="application/json; charset=utf-8")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="meine-daten-{stamp}.json"'
        return response
    return render(request, "accounts/data_export.html", {"sections": data, "generated": timezone.now()})


@sensitive_post_parameters("password")
@login_required
@never_cache
def delete_account(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.needs_two_factor:
        messages.error(request, _("Konten von Mitarbeitenden werden von der IT-Administration gelöscht, nicht hier."))
        return redirect("accounts:profile")
    form = DeleteAccountForm(user, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not ratelimit.allow("delete-account", str(user.pk), limit=5, window_seconds=900):
            form.add_error(None, _("Zu viele Versuche. Bitte warten Sie 15 Minuten."))
        elif form.is_valid():
            logout(request)  # first, so the logout is recorded while the account still exists
            notes = services.delete_account(user)
            request.session[DELETED_NOTES_KEY] = notes
            return redirect("accounts:deleted")
    return render(request, "accounts/delete_account.html", {"form": form})


def account_deleted(request: HttpRequest) -> HttpResponse:
    notes = request.session.get(DELETED_NOTES_KEY)
    if notes is None:
        return redirect("core:home")
    return render(request, "accounts/account_deleted.html", {"notes": notes})
