"""Domain hooks per case type, e.g. parking issues its permit when a caseworker approves.

``on_approve(case, actor)`` runs inside the transaction of ``services.decide`` when a case is
approved *without* a ready-made decision document (that is, by a caseworker in the back office).
It may return an ``ApprovalResult`` to supply the domain's own decision document and record;
raising an exception aborts the approval, so nothing half-done remains. An automated pipeline that
calls ``decide(..., document=...)`` itself has already done its work, so the hook is not called again.
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


_registry: dict[str, Extension] = {}


def register(case_type_code: str, *, on_approve: Callable[..., ApprovalResult | None] | None = None) -> None:
    """Register (or replace, e.g. on autoreload) the hooks of one case type."""
    _registry[case_type_code] = Extension(on_approve=on_approve)


def get(case_type_code: str) -> Extension:
    return _registry.get(case_type_code, Extension())
