"""Domain hooks per case type, e.g. parking issues its permit when a caseworker approves.

All hooks run inside the transaction of the ``cases.services`` function that calls them; raising an
exception (a ``CaseError`` with a German message for the caseworker) aborts the whole change, so nothing
half-done remains.

``on_approve(case, actor)`` runs in ``services.decide`` when a case is approved *without* a ready-made
decision document (that is, by a caseworker in the back office). It may return an ``ApprovalResult`` to
supply the domain's own decision document and record. An automated pipeline that calls
``decide(..., document=...)`` itself has already done its work, so the hook is not called again.

``on_reject(case, actor, reasons)`` runs in ``services.decide`` before a rejection is recorded; it may refuse
(e.g. parking: no rejection without the hearing of § 28 VwVfG) and mirrors the rejection in the domain with
the deciding caseworker.

``on_transition(case, from_status, to_status, actor)`` runs in ``services.transition`` after a status change
that is not a decision (those have the two hooks above), e.g. a withdrawal by staff.

``staff_link(case)`` returns the URL of the domain's own back-office page for the case (e.g. the parking
application with its decision records), shown on the case page; it must not write anything.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApprovalResult:
    document: Any = None  # smartcity.documents.models.Document of kind "decision"
    record: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Extension:
    on_approve: Callable[..., ApprovalResult | None] | None = None
    on_reject: Callable[..., None] | None = None
    on_transition: Callable[..., None] | None = None
    staff_link: Callable[..., str] | None = None


_registry: dict[str, Extension] = {}


def register(case_type_code: str, *, on_approve: Callable[..., ApprovalResult | None] | None = None,
             on_reject: Callable[..., None] | None = None, on_transition: Callable[..., None] | None = None,
             staff_link: Callable[..., str] | None = None) -> None:
    """Register (or replace, e.g. on autoreload) the hooks of one case type."""
    _registry[case_type_code] = Extension(on_approve=on_approve, on_reject=on_reject, on_transition=on_transition,
                                          staff_link=staff_link)


def get(case_type_code: str) -> Extension:
    return _registry.get(case_type_code, Extension())
