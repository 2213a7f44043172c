"""Everything that changes form definitions and submissions goes through here (history via audit events)."""

import json
import logging
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartcity.audit.services import record

from . import fees, flow, schema
from .forms import answers_as_data, build_form, required_message
from .models import FormDefinition, Submission, localised

log = logging.getLogger(__name__)
PAYMENT_SUBJECT = "eforms.submission"


class SubmissionError(Exception):
    """A submission cannot go ahead; ``str(exc)`` is German and shown to the applicant."""


class SubmissionThrottled(SubmissionError):
    pass


# --- definitions ------------------------------------------------------------------------------------------

def parse_definition_file(name: str, content: bytes | str) -> dict[str, Any]:
    """YAML or JSON (by file name) → dict; raises DefinitionError with a German message."""
    text = content.decode("utf-8") if isinstance(content, bytes) else content
    try:
        data = json.loads(text) if name.lower().endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        raise schema.DefinitionError([f"{name}: Datei nicht lesbar ({exc.__class__.__name__}: {exc})"[:500]])
    if not isinstance(data, dict):
        raise schema.DefinitionError([f"{name}: Erwartet wird ein Objekt mit slug, title, case_type und steps."])
    return data


@transaction.atomic
def import_definition(data: dict[str, Any], *, actor: Any = None, published: bool = True) -> FormDefinition:
    """Validate, create or update by slug, ensure the case type, link the catalogue service and its fees."""
    from smartcity.cases.services import ensure_case_type
    from smartcity.catalogue.models import Service

    schema.validate(data)
    case_type = data["case_type"]
    ensure_case_type(case_type["code"], name=case_type["name"], department_code=case_type["department"],
                     deadline_working_days=case_type.get("deadline_working_days", 20),
                     retention_days=case_type.get("retention_days"), legal_basis=case_type.get("legal_basis", ""))
    service = Service.objects.filter(leika_key=data["service"]).first() if data.get("service") else None
    form, created = FormDefinition.objects.get_or_create(slug=data["slug"], defaults={"definition": data})
    changed = created or form.definition != data
    form.definition = data
    form.title_de = localised(data["title"], "de")
    form.title_en = localised(data["title"], "en")
    form.service = service
    form.published = published
    if changed and not created:
        form.version += 1
    form.save()
    sync_catalogue_fees(form)
    record(actor, "eforms.definition_imported", form, slug=form.slug, version=form.version, changed=changed)
    return form


def load_definition_path(path: Path, *, actor: Any = None) -> FormDefinition:
    return import_definition(parse_definition_file(path.name, path.read_bytes()), actor=actor)


def sync_catalogue_fees(form: FormDefinition) -> None:
    """The definition's fee rule is the single source of the fees the catalogue shows for its service."""
    if form.service is not None:
        lines = fees.fee_lines(form.fee_rule)
        if form.service.fees != lines:
            form.service.fees = lines
            form.service.save(update_fields=["fees"])


# --- drafts -----------------------------------------------------------------------------------------------

def _prefill(definition: dict[str, Any], user: Any) -> dict[str, Any]:
    answers = {}
    for step in definition["steps"]:
        for spec in step["fields"]:
            value = getattr(user, spec["prefill"], None) if spec.get("prefill") else None
            if value:
                answers[spec["key"]] = value.isoformat() if isinstance(value, date) else value
    return answers


def start_draft(form: FormDefinition, user: Any) -> Submission:
    submission = Submission.objects.create(form=form, applicant=user, data=_prefill(form.definition, user),
                                           current_step=form.steps[0]["key"])
    record(user, "eforms.draft_started", submission, form=form.slug)
    return submission


# Whether the user (the parameter) has drafts, i.e. drafts_for returns any: for Meine Anträge's combined look-up.
ANY_DRAFT = "EXISTS (SELECT 1 FROM eforms_submission WHERE applicant_id = %s AND status = 'draft')"


def drafts_for(user: Any) -> QuerySet[Submission]:
    """The user's unfinished applications, newest first (shown in Meine Anträge)."""
    if not getattr(user, "pk", None):
        return Submission.objects.none()
    return Submission.objects.filter(applicant=user, status=Submission.Status.DRAFT).select_related("form")


