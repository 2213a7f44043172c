"""Sign in staff for enforcement tests (accounts' helpers, plus a session without the second factor)."""

from smartcity.accounts.models import User
from smartcity.accounts.testing import login_staff, make_staff


def staff_of(client, department_code: str, *, verified: bool = True) -> User:
    user = make_staff(department_code)
    if verified:
        login_staff(client, user)
    else:
        client.force_login(user, backend="smartcity.accounts.backends.EmailOrUsernameBackend")
    return user


def officer(client, *, verified: bool = True) -> User:
    return staff_of(client, "ordnungsamt", verified=verified)
