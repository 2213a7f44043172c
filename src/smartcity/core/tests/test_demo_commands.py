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