def save_answers(submission: Submission, answers: dict[str, Any], *, current_step: str) -> Submission:
    """Store a step's answers (valid or not: nothing typed is lost) and invalidate the summary token."""
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != Submission.Status.DRAFT:
            raise SubmissionError("Dieser Antrag ist bereits eingereicht und kann nicht mehr geändert werden.")
        locked.data = {**locked.data, **answers}
        locked.current_step = current_step
        locked.token = uuid.uuid4()
        locked.save(update_fields=["data", "current_step", "token", "updated_at"])
    return locked


def delete_draft(submission: Submission, *, actor: Any) -> None:
    if submission.status != Submission.Status.DRAFT:
        raise SubmissionError("Nur Entwürfe können gelöscht werden.")
    record(actor, "eforms.draft_deleted", submission, form=submission.form.slug)
    submission.delete()


def delete_stale_drafts(today: date | None = None) -> int:
    """Retention: drafts untouched for EFORMS_DRAFT_RETENTION_DAYS are deleted (data minimisation)."""
    cutoff = timezone.now() - timedelta(days=settings.EFORMS_DRAFT_RETENTION_DAYS)
    stale = Submission.objects.filter(status=Submission.Status.DRAFT, updated_at__lt=cutoff)
    count = stale.count()
    if count:
        stale.delete()
        record("system:eforms", "eforms.drafts_expired", object_type="eforms.submission", count=count)
    return count


# --- validation and summary -------------------------------------------------------------------------------

def step_errors(definition: dict[str, Any], step: dict[str, Any], answers: dict[str, Any]) -> dict[str, list[str]]:
    """Errors of a step's stored answers (for submission; the step views validate as they go)."""
    form = build_form(step, answers, data=answers_as_data(step, answers))
    errors = {key: list(msgs) for key, msgs in form.errors.items()} if not form.is_valid() else {}
    for spec in flow.visible_fields(step, answers):
        if spec["type"] == "file" and spec.get("required") and not isinstance(answers.get(spec["key"]), dict):
            errors[spec["key"]] = [required_message(spec)]
    return errors


def incomplete_steps(definition: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in flow.visible_steps(definition, answers) if step_errors(definition, step, answers)]


def display_value(spec: dict[str, Any], value: Any, lang: str = "de") -> str:
    if value is None or value == "":
        return "–"
    kind = spec["type"]
    if kind in ("select", "radio"):
        return next((localised(o["label"], lang) for o in spec["options"] if o["value"] == value), str(value))
    if kind == "checkbox":
        return "Ja" if value else "Nein"
    if kind == "date":
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except (TypeError, ValueError):
            return str(value)
    if kind == "file":
        return value.get("name", "") if isinstance(value, dict) else "–"
    return str(value)


def summary(definition: dict[str, Any], answers: dict[str, Any], lang: str = "de") -> list[dict[str, Any]]:
    """[{"key", "title", "rows": [(label, value)]}] for the visible steps (summary page, receipt, case)."""
    return [{"key": step["key"], "title": localised(step["title"], lang),
             "rows": [(localised(spec["label"], lang), display_value(spec, answers.get(spec["key"]), lang))
                      for spec in flow.visible_fields(step, answers)]}
            for step in flow.visible_steps(definition, answers)]


# --- submission -------------------------------------------------------------------------------------------

def check_rate_limit(user: Any) -> None:
    """At most EFORMS_SUBMISSIONS_PER_HOUR submissions per user and hour (shared cache, all processes)."""
    key = f"eforms:submit:{user.pk}:{timezone.now():%Y%m%d%H}"
    cache.add(key, 0, timeout=3600)
    if cache.incr(key) > settings.EFORMS_SUBMISSIONS_PER_HOUR:
        raise SubmissionThrottled("Sie haben in der letzten Stunde sehr viele Anträge gestellt. Bitte versuchen "
                                  "Sie es später erneut; Ihr Entwurf bleibt gespeichert.")


