import pytest

from smartcity.accounts.models import Department, StaffRole, User
from smartcity.cases import services


def _user(username: str, **fields) -> User:
    return User.objects.create_user(username=username, email=f"{username}@example.org", password="Test-Passwort-1",
                                    first_name=fields.pop("first_name", "Erika"),
                                    last_name=fields.pop("last_name", username.title()), **fields)


def _staff(username: str, department: Department, role: str) -> User:
    user = _user(username)
    StaffRole.objects.create(user=user, department=department, role=role)
    return user


@pytest.fixture
def steueramt(db):
    return Department.objects.create(code="steueramt", name="Steueramt")


@pytest.fixture
def case_type(steueramt):
    return services.ensure_case_type("hundesteuer-anmeldung", name="Hundesteuer-Anmeldung",
                                     department_code="steueramt", deadline_working_days=10)


@pytest.fixture
def citizen(db):
    return _user("erika", street="Kaiserstraße", house_number="5", postcode="40479", city="Düsseldorf")


@pytest.fixture
def caseworker(steueramt):
    return _staff("sachbearbeitung", steueramt, StaffRole.Role.CASEWORKER)


@pytest.fixture
def teamlead(steueramt):
    return _staff("teamleitung", steueramt, StaffRole.Role.TEAMLEAD)


@pytest.fixture
def case(case_type, citizen):
    return services.create_case(case_type=case_type, applicant=citizen, data={"hund": "Bello"})
