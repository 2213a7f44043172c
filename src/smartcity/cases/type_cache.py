"""Case types (each with its parsed workflow) and department names per process (core.process_cache).

The back-office queue and "Meine Anträge" need them on every page; they change a few times a year in the
admin. Saving or deleting a case type or department bumps the version (receivers below)."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from smartcity.accounts.models import Department
from smartcity.core.process_cache import ProcessCache

from .models import Case, CaseType


@dataclass(frozen=True)
class CaseConfig:
    types: dict[int, CaseType]  # by id, ordered by name
    department_names: dict[int, str]  # by id, ordered by name

    def types_of(self, department_ids: Iterable[int]) -> dict[int, CaseType]:
        wanted = set(department_ids)
        return {pk: case_type for pk, case_type in self.types.items() if case_type.department_id in wanted}

    def with_types(self, type_ids: Iterable[int]) -> dict[int, CaseType]:
        """All types, plus any of ``type_ids`` the cache lacks (one written without signals, e.g. by
        bulk_create, until the next change bumps the version)."""
        missing = set(type_ids) - self.types.keys()
        return {**self.types, **CaseType.objects.in_bulk(missing)} if missing else self.types


def _build() -> CaseConfig:
    return CaseConfig(types={case_type.pk: case_type for case_type in CaseType.objects.all()},
                      department_names=dict(Department.objects.values_list("pk", "name")))


case_config = ProcessCache("cases:types:version", _build)


def attach_case_types(cases: list[Case]) -> list[Case]:
    """Give a page of cases the process's shared CaseType objects (instead of select_related's copy per row),
    so no query runs and each type's workflow is parsed once per process."""
    types = case_config.get().with_types(case.case_type_id for case in cases)
    for case in cases:
        case.case_type = types[case.case_type_id]
    return cases


receiver([post_save, post_delete], sender=CaseType)(case_config.invalidate)
receiver([post_save, post_delete], sender=Department)(case_config.invalidate)
