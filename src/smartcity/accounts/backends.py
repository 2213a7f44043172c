import json

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from smartcity.core.rows import RowLoader

from .models import User


class EmailOrUsernameBackend(ModelBackend):
    """Citizens log in with their e-mail address, demo and staff accounts with a user name."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username and "@" in username:
            user = User.objects.filter(email__iexact=username.strip()).only("username").first()
            if user is None:
                User().set_password(password)  # same work as a real check, so timing reveals nothing
                return None
            username = user.username
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        """The session's user on every request; on PostgreSQL with their staff roles (every page asks for them:
        the navigation's staff check, the department scoping), so ``user.role_list`` needs no query, and the ids
        of their confirmed TOTP devices (accounts.middleware.OTPMiddleware checks the session's device against
        them instead of loading it), all in one query, written once per process (``_USER_WITH_ROLES``: compiling the
        subqueries on each request cost more than it saved; reading the row through ``raw()`` ~1,000 Python calls,
        through core.rows ~270)."""
        if connection.vendor != "postgresql":
            return super().get_user(user_id)
        try:
            user = _USER_WITH_ROLES.get(user_id)
        except User.DoesNotExist:
            return None
        # Django's psycopg loads jsonb as text.
        rows = (json.loads(row) if isinstance(row, str) else row for row in user._roles)
        user.role_list = [(row["department"], row["code"], row["role"]) for row in rows]
        user.confirmed_totp_ids = frozenset(user._totp)
        del user._roles, user._totp
        return user if self.user_can_authenticate(user) else None


# The user with ``_roles`` (JSON objects as StaffRole.objects.filter(user=…) reads them with the department's code)
# and ``_totp`` (the ids of the confirmed TOTP devices): SQL written once per process (core.rows), as the ORM's
# instance; test_backend_roles compares both with the ORM's reads.
_USER_WITH_ROLES = RowLoader(User, extra={
    "_roles": "ARRAY(SELECT JSONB_BUILD_OBJECT('department', r.department_id, 'code', d.code, 'role', r.role) "
              "FROM accounts_staffrole r JOIN accounts_department d ON d.id = r.department_id WHERE r.user_id = t0.id)",
    "_totp": "ARRAY(SELECT v.id FROM otp_totp_totpdevice v WHERE v.confirmed AND v.user_id = t0.id)",
})
