from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_demo_logins_lists_each_account_once():
    out = StringIO()
    call_command("demo_logins", stdout=out)
    lines = [line.split() for line in out.getvalue().splitlines()]
    usernames = [parts[0] for parts in lines if len(parts) > 2 and parts[1] == "Demo-2026!"]
    assert "erika" in usernames and "sachbearbeitung" in usernames
    assert len(usernames) == len(set(usernames))


@pytest.mark.django_db
def test_demo_logins_keep_every_username_apart_from_its_password():
    from smartcity.core.demo import demo_modules

    out = StringIO()
    call_command("demo_logins", stdout=out)
    rows = {tuple(line.split()[:2]) for line in out.getvalue().splitlines()}
    logins = {(username, password) for _, module in demo_modules()
              for _role, username, password in getattr(module, "LOGINS", [])}
    assert any(len(username) >= 18 for username, _ in logins)  # the case that once ran into its password
    assert logins <= rows
