import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from smartcity.accounts.backends import EmailOrUsernameBackend
from smartcity.accounts.middleware import OTPMiddleware, totp_device_id
from smartcity.accounts.models import Department, StaffRole, User
from smartcity.accounts.testing import login_citizen, login_staff, make_citizen, make_staff


@pytest.mark.postgres  # the one-query path is PostgreSQL's (ArraySubquery); SQLite loads roles on first use
@pytest.mark.django_db
def test_session_user_comes_with_their_roles_in_one_query(django_assert_max_num_queries):
    staff = make_staff("steueramt")
    StaffRole.objects.create(user=staff, department=Department.objects.create(code="standesamt", name="Standesamt"),
                             role=StaffRole.Role.TEAMLEAD)
    citizen = make_citizen()
    inactive = make_citizen(is_active=False)
    for user in (staff, citizen):
        expected = sorted(User.objects.get(pk=user.pk).role_list)
        with django_assert_max_num_queries(1):
            loaded = EmailOrUsernameBackend().get_user(user.pk)
            assert sorted(loaded.role_list) == expected
        assert (loaded.pk, loaded.username, loaded.verified_fields, loaded.date_joined) == (
            user.pk, user.username, user.verified_fields, user.date_joined)
        orm = User.objects.get(pk=user.pk)  # the same instance as the ORM's (core.rows)
        assert {f.attname: getattr(loaded, f.attname) for f in User._meta.concrete_fields} == {
            f.attname: getattr(orm, f.attname) for f in User._meta.concrete_fields}
        assert not loaded._state.adding and loaded._state.db == "default" and not loaded.get_deferred_fields()
        assert not hasattr(loaded, "_roles") and not hasattr(loaded, "_totp")
        assert loaded.confirmed_totp_ids == set(
            TOTPDevice.objects.filter(user=user, confirmed=True).values_list("pk", flat=True))
    assert len(expected) == 0 and len(sorted(EmailOrUsernameBackend().get_user(staff.pk).role_list)) == 2
    assert EmailOrUsernameBackend().get_user(inactive.pk) is None
    assert EmailOrUsernameBackend().get_user(10**9) is None
    assert EmailOrUsernameBackend().get_user(str(staff.pk)).pk == staff.pk  # as the session stores it


@pytest.mark.django_db
def test_a_revoked_role_takes_effect_on_the_next_request():
    client = Client()
    citizen = make_citizen()
    login_citizen(client, citizen)
    assert client.session[SESSION_KEY] == str(citizen.pk)
    assert "/backoffice/" not in client.get(reverse("catalogue:list")).content.decode()
    staff = make_staff("steueramt")
    client.force_login(staff, backend="smartcity.accounts.backends.EmailOrUsernameBackend")
    StaffRole.objects.filter(user=staff).delete()
    assert client.get(reverse("backoffice:queue")).status_code in (302, 403)


def _verified_on_queue(client: Client) -> bool:
    return client.get(reverse("backoffice:queue")).status_code == 200


@pytest.mark.django_db
def test_session_device_must_be_the_users_own_and_confirmed(django_assert_max_num_queries):
    """The middleware's rule (django-otp's), on both paths: PostgreSQL checks the ids loaded with the user."""
    staff, other = make_staff("steueramt"), make_staff("steueramt")
    client = Client()
    login_staff(client, staff)
    assert _verified_on_queue(client)
    device = TOTPDevice.objects.get(user=staff)
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=False)
    assert not _verified_on_queue(client)
    assert DEVICE_ID_SESSION_KEY not in client.session  # forgotten, as django-otp does
    TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=other).persistent_id
    session.save()
    assert not _verified_on_queue(client)


@pytest.mark.postgres
@pytest.mark.django_db
def test_verified_staff_page_loads_no_device_but_can_read_it():
    staff = make_staff("steueramt")
    client = Client()
    login_staff(client, staff)
    with CaptureQueriesContext(connection) as queries:
        assert _verified_on_queue(client)
    assert not any(q["sql"].startswith('SELECT "otp_totp_totpdevice"') for q in queries.captured_queries)
    request = type("R", (), {"session": {DEVICE_ID_SESSION_KEY: TOTPDevice.objects.get(user=staff).persistent_id}})()
    user = OTPMiddleware(lambda r: None)._verify_user_sync(request, EmailOrUsernameBackend().get_user(staff.pk))
    assert user.is_verified() and user.otp_device.pk == TOTPDevice.objects.get(user=staff).pk


@pytest.mark.parametrize("persistent_id, expected", [
    ("otp_totp.totpdevice/12", 12), ("otp_static.staticdevice/12", None), ("otp_totp.totpdevice/x", None),
    ("otp_totp.totpdevice/", None), ("12", None)])
def test_totp_device_id(persistent_id, expected):
    assert totp_device_id(persistent_id) == expected
