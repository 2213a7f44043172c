"""Account state changes: login, identity linking, registration, profile, deletion. Each writes an audit event."""

import secrets
import time
from typing import Any

import django_otp
from django.conf import settings
from django.contrib.auth import login
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartcity.audit.services import record

from .models import TrustLevel, User
from .plugins.base import VerifiedIdentity

PENDING_KEY = "accounts.pending_login"
AUTH_CONTEXT_KEY = "accounts.auth_context"
PENDING_MAX_AGE = 10 * 60  # seconds a password login waits for its second factor
VERIFY_SALT = "smartcity.accounts.verify-email"
VERIFY_MAX_AGE = 3 * 24 * 3600
EMAIL_CHANGE_SALT = "smartcity.accounts.change-email"
EMAIL_CHANGE_MAX_AGE = 24 * 3600


class IdentityConflict(Exception):
    """The verified identity already belongs to another account."""


class AccountDisabled(Exception):
    """The verified identity belongs to a deactivated account."""


def _backend() -> str:
    return settings.AUTHENTICATION_BACKENDS[-1]


def begin_login(request: HttpRequest, user: User, *, provider: str, next_url: str,
                auth_context: dict[str, Any] | None = None) -> HttpResponse:
    """Log the person in, or park the login until staff confirm their second factor."""
    if user.needs_two_factor:
        request.session[PENDING_KEY] = {"uid": user.pk, "provider": provider, "next": next_url,
                                        "context": auth_context or {}, "at": time.time()}
        return redirect("accounts:two_factor")
    finish_login(request, user, provider=provider, auth_context=auth_context)
    return redirect(next_url)


def pending_login(request: HttpRequest) -> tuple[User, dict[str, Any]] | None:
    """The user waiting for the second factor, if the password step happened recently."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_MAX_AGE:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending["uid"], is_active=True).first()
    return (user, pending) if user else None


def finish_login(request: HttpRequest, user: User, *, provider: str, device: TOTPDevice | None = None,
                 auth_context: dict[str, Any] | None = None) -> None:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=_backend())
    if device is not None:
        django_otp.login(request, device)
    if provider == "local" and not user.trust_level and user.email_verified:
        user.trust_level = TrustLevel.BASIC
    user.login_provider = provider
    user.save(update_fields=["login_provider", "trust_level"])
    context = {"provider": provider, "trust_level": user.trust_level, **(auth_context or {})}
    request.session[AUTH_CONTEXT_KEY] = context
    record(user, "accounts.login", user, provider=provider, trust_level=user.trust_level,
           second_factor=device is not None)


def _apply_identity(user: User, identity: VerifiedIdentity) -> None:
    for name, value in identity.attributes.items():
        if name in User.VERIFIABLE_FIELDS:
            setattr(user, name, value)
    verified = set(user.verified_fields) | {n for n in identity.attributes if n in User.VERIFIABLE_FIELDS}
    user.verified_fields = sorted(verified)
    user.external_id = identity.external_id
    if TrustLevel.rank(identity.trust_level) > TrustLevel.rank(user.trust_level):
        user.trust_level = identity.trust_level


@transaction.atomic
def sign_in_with_identity(request: HttpRequest, identity: VerifiedIdentity, next_url: str) -> HttpResponse:
    """End of every identity-provider login: link to the signed-in account (step-up) or find/create one.

    The account keeps the highest trust level its identity was verified at; the session's auth context
    records how the current login happened.
    """
    owner = User.objects.select_for_update().filter(external_id=identity.external_id).first()
    if request.user.is_authenticated:
        if owner is not None and owner.pk != request.user.pk:
            raise IdentityConflict(identity.external_id)
        user = User.objects.select_for_update().get(pk=request.user.pk)
        _apply_identity(user, identity)
        user.login_provider = identity.provider
        user.save()
        request.session[AUTH_CONTEXT_KEY] = {"provider": identity.provider, "trust_level": identity.trust_level,
                                             **identity.auth_context}
        record(user, "accounts.identity_linked", user, provider=identity.provider,
               trust_level=identity.trust_level)
        return redirect(next_url)
    if owner is None:
        owner = User(username=new_username(), is_active=True)
        owner.set_unusable_password()
        _apply_identity(owner, identity)
        if email := identity.attributes.get("email"):
            if not User.objects.filter(email__iexact=email).exists():
                owner.email, owner.email_verified = email, True
        owner.save()
        record(owner, "accounts.registered", owner, provider=identity.provider)
    elif not owner.is_active:
        raise AccountDisabled(identity.external_id)
    else:
        _apply_identity(owner, identity)
        owner.save()
    return begin_login(request, owner, provider=identity.provider, next_url=next_url,
                       auth_context={"trust_level": identity.trust_level, **identity.auth_context})


def new_username() -> str:
    """A pseudonymous user name: it ends up in audit labels, which outlive a deleted account."""
    while True:
        candidate = "konto-" + secrets.token_hex(5)
        if not User.objects.filter(username=candidate).exists():
            return candidate


@transaction.atomic
def register_citizen(*, email: str, first_name: str, last_name: str, password: str) -> User:
    """A new local account, inactive until the e-mail address is confirmed."""
    # Messages follow the language the person registered in until they choose another in the profile.
    user = User(username=new_username(), email=email.strip().lower(), first_name=first_name,
                last_name=last_name, is_active=False, language=translation.get_language() or settings.LANGUAGE_CODE)
    user.set_password(password)
    user.save()
    record(user, "accounts.registered", user, provider="local", privacy_notice_confirmed=True)
    return user


def verification_link(user: User) -> str:
    token = signing.dumps({"u": user.pk, "e": user.email}, salt=VERIFY_SALT)
    return settings.SITE_URL + reverse("accounts:verify_email", args=[token])


def send_verification_mail(user: User) -> None:
    context = {"user": user, "link": verification_link(user), "hours": VERIFY_MAX_AGE // 3600}
    send_mail(_("Bitte bestätigen Sie Ihre E-Mail-Adresse"),
              render_to_string("accounts/email/verify_email.txt", context),
              None, [user.email])


def confirm_email(token: str) -> User | None:
    """Activate the account the signed link was made for; None if the link is invalid or expired."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_MAX_AGE)
    except signing.BadSignature:
        return None
    user = User.objects.filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        return None
    if not user.email_verified or not user.is_active:
        user.email_verified = True
        user.is_active = True
        if not user.trust_level:
            user.trust_level = TrustLevel.BASIC
        user.save(update_fields=["email_verified", "is_active", "trust_level"])
        record(user, "accounts.email_verified", user)
    return user


