import io

import pytest

from smartcity.accounts.models import User
from smartcity.parking.enforcement.authentication import is_enforcement_officer
from smartcity.parking.enforcement.demo import load
from smartcity.parking.enforcement.models import SigningKey, Snapshot

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_gives_an_officer():
    load(io.StringIO())
    load(io.StringIO())
    officer = User.objects.get(username="kontrolle")
    officer.is_verified = lambda: True  # what the 2FA step sets on the session's user
    assert is_enforcement_officer(officer)
    assert SigningKey.objects.count() == 1 and Snapshot.objects.count() == 1