def submit(submission: Submission, *, token: str, user: Any) -> Submission:
    """Turn a complete draft into a case (idempotent: a repeated or stale submit changes nothing).

    Without a fee the case starts as received. With a fee it starts as "zahlung_offen" and the payment
    handler moves it on; the applicant is then sent to the payment page (see ``start_fee_payment``).
    """
    with transaction.atomic():
        locked = Submission.objects.select_for_update().select_related("form").get(pk=submission.pk)
        if locked.status != Submission.Status.DRAFT:
            return locked  # double submit: the first one won
        if str(locked.token) != str(token):
            raise SubmissionError("Ihre Angaben haben sich inzwischen geändert. Bitte prüfen Sie die "
                                  "Zusammenfassung und senden Sie den Antrag dann ab.")
        definition = locked.form.definition
        if incomplete_steps(definition, locked.data):
            raise SubmissionError("Der Antrag ist noch nicht vollständig. Bitte ergänzen Sie die markierten "
                                  "Schritte.")
        check_rate_limit(user)
        answers = flow.visible_answers(definition, locked.data)
        case = file_case(locked.form, answers, applicant=user)
        fee_cents = case.data["fee_cents"]
        locked.data = answers
        locked.case = case
        locked.fee_cents = fee_cents
        locked.definition_snapshot = definition
        locked.submitted_at = timezone.now()
        locked.status = Submission.Status.PAYMENT_PENDING if fee_cents else Submission.Status.SUBMITTED
        locked.current_step = ""
        locked.save()
        record(user, "eforms.submitted", locked, form=locked.form.slug, case=case.reference, fee_cents=fee_cents)
        transaction.on_commit(lambda: _after_submit(locked.pk))
    return locked


def file_case(form: FormDefinition, answers: dict[str, Any], *, applicant: Any, fee_paid: bool = False,
              received_at: datetime | None = None, extra_data: dict[str, Any] | None = None) -> Any:
    """The case of a complete application (``answers``: the visible ones): the answers, their readable summary and
    the fee as its data, the uploads among them attached. With a fee not yet paid it starts as "zahlung_offen"."""
    from smartcity.cases.models import CaseType
    from smartcity.cases.services import create_case
    from smartcity.cases.workflow import AWAITING_PAYMENT
    from smartcity.documents.models import Document

    definition = form.definition
    fee_cents = fees.amount_due(form.fee_rule, answers)
    case = create_case(
        case_type=CaseType.objects.get(code=form.case_type_code), applicant=applicant,
        title=localised(definition["title"], "de"), actor=applicant,
        status=AWAITING_PAYMENT if fee_cents and not fee_paid else "", received_at=received_at,
        data={"form": form.slug, "form_version": form.version, "answers": answers,
              "summary": summary(definition, answers), "fee_cents": fee_cents, **(extra_data or {})},
    )
    Document.objects.filter(pk__in=flow.document_ids(definition, answers), owner=applicant,
                            case__isnull=True).update(case=case)
    return case


def _after_submit(submission_id: Any) -> None:
    """Receipt PDF and confirmation (mailbox + e-mail). Failures are logged; the case exists regardless."""
    from smartcity.notifications.services import in_language_of, notify

    submission = Submission.objects.select_related("case", "applicant", "form").get(pk=submission_id)
    try:
        store_receipt(submission)
    except Exception:  # noqa: BLE001 - the citizen can download the receipt later; the case is safe
        log.exception("receipt failed", extra={"submission": str(submission.pk)})
    case = submission.case
    facts = {"title": submission.title, "reference": case.reference, "fee": fees.euro(submission.fee_cents)}
    with in_language_of(submission.applicant):
        lines = [_("Vielen Dank, Ihr Antrag „%(title)s“ ist eingegangen.") % facts,
                 _("Aktenzeichen: %(reference)s") % facts]
        if submission.status == Submission.Status.PAYMENT_PENDING:
            lines.append(_("Gebühr: %(fee)s. Wir bearbeiten den Antrag, sobald die Zahlung eingegangen ist.") % facts)
        lines.append(_("Die Eingangsbestätigung (PDF) finden Sie unter „Meine Anträge“."))
        notify(submission.applicant, _("Eingangsbestätigung %(reference)s") % facts, "\n".join(lines), case=case,
               link=reverse("eforms:done", args=[submission.pk]))


