from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import fees, flow, services
from .forms import build_form, field_views, required_message, to_answer
from .models import FormDefinition, Submission, localised


def _own(request: HttpRequest, pk: Any) -> Submission:
    """The applicant's own submission; anybody else's is 404, so IDs reveal nothing."""
    return get_object_or_404(Submission.objects.select_related("form", "case"), pk=pk, applicant=request.user)


def _trust_ok(request: HttpRequest, form: FormDefinition) -> bool:
    level = form.definition.get("trust_level")
    return not level or request.user.has_trust(level)


def _trust_redirect(request: HttpRequest, form: FormDefinition) -> HttpResponse:
    """The accounts step-up page raises the trust level and brings the applicant back."""
    query = urlencode({"level": form.definition["trust_level"], "next": form.get_absolute_url()})
    return redirect(f"{reverse('accounts:step_up')}?{query}")


def _safe_reverse(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def start(request: HttpRequest, slug: str) -> HttpResponse:
    form = get_object_or_404(FormDefinition.objects.select_related("service"), slug=slug, published=True)
    drafts = services.drafts_for(request.user).filter(form=form)
    return render(request, "eforms/start.html", {
        "form_definition": form, "drafts": drafts, "fee_lines": _fee_texts(form.fee_rule),
        "steps": [localised(step["title"]) for step in form.steps],
        "login_url": f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}",
    })


def _fee_texts(rule: dict[str, Any]) -> list[str]:
    lang_en = (get_language() or "de").startswith("en")
    return [(line["text_en"] if lang_en else "") or line["text_de"] for line in fees.fee_lines(rule)]


@login_required
@require_POST
def new(request: HttpRequest, slug: str) -> HttpResponse:
    form = get_object_or_404(FormDefinition, slug=slug, published=True)
    if not _trust_ok(request, form):
        return _trust_redirect(request, form)
    submission = services.start_draft(form, request.user)
    return redirect(submission.get_absolute_url())


@login_required
def step(request: HttpRequest, pk: Any, step: str) -> HttpResponse:
    submission = _own(request, pk)
    if submission.status != Submission.Status.DRAFT:
        return redirect("eforms:done", pk=submission.pk)
    definition = submission.form.definition
    spec = flow.find_step(definition, step)
    visible = flow.visible_steps(definition, submission.data)
    if spec is None or spec not in visible:
        return redirect("eforms:step", pk=submission.pk, step=visible[0]["key"])
    previous, following = flow.neighbours(definition, submission.data, step)
    upload_errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("aktion", "weiter")
        form = build_form(spec, submission.data, data=request.POST)
        valid = form.is_valid()
        answers = _posted_answers(spec, submission.data, form, request.POST)
        answers.update(_store_uploads(request, spec, submission.data, upload_errors))
        if action == "weiter":
            _required_uploads(spec, {**submission.data, **answers}, upload_errors)
        try:
            submission = services.save_answers(submission, answers, current_step=step)
        except services.SubmissionError as exc:
            messages.error(request, str(exc))
            return redirect("eforms:done", pk=submission.pk)
        if action == "zurueck":
            return redirect("eforms:step", pk=submission.pk, step=previous) if previous else redirect(
                submission.form.get_absolute_url())
        if action == "speichern":
            messages.success(request, _("Ihr Entwurf ist gespeichert. Sie können ihn jederzeit über „Meine Anträge“ "
                                        "oder die Seite der Leistung fortsetzen."))
            return redirect(submission.form.get_absolute_url())
        if valid and not upload_errors:
            following = flow.neighbours(definition, submission.data, step)[1]
            if following:
                return redirect("eforms:step", pk=submission.pk, step=following)
            return redirect("eforms:summary", pk=submission.pk)
        status = 200
    else:
        form = build_form(spec, submission.data)
        status = 200
    fields = field_views(spec, submission.data, form, upload_errors)
    visible = flow.visible_steps(definition, submission.data)
    position = [s["key"] for s in visible].index(step) + 1
    return render(request, "eforms/step.html", {
        "submission": submission, "step": spec, "step_title": localised(spec["title"]),
        "step_intro": localised(spec.get("intro")), "fields": fields,
        "errors": [f for f in fields if f.errors], "has_upload": any(f.type == "file" for f in fields),
        "position": position, "total": len(visible), "previous": previous,
        "nav": _nav(submission, visible, step),
    }, status=status)


def _posted_answers(spec: dict[str, Any], answers: dict[str, Any], form: Any, post: Any) -> dict[str, Any]:
    """Valid values as typed answers; invalid ones as the raw text, so nothing the applicant typed is lost."""
    cleaned = getattr(form, "cleaned_data", {})
    result = {}
    for field in flow.visible_fields(spec, answers):
        key = field["key"]
        if field["type"] == "file":
            continue
        if key in cleaned:
            result[key] = to_answer(field, cleaned[key])
        elif field["type"] == "checkbox":
            result[key] = key in post
        else:
            result[key] = post.get(key, "")[:5000]
    return result


