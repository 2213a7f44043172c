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


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain_in_id_order():
    """Many connections appending at once (PostgreSQL: the head row lock orders them); non-ASCII details hash alike
    in both directions."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, transaction

    def append_two(i: int) -> None:
        try:
            with transaction.atomic():  # two events in one transaction, as the services write them
                record("system:test", "test.first", object_type="test", object_id=str(i), note="Straße „ä“ €")
                record("system:test", "test.second", object_type="test", object_id=str(i), n=i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(append_two, range(40)))
    events = list(AuditEvent.objects.order_by("id"))
    assert len(events) == 80
    assert verify_chain() == (True, 80, None)
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    # The two events of one transaction are adjacent: the head stays locked until the commit.
    for first, second in zip(events[::2], events[1::2], strict=True):
        assert (first.action, second.action, first.object_id) == ("test.first", "test.second", second.object_id)
    assert events[0].details["note"] == "Straße „ä“ €"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_each_event_takes_one_statement_and_an_undone_savepoint_does_not_fork():
    """Every event is one statement (lock the head, hash in PostgreSQL, insert); an event undone with its savepoint
    leaves no gap in the chain; hashes and their order are those chain.chain_hash gives."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from smartcity.audit.chain import GENESIS, canonical, chain_hash
    from smartcity.audit.models import ChainHead
    from smartcity.audit.services import _payload

    record("system:test", "test.first")  # creates the head row (first event of a new database)
    with CaptureQueriesContext(connection) as statements:
        with transaction.atomic():
            record("system:test", "test.a", note="Straße „ä“ €")
            record("system:test", "test.b")
            with pytest.raises(RuntimeError), transaction.atomic():
                record("system:test", "test.undone")
                raise RuntimeError
            record("system:test", "test.c")
        record("system:test", "test.d", n=1)
    events = [query["sql"] for query in statements if "audit_auditevent" in query["sql"]]
    assert len(events) == 5 and all("FOR UPDATE" in sql for sql in events)
    stored = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in stored] == ["test.first", "test.a", "test.b", "test.c", "test.d"]
    prev = GENESIS
    for event in stored:
        assert (event.prev_hash, event.hash) == (prev, chain_hash(prev, canonical(_payload(event))))
        prev = event.hash
    assert ChainHead.objects.get(pk=1).last_hash == prev
    assert verify_chain() == (True, 5, None)


@pytest.mark.django_db
def test_events_appended_together_chain_as_one_record_after_the_other(django_user_model):
    """``append`` writes several events (one statement on PostgreSQL), chained and numbered in the given order, with
    the hashes ``chain.chain_hash`` gives; on a new database (no head row yet) too."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from smartcity.audit.chain import GENESIS, canonical, chain_hash
    from smartcity.audit.services import _payload, append, new_event

    user = django_user_model.objects.create_user("carla", password="x")
    first = append([new_event(user, "test.first"), new_event("system:test", "test.second", note="Straße „ä“ €")])
    assert [e.action for e in first] == ["test.first", "test.second"] and all(e.pk for e in first)
    with CaptureQueriesContext(connection) as statements:
        events = append([new_event("system:test", f"test.{i}", object_type="test", object_id=str(i), n=i)
                         for i in range(3)])
    if connection.vendor == "postgresql":
        assert len([q for q in statements if "audit_auditevent" in q["sql"]]) == 1
    stored = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in stored] == ["test.first", "test.second", "test.0", "test.1", "test.2"]
    assert [e.pk for e in stored[2:]] == [e.pk for e in events]
    prev = GENESIS
    for event in stored:
        assert (event.prev_hash, event.hash) == (prev, chain_hash(prev, canonical(_payload(event))))
        prev = event.hash
    assert [(e.prev_hash, e.hash) for e in events] == [(e.prev_hash, e.hash) for e in stored[2:]]
    assert verify_chain() == (True, 5, None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_of_several_events_keep_one_chain():
    """Connections appending three events in one statement and connections recording one by one, all at once: one
    unbroken chain in id order, the events of each transaction adjacent."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection, transaction

    from smartcity.audit.services import append, new_event

    record("system:test", "test.start")  # the head row exists before the threads start

    def write(i: int) -> None:
        try:
            with transaction.atomic():
                if i % 2:
                    append([new_event("system:test", f"test.{n}", object_type="test", object_id=str(i))
                            for n in range(3)])
                else:
                    for n in range(3):
                        record("system:test", f"test.{n}", object_type="test", object_id=str(i))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write, range(40)))
    events = list(AuditEvent.objects.order_by("id"))[1:]
    assert len(events) == 120 and verify_chain() == (True, 121, None)
    for i in range(0, 120, 3):
        group = events[i:i + 3]
        assert [e.action for e in group] == ["test.0", "test.1", "test.2"]
        assert len({e.object_id for e in group}) == 1
