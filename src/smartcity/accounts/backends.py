import functools
import json

from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.db.models import OuterRef
from django.db.models.functions import JSONObject

from .models import StaffRole, User


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
        them instead of loading it), all in one query. The SQL is compiled once per process (compiling the
        subqueries on each request cost more than it saved)."""
        if connection.vendor != "postgresql":
            return super().get_user(user_id)
        try:
            sql, params = _user_with_roles_sql()
            user = next(iter(User._default_manager.raw(sql, (*params, user_id))))
        except StopIteration:
            return None
        rows = (json.loads(row) if isinstance(row, str) else row for row in user._roles)  # raw(): jsonb as text
        user.role_list = [(row["department"], row["code"], row["role"]) for row in rows]
        user.confirmed_totp_ids = frozenset(user._totp)
        del user._roles, user._totp
        return user if self.user_can_authenticate(user) else None


@functools.cache
def _user_with_roles_sql() -> tuple[str, tuple]:
    """SQL and parameters (but the user id, the last one) of the user with ``_roles`` and ``_totp``."""
    from django.contrib.postgres.expressions import ArraySubquery
    from django_otp.plugins.otp_totp.models import TOTPDevice

    roles = StaffRole.objects.filter(user=OuterRef("pk")).values(
        row=JSONObject(department="department_id", code="department__code", role="role"))
    devices = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True).values("pk")
    query = User._default_manager.annotate(_roles=ArraySubquery(roles), _totp=ArraySubquery(devices)).filter(
        pk=-1).query
    sql, params = query.sql_with_params()
    if params[-1] != -1:
        raise AssertionError(f"unexpected parameters {params}")
    return sql, params[:-1]