class EmailChangeFailed(Exception):
    """A confirmation link for a new e-mail address cannot be used; the message says why (German)."""


def request_email_change(user: User, new_email: str) -> None:
    """Mail a confirmation link to the new address; the address changes only once it is confirmed.

    If another account already uses the address, its owner gets a notice instead of a link, so the form
    never reveals who has an account here."""
    context = {"user": user, "site_url": settings.SITE_URL, "hours": EMAIL_CHANGE_MAX_AGE // 3600}
    if User.objects.filter(email__iexact=new_email).exclude(pk=user.pk).exists():
        send_mail(_("E-Mail-Adresse im Digitalen Rathaus"),
                  render_to_string("accounts/email/change_email_taken.txt", context), None, [new_email])
    else:
        token = signing.dumps({"u": user.pk, "old": user.email or "", "new": new_email}, salt=EMAIL_CHANGE_SALT)
        context["link"] = settings.SITE_URL + reverse("accounts:email_change_confirm", args=[token])
        send_mail(_("Bitte bestätigen Sie Ihre neue E-Mail-Adresse"),
                  render_to_string("accounts/email/change_email.txt", context), None, [new_email])
    record(user, "accounts.email_change_requested", user)


@transaction.atomic
def confirm_email_change(user: User, token: str) -> str:
    """Switch the signed-in account to the address the link was sent to; returns the new address.

    The old address gets a notice, so a hijacked session cannot silently take over the account's mail."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise EmailChangeFailed(_("Der Bestätigungslink ist abgelaufen. Bitte ändern Sie die Adresse erneut.")) from exc
    except signing.BadSignature as exc:
        raise EmailChangeFailed(_("Der Bestätigungslink ist ungültig.")) from exc
    locked = User.objects.select_for_update().get(pk=user.pk)
    if data.get("u") != locked.pk:
        raise EmailChangeFailed(_("Dieser Link gehört zu einem anderen Konto. Bitte melden Sie sich mit dem "
                                  "Konto an, dessen Adresse Sie ändern wollten."))
    if (locked.email or "") != data.get("old"):
        raise EmailChangeFailed(_("Die E-Mail-Adresse wurde inzwischen schon geändert; dieser Link gilt nicht mehr."))
    new_email, old_email = data["new"], locked.email
    if User.objects.filter(email__iexact=new_email).exclude(pk=locked.pk).exists():
        raise EmailChangeFailed(_("Diese E-Mail-Adresse gehört inzwischen zu einem anderen Konto."))
    locked.email, locked.email_verified = new_email, True
    try:
        with transaction.atomic():
            locked.save(update_fields=["email", "email_verified"])
    except IntegrityError as exc:  # another account took the address in the same instant
        raise EmailChangeFailed(_("Diese E-Mail-Adresse gehört inzwischen zu einem anderen Konto.")) from exc
    user.email, user.email_verified = new_email, True
    record(user, "accounts.email_changed", user)
    if old_email:
        transaction.on_commit(lambda: send_mail(
            _("Ihre E-Mail-Adresse wurde geändert"),
            render_to_string("accounts/email/email_changed_notice.txt",
                             {"user": locked, "site_url": settings.SITE_URL}),
            None, [old_email]))
    return new_email


def update_profile(user: User, changes: dict[str, Any]) -> list[str]:
    """Save editable profile fields; values an identity provider verified stay untouched."""
    changed = [name for name, value in changes.items()
               if name not in user.verified_fields and getattr(user, name) != value]
    for name in changed:
        setattr(user, name, changes[name])
    if changed:
        user.save(update_fields=changed)
        record(user, "accounts.profile_changed", user, fields=changed)
    return changed


def record_enrolment(user: User, device: TOTPDevice) -> None:
    record(user, "accounts.totp_enrolled", user, device=device.persistent_id)


def record_export(user: User) -> None:
    record(user, "accounts.data_exported", user)


@transaction.atomic
def delete_account(user: User) -> list[str]:
    """Run every app's erasure, then delete the account row.

    If a retained record (e.g. a case under its retention period) still references the account, the row
    stays as an inactive, anonymised stub instead; the audit log keeps only the pseudonymous label.
    """
    from django.db.models import ProtectedError

    from .gdpr_registry import erase_all

    notes = erase_all(user)
    record(user, "accounts.deleted", user)
    try:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).delete()
    except ProtectedError:
        _anonymise(user)
    return notes


def _anonymise(user: User) -> None:
    for name in ("first_name", "last_name", "street", "house_number", "postcode", "city", "external_id",
                 "login_provider", "trust_level"):
        setattr(user, name, "")
    user.email, user.birth_date, user.verified_fields = None, None, []
    user.is_active = user.email_verified = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
