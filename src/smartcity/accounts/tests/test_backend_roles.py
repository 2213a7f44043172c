import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from smartcity.accounts.backends import EmailOrUsernameBackend
from smartcity.accounts.models import Department, StaffRole, User
from smartcity.accounts.testing import login_citizen, make_citizen, make_staff


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
        assert not hasattr(loaded, "_roles")
    assert len(expected) == 0 and len(sorted(EmailOrUsernameBackend().get_user(staff.pk).role_list)) == 2
    assert EmailOrUsernameBackend().get_user(inactive.pk) is None
    assert EmailOrUsernameBackend().get_user(10**9) is None


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
