import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from smartcity.audit.models import AuditEvent
from smartcity.audit.services import record, verify_chain


@pytest.mark.django_db
def test_chain_verifies_and_detects_tampering(django_user_model):
    user = django_user_model.objects.create_user("anna", password="x")
    for i in range(3):
        record(user, "case.read", object_type="cases.case", object_id=str(i), reason="test")
    assert verify_chain() == (True, 3, None)
    call_command("audit_verify")

    AuditEvent.objects.filter(object_id="1").update(details={"reason": "forged"})
    ok, checked, broken = verify_chain()
    assert not ok and checked == 1
    with pytest.raises(CommandError):
        call_command("audit_verify")


@pytest.mark.django_db
def test_label_survives_actor_deletion(django_user_model):
    user = django_user_model.objects.create_user("bert", password="x")
    event = record(user, "account.login")
    user.delete()
    event.refresh_from_db()
    assert event.actor is None and event.actor_label == "bert"
    assert verify_chain()[0]
