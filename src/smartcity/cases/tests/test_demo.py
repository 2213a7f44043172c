"""The demo cases read like real work: every step of a case is dated after the one before, from receipt on."""

import io

import pytest
from django.utils import timezone

from smartcity.accounts import demo as accounts_demo
from smartcity.cases import demo
from smartcity.cases.models import Case
from smartcity.documents.models import Document


@pytest.mark.django_db
def test_demo_timelines_start_at_receipt_and_keep_each_steps_records_together():
    accounts_demo.load(io.StringIO())
    demo.load(io.StringIO())
    now = timezone.now()
    cases = list(Case.objects.filter(data__demo=True).prefetch_related("status_changes", "messages",
                                                                        "notifications"))
    assert len(cases) == 36
    for case in cases:
        changes = [change.created_at for change in case.status_changes.all()]
        assert changes[0] == case.received_at  # "Eingegangen" when the case came in, not when the demo loaded
        assert changes == sorted(changes) and changes[-1] <= now
        step_times = set(changes)
        # A Rückfrage, a decision and the mailbox message of a step carry the time of that step.
        assert {m.created_at for m in case.messages.all()} <= step_times
        assert {n.created_at for n in case.notifications.all()} <= step_times
        assert {d.created_at for d in Document.objects.filter(case=case)} <= step_times
        if case.closed_at:
            assert case.closed_at == changes[-1]
    assert any(len(case.status_changes.all()) >= 3 for case in cases)  # some went through several steps
    assert any(case.messages.exists() for case in cases) and any(case.closed_at for case in cases)
