"""Per-process case types and department names: shared objects, rebuilt after every change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartcity.accounts.models import Department
from smartcity.cases.models import Case, CaseType
from smartcity.cases.type_cache import attach_case_types, case_config

pytestmark = pytest.mark.django_db


def _type(code: str, department: Department) -> CaseType:
    return CaseType.objects.create(code=code, name=code.title(), department=department)


def test_built_once_then_served_without_queries():
    department = Department.objects.create(code="a", name="Amt A")
    case_type = _type("hund", department)
    first = case_config.get()
    with CaptureQueriesContext(connection) as queries:
        again = case_config.get()
    assert again is first and len(queries) == 0
    assert first.types[case_type.pk].code == "hund" and first.department_names[department.pk] == "Amt A"


def test_saving_or_deleting_a_type_or_department_rebuilds():
    department = Department.objects.create(code="a", name="Amt A")
    case_type = _type("hund", department)
    before = case_config.get()
    case_type.name = "Hundesteuer"
    case_type.save()
    assert case_config.get().types[case_type.pk].name == "Hundesteuer"
    department.name = "Steueramt"
    department.save()
    assert case_config.get().department_names[department.pk] == "Steueramt"
    case_type.delete()
    assert case_type.pk not in case_config.get().types and case_config.get() is not before


def test_types_of_keeps_to_the_departments():
    a, b = Department.objects.create(code="a", name="A"), Department.objects.create(code="b", name="B")
    in_a, in_b = _type("eins", a), _type("zwei", b)
    assert set(case_config.get().types_of([a.pk])) == {in_a.pk}
    assert set(case_config.get().types_of([a.pk, b.pk])) == {in_a.pk, in_b.pk}
    assert case_config.get().types_of([]) == {}


def test_a_type_written_without_signals_is_still_found():
    department = Department.objects.create(code="a", name="A")
    case_config.get()
    [silent] = CaseType.objects.bulk_create([CaseType(code="still", name="Still", department=department)])
    case = Case(case_type_id=silent.pk)
    assert attach_case_types([case])[0].case_type.code == "still"