def receipt_pdf(submission: Submission) -> bytes:
    from smartcity.core.pdf import Letter, Section, render_letter

    user, case = submission.applicant, submission.case
    sections = [Section(heading=step["title"], rows=step["rows"])
                for step in summary(submission.definition, submission.data)]
    fee_rows = [("Gebühr", fees.euro(submission.fee_cents) if submission.fee_cents else "gebührenfrei")]
    sections.append(Section(heading="Gebühr", rows=fee_rows))
    address = [user.get_full_name() or user.get_username()]
    if user.street:
        address += [f"{user.street} {user.house_number}".strip(), f"{user.postcode} {user.city}".strip()]
    letter = Letter(
        title=f"Eingangsbestätigung: {submission.title}", recipient=address, reference=case.reference,
        date=timezone.localtime(submission.submitted_at).strftime("%d.%m.%Y, %H:%M Uhr"),
        sections=[Section(heading="", paragraphs=[
            "Ihr Antrag ist bei uns eingegangen. Bitte geben Sie bei Rückfragen das Aktenzeichen an. "
            "Den Stand der Bearbeitung sehen Sie jederzeit unter „Meine Anträge“."]), *sections],
        footer="Diese Bestätigung wurde maschinell erstellt und ist ohne Unterschrift gültig.",
    )
    return render_letter(letter)


def store_receipt(submission: Submission) -> Any:
    from smartcity.documents.services import store_generated

    return store_generated(receipt_pdf(submission), filename=f"Eingangsbestaetigung-{submission.case.reference}.pdf",
                           content_type="application/pdf", owner=submission.applicant, case=submission.case,
                           kind="receipt")


def receipt_for(submission: Submission) -> Any:
    from smartcity.documents.models import Document

    if submission.case_id is None:
        return None
    return Document.objects.filter(case_id=submission.case_id, kind="receipt").order_by("-created_at").first()


# --- fee payment ------------------------------------------------------------------------------------------

def start_fee_payment(submission: Submission, *, user: Any) -> Any:
    """Start (or restart after a failure) the payment of the submission's fee; returns the Payment."""
    from smartcity.payments.services import start_payment

    if submission.status != Submission.Status.PAYMENT_PENDING:
        raise SubmissionError("Für diesen Antrag ist keine Zahlung offen.")
    rule = submission.definition.get("fee") or {}
    payment = start_payment(
        amount_cents=submission.fee_cents, purpose=rule.get("purpose", "Gebuehr")[:27], payer=user,
        subject=submission, subject_label=PAYMENT_SUBJECT,
        return_url=reverse("eforms:done", args=[submission.pk]),
        description=f"{submission.title} – {submission.case.reference}",
    )
    Submission.objects.filter(pk=submission.pk).update(payment_failed=False)
    return payment


def on_paid(payment: Any) -> None:
    """Payment handler: the fee is paid, the case is received (runs exactly once, under the payment lock)."""
    from smartcity.cases.services import transition
    from smartcity.cases.workflow import AWAITING_PAYMENT, RECEIVED

    submission = Submission.objects.select_for_update().get(pk=payment.subject_id)
    if submission.status != Submission.Status.PAYMENT_PENDING:
        return
    submission.status = Submission.Status.SUBMITTED
    submission.payment_failed = False
    submission.save(update_fields=["status", "payment_failed", "updated_at"])
    if submission.case and submission.case.status == AWAITING_PAYMENT:
        transition(submission.case, RECEIVED, actor="system:eforms",
                   comment=f"Gebühr bezahlt (Kassenzeichen {payment.kassenzeichen})")
    record("system:eforms", "eforms.paid", submission, kassenzeichen=payment.kassenzeichen)


def on_failed(payment: Any) -> None:
    """Payment handler: failed or cancelled. The case waits in "Zahlung offen"; the applicant can pay again."""
    updated = Submission.objects.filter(pk=payment.subject_id, status=Submission.Status.PAYMENT_PENDING).update(
        payment_failed=True)
    if updated:
        record("system:eforms", "eforms.payment_failed", object_type="eforms.submission",
               object_id=str(payment.subject_id), kassenzeichen=payment.kassenzeichen)