def _store_uploads(request: HttpRequest, spec: dict[str, Any], answers: dict[str, Any],
                   errors: dict[str, list[str]]) -> dict[str, Any]:
    from smartcity.documents.services import store_upload
    from smartcity.documents.validation import UploadRejected

    stored = {}
    for field in flow.visible_fields(spec, answers):
        upload = request.FILES.get(field["key"]) if field["type"] == "file" else None
        if upload is None:
            continue
        try:
            document = store_upload(upload, owner=request.user)
        except UploadRejected as exc:
            errors[field["key"]] = [str(exc)]
            continue
        stored[field["key"]] = {"document": str(document.pk), "name": document.original_name}
    return stored


def _required_uploads(spec: dict[str, Any], answers: dict[str, Any], errors: dict[str, list[str]]) -> None:
    for field in flow.visible_fields(spec, answers):
        if field["type"] == "file" and field.get("required") and not isinstance(answers.get(field["key"]), dict):
            errors.setdefault(field["key"], [required_message(field)])


def _nav(submission: Submission, visible: list[dict[str, Any]], current: str) -> list[dict[str, Any]]:
    """Step navigation: earlier steps and steps already answered are links."""
    keys = [s["key"] for s in visible]
    reached = keys.index(submission.current_step) if submission.current_step in keys else 0
    return [{"key": s["key"], "title": localised(s["title"]), "current": s["key"] == current,
             "url": reverse("eforms:step", args=[submission.pk, s["key"]]) if i <= reached else ""}
            for i, s in enumerate(visible)]


@login_required
def summary(request: HttpRequest, pk: Any) -> HttpResponse:
    submission = _own(request, pk)
    if submission.status != Submission.Status.DRAFT:
        return redirect("eforms:done", pk=submission.pk)
    definition = submission.form.definition
    error = ""
    if request.method == "POST":
        if request.POST.get("bestaetigung") != "ja":
            error = _("Bitte bestätigen Sie, dass Ihre Angaben richtig und vollständig sind.")
        else:
            try:
                submission = services.submit(submission, token=request.POST.get("token", ""), user=request.user)
            except services.SubmissionThrottled as exc:
                messages.error(request, str(exc))
                return _render_summary(request, submission, "", status=429)
            except services.SubmissionError as exc:
                messages.error(request, str(exc))
                return redirect("eforms:summary", pk=submission.pk)
            if submission.status == Submission.Status.PAYMENT_PENDING:
                return _pay(request, submission)
            return redirect("eforms:done", pk=submission.pk)
    if submission.current_step and not services.incomplete_steps(definition, submission.data):
        # Resuming this draft later starts at the summary.
        Submission.objects.filter(pk=submission.pk).update(current_step="")
    return _render_summary(request, submission, error, status=400 if error else 200)


def _render_summary(request: HttpRequest, submission: Submission, error: str, status: int) -> HttpResponse:
    definition = submission.form.definition
    answers = submission.data
    incomplete = {s["key"] for s in services.incomplete_steps(definition, answers)}
    sections = services.summary(definition, answers, lang=request.LANGUAGE_CODE)
    for section in sections:
        section["url"] = reverse("eforms:step", args=[submission.pk, section["key"]])
        section["incomplete"] = section["key"] in incomplete
    fee_cents = fees.amount_due(submission.form.fee_rule, flow.visible_answers(definition, answers))
    return render(request, "eforms/summary.html", {
        "submission": submission, "sections": sections, "incomplete": bool(incomplete), "error": error,
        "fee": fees.euro(fee_cents, request.LANGUAGE_CODE) if fee_cents else "",
    }, status=status)


def _pay(request: HttpRequest, submission: Submission) -> HttpResponse:
    from smartcity.payments.services import PaymentUnavailable

    try:
        payment = services.start_fee_payment(submission, user=request.user)
    except PaymentUnavailable as exc:
        messages.error(request, str(exc))
        return redirect("eforms:done", pk=submission.pk)
    return HttpResponseRedirect(payment.redirect_url)


@login_required
@require_POST
def pay(request: HttpRequest, pk: Any) -> HttpResponse:
    submission = _own(request, pk)
    if submission.status != Submission.Status.PAYMENT_PENDING:
        return redirect("eforms:done", pk=submission.pk)
    return _pay(request, submission)


@login_required
def done(request: HttpRequest, pk: Any) -> HttpResponse:
    submission = _own(request, pk)
    if submission.status == Submission.Status.DRAFT:
        return redirect(submission.get_absolute_url())
    receipt = services.receipt_for(submission)
    return render(request, "eforms/done.html", {
        "submission": submission, "receipt": receipt,
        "fee": fees.euro(submission.fee_cents, request.LANGUAGE_CODE) if submission.fee_cents else "",
        "case_url": _safe_reverse("portal:detail", submission.case.reference) if submission.case else "",
        "receipt_url": _safe_reverse("documents:download", receipt.pk) if receipt else "",
    })


@login_required
@require_POST
def delete(request: HttpRequest, pk: Any) -> HttpResponse:
    submission = _own(request, pk)
    try:
        services.delete_draft(submission, actor=request.user)
    except services.SubmissionError as exc:
        messages.error(request, str(exc))
        return redirect("eforms:done", pk=submission.pk)
    messages.success(request, _("Der Entwurf wurde gelöscht."))
    return redirect(submission.form.get_absolute_url())

