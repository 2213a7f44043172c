"""Sign in staff for enforcement tests."""

import itertools

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartcity.accounts.models import Department, StaffRole, User

_n = itertools.count(1)


def staff_of(client, department_code: str, *, verified: bool = True) -> User:
    department, _ = Department.objects.get_or_create(code=department_code, defaults={"name": department_code})
    user = User.objects.create(username=f"staff{next(_n)}", email=None)
    StaffRole.objects.create(user=user, department=department, role=StaffRole.Role.CASEWORKER)
    device = TOTPDevice.objects.create(user=user, name="default", confirmed=True)
    client.force_login(user)
    if verified:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return user


def officer(client, *, verified: bool = True) -> User:
    return staff_of(client, "ordnungsamt", verified=verified)
