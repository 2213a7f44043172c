"""The default case workflow, as data. A CaseType may carry its own workflow of the same shape.

Shape::

    {"initial": "eingegangen",
     "statuses": [{"code", "label", "citizen_text", "final": bool, "suspends": bool,
                   "decision": "approved"|"rejected"|None, "citizen_visible": bool}],
     "transitions": {"<from>": ["<to>", ...]}}

``suspends`` marks statuses in which the legal deadline stands still (waiting for the citizen);
``decision`` marks the statuses only ``services.decide`` may enter (they need a decision document).
"""

from typing import Any

from django.utils.translation import gettext, gettext_noop

RECEIVED = "eingegangen"
IN_REVIEW = "in_pruefung"
QUESTION = "rueckfrage"
AWAITING_PAYMENT = "zahlung_offen"
APPROVED = "genehmigt"
REJECTED = "abgelehnt"
WITHDRAWN = "zurueckgezogen"

DEFAULT_WORKFLOW: dict[str, Any] = {
    "initial": RECEIVED,
    "statuses": [
        {"code": AWAITING_PAYMENT, "label": gettext_noop("Zahlung offen"),
         "citizen_text": gettext_noop(
             "Ihr Antrag ist gespeichert. Bitte bezahlen Sie die Gebühr, damit wir ihn bearbeiten."),
         "citizen_visible": True},
        {"code": RECEIVED, "label": gettext_noop("Eingegangen"),
         "citizen_text": gettext_noop("Ihr Antrag ist bei uns eingegangen."), "citizen_visible": True},
        {"code": IN_REVIEW, "label": gettext_noop("In Prüfung"),
         "citizen_text": gettext_noop("Ihr Antrag wird bearbeitet."), "citizen_visible": True},
        {"code": QUESTION, "label": gettext_noop("Rückfrage an Antragsteller"),
         "citizen_text": gettext_noop("Wir haben eine Frage an Sie. Bitte antworten Sie im Portal."),
         "citizen_visible": True, "suspends": True},
        {"code": APPROVED, "label": gettext_noop("Genehmigt"),
         "citizen_text": gettext_noop("Ihr Antrag wurde genehmigt. Den Bescheid können Sie herunterladen."),
         "citizen_visible": True, "final": True, "decision": "approved"},
        {"code": REJECTED, "label": gettext_noop("Abgelehnt"),
         "citizen_text": gettext_noop("Ihr Antrag wurde abgelehnt. Die Gründe stehen im Bescheid."),
         "citizen_visible": True, "final": True, "decision": "rejected"},
        {"code": WITHDRAWN, "label": gettext_noop("Zurückgezogen"),
         "citizen_text": gettext_noop("Der Antrag wurde zurückgezogen."), "citizen_visible": True, "final": True},
    ],
    "transitions": {
        AWAITING_PAYMENT: [RECEIVED, WITHDRAWN],
        RECEIVED: [IN_REVIEW, QUESTION, APPROVED, REJECTED, WITHDRAWN],
        IN_REVIEW: [QUESTION, APPROVED, REJECTED, WITHDRAWN],
        QUESTION: [IN_REVIEW, REJECTED, WITHDRAWN],
    },
}


class Workflow:
    """Read access to a workflow definition (validated once)."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self.definition = definition
        self.statuses: dict[str, dict[str, Any]] = {s["code"]: s for s in definition["statuses"]}
        self.transitions: dict[str, list[str]] = definition.get("transitions", {})
        self.initial: str = definition.get("initial") or definition["statuses"][0]["code"]
        problems = validate(definition)
        if problems:
            raise ValueError("; ".join(problems))

    def status(self, code: str) -> dict[str, Any]:
        return self.statuses.get(code, {"code": code, "label": code, "citizen_text": gettext_noop("")})

    # Texts are data; the default workflow's texts are in the catalogue, so they appear translated.
    def label(self, code: str) -> str:
        return gettext(self.status(code)["label"])

    def citizen_text(self, code: str) -> str:
        text = self.status(code).get("citizen_text", "")
        return gettext(text) if text else ""

    def allowed(self, from_status: str) -> list[str]:
        return list(self.transitions.get(from_status, []))

    def is_final(self, code: str) -> bool:
        return bool(self.status(code).get("final"))

    def suspends(self, code: str) -> bool:
        return bool(self.status(code).get("suspends"))

    def decision(self, code: str) -> str | None:
        return self.status(code).get("decision")

    def citizen_visible(self, code: str) -> bool:
        return bool(self.status(code).get("citizen_visible", True))

    def final_codes(self) -> list[str]:
        return [c for c, s in self.statuses.items() if s.get("final")]

    def decision_status(self, outcome: str) -> str | None:
        return next((c for c, s in self.statuses.items() if s.get("decision") == outcome), None)

    def question_status(self) -> str | None:
        return next((c for c, s in self.statuses.items() if s.get("suspends")), None)


def validate(definition: dict[str, Any]) -> list[str]:
    """Problems in a workflow definition, in German (shown in the admin)."""
    problems = []
    codes = [s.get("code") for s in definition.get("statuses", [])]
    if not codes:
        return ["Der Ablauf braucht mindestens einen Status."]
    if len(set(codes)) != len(codes):
        problems.append("Statuscodes sind doppelt.")
    for status in definition["statuses"]:
        if not status.get("code") or not status.get("label"):
            problems.append("Jeder Status braucht „code“ und „label“.")
    known = set(codes)
    initial = definition.get("initial")
    if initial and initial not in known:
        problems.append(f"Anfangsstatus „{initial}“ ist unbekannt.")
    for source, targets in definition.get("transitions", {}).items():
        for code in [source, *targets]:
            if code not in known:
                problems.append(f"Übergang nennt unbekannten Status „{code}“.")
    return problems
