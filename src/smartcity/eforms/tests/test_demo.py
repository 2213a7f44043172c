"""The demo applications read like real ones: filed through the forms' definitions, with complete answers, the
summary, the uploads attached, and every step of a case dated after the one before, from the receipt on."""

import io
import json

import pytest
from django.utils import timezone

from smartcity.accounts import demo as accounts_demo
from smartcity.cases.models import Case, CaseType
from smartcity.catalogue import demo as catalogue_demo
from smartcity.documents.models import Document
from smartcity.eforms import demo, flow, services


@pytest.fixture
def demo_cases(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    for module in (accounts_demo, catalogue_demo, demo):
        module.load(io.StringIO())
    return list(Case.objects.filter(data__demo=True).select_related("case_type").prefetch_related(
        "status_changes", "messages", "notifications"))


def test_demo_applications_are_complete_submissions_of_the_demo_forms(demo_cases):
    forms = {form.slug: form for form in demo.load_definitions(io.StringIO()).values()}
    assert len(demo_cases) == 36
    # One case type per form: the demo adds none of its own.
    assert set(CaseType.objects.values_list("code", flat=True)) == {f.case_type_code for f in forms.values()}
    for case in demo_cases:
        form = forms[case.data["form"]]
        answers = case.data["answers"]
        assert case.case_type.code == form.case_type_code and case.data["form_version"] == form.version
        assert not services.incomplete_steps(form.definition, answers), case.reference
        assert case.data["summary"] == json.loads(json.dumps(services.summary(form.definition, answers)))
        assert case.data["fee_cents"] == (0 if form.slug == demo.DOG_FORM else 1200 + 600 * (answers["anzahl"] - 1))
        uploads = set(flow.document_ids(form.definition, answers))
        assert uploads == {str(pk) for pk in Document.objects.filter(case=case, kind="upload").values_list(
            "pk", flat=True)}
        assert uploads or form.slug == demo.CERTIFICATE_FORM  # every dog comes with its proof
    assert any("listenhund" in [s["key"] for s in case.data["summary"]] for case in demo_cases)


def test_demo_timelines_start_at_receipt_and_keep_each_steps_records_together(demo_cases):
    now = timezone.now()
    for case in demo_cases:
        changes = [change.created_at for change in case.status_changes.all()]
        assert changes[0] == case.received_at  # "Eingegangen" when the case came in, not when the demo loaded
        assert changes == sorted(changes) and changes[-1] <= now
        step_times = set(changes)
        # The uploads, a Rückfrage, a decision and the mailbox message of a step carry the time of that step.
        assert {m.created_at for m in case.messages.all()} <= step_times
        assert {n.created_at for n in case.notifications.all()} <= step_times
        assert {d.created_at for d in Document.objects.filter(case=case)} <= step_times
        if case.closed_at:
            assert case.closed_at == changes[-1]
    assert any(len(case.status_changes.all()) >= 3 for case in demo_cases)  # some went through several steps
    assert any(case.messages.exists() for case in demo_cases) and any(case.closed_at for case in demo_cases)
