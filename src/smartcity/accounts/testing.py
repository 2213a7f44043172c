"""Helpers other apps' tests use to create and sign in citizens and staff."""

import itertools
from functools import cache

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import Department, StaffRole, TrustLevel, User
from .twofactor import DEVICE_NAME, code_for_next_login

PASSWORD = "Test-Passwort-1"
_counter = itertools.count(1)


@cache
def _hashed(password: str) -> str:
    # Argon2 is slow on purpose; hash the shared test password once per process, not once per user.
    from django.contrib.auth.hashers import make_password

    return make_password(password)


def make_citizen(**fields) -> User:
    """An active, e-mail-verified citizen at trust level "substantiell" with password ``PASSWORD``."""
    n = next(_counter)
    values = {"username": f"buerger{n}", "email": f"buerger{n}@example.org", "email_verified": True,
              "first_name": "Erika", "last_name": f"Test{n}", "street": "Kaiserstraße", "house_number": "5",
              "postcode": "40479", "city": "Düsseldorf", "trust_level": TrustLevel.SUBSTANTIAL,
              "login_provider": "local"}
    values.update(fields)
    password = values.pop("password", PASSWORD)
    user = User(**values)
    user.password = _hashed(password)
    user.save()
    return user


def make_staff(department_code: str, role: str = StaffRole.Role.CASEWORKER, **fields) -> User:
    """A staff member of the department (created if missing) with a confirmed TOTP device."""
    department, _ = Department.objects.get_or_create(code=department_code,
                                                     defaults={"name": department_code.title()})
    n = next(_counter)
    user = User(username=fields.pop("username", f"{role}{n}"), email=f"{role}{n}@duesseldorf.example",
                email_verified=True, first_name="Sam", last_name=f"Staff{n}",
                is_staff=role == StaffRole.Role.ADMIN, **fields)
    user.password = _hashed(PASSWORD)
    user.save()
    StaffRole.objects.create(user=user, department=department, role=role)
    TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    return user


def totp_secret(user: User) -> str:
    """Hex secret of the user's confirmed TOTP device (for ``playwright_login``)."""
    return TOTPDevice.objects.get(user=user, confirmed=True).key


def login_citizen(client: Client, user: User) -> None:
    client.force_login(user, backend="smartcity.accounts.backends.EmailOrUsernameBackend")


def login_staff(client: Client, user: User) -> None:
    """Sign in as if the TOTP code had been entered: the session carries the verified device."""
    client.force_login(user, backend="smartcity.accounts.backends.EmailOrUsernameBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    session.save()


def playwright_login(page, base_url: str, username: str, password: str, totp_secret: str | None = None) -> None:
    """Log in through the real login form (and the TOTP step for staff) in a Playwright page."""
    page.goto(f"{base_url}/konto/anmelden/")
    page.get_by_label("E-Mail-Adresse oder Benutzername").fill(username)
    page.get_by_label("Passwort", exact=True).fill(password)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    if totp_secret:
        page.get_by_label("Sicherheitscode").fill(code_for_next_login(totp_secret))
        page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_selector("form[action$='/konto/abmelden/']", state="attached")
