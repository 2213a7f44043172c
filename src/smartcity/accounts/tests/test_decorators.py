import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory

from smartcity.accounts.decorators import staff_required, trust_level_required
from smartcity.accounts.models import TrustLevel
from smartcity.accounts.testing import make_citizen, make_staff

pytestmark = pytest.mark.django_db


def ok(request):
    return HttpResponse("ok")


def request_for(user, verified=False):
    request = RequestFactory().get("/parken/antrag/?zone=A")
    request.user = user
    user.is_verified = lambda: verified
    return request


def test_trust_level_required_redirects_to_login_and_step_up():
    view = trust_level_required(TrustLevel.SUBSTANTIAL)(ok)
    anonymous = view(request_for(AnonymousUser()))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/konto/anmelden/?next=")
    basic = view(request_for(make_citizen(trust_level=TrustLevel.BASIC)))
    assert basic.status_code == 302
    assert basic["Location"] == ("/konto/anmelden/vertrauensniveau/"
                                 "?level=substantiell&next=%2Fparken%2Fantrag%2F%3Fzone%3DA")
    assert view(request_for(make_citizen(trust_level=TrustLevel.SUBSTANTIAL))).content == b"ok"
    assert view(request_for(make_citizen(trust_level=TrustLevel.HIGH))).content == b"ok"


def test_trust_level_required_rejects_unknown_levels():
    with pytest.raises(ValueError):
        trust_level_required("mittel")


def test_staff_required():
    view = staff_required(ok)
    assert view(request_for(AnonymousUser()))["Location"].startswith("/konto/anmelden/")
    with pytest.raises(PermissionDenied):
        view(request_for(make_citizen(), verified=True))
    staff = make_staff("steueramt")
    unverified = view(request_for(staff, verified=False))
    assert unverified["Location"].startswith("/konto/anmelden/zwei-faktor/?next=")
    assert view(request_for(staff, verified=True)).content == b"ok"
