"""Demo applicants and case histories that read like real work.

No ``load`` of its own: the demo modules of the services (eforms) file their applications through
``add_cases``, which plays each case along a plausible path. Idempotent: nothing is added when demo cases exist.
"""

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from smartcity.accounts.models import StaffRole, User
from smartcity.documents.models import Document
from smartcity.notifications.models import Notification

from . import services
from .models import Case, Message, StatusChange

PEOPLE = [
    ("Jonas", "Becker", "Lorettostraße", "12", "40219"), ("Aylin", "Demir", "Ackerstraße", "88", "40233"),
    ("Marie", "Schulte", "Nordstraße", "31", "40477"), ("Luca", "Romano", "Bilker Allee", "140", "40217"),
    ("Sophie", "Wagner", "Rethelstraße", "3", "40237"), ("Piotr", "Nowak", "Kölner Landstraße", "201", "40591"),
    ("Hannah", "Krüger", "Kaiserswerther Straße", "55", "40477"),
    ("Mehmet", "Yılmaz", "Worringer Straße", "70", "40211"),
]


def _people() -> list[User]:
    people = list(User.objects.filter(username="erika"))
    for first, last, street, number, postcode in PEOPLE:
        user, created = User.objects.get_or_create(
            username=f"demo-{last.lower()}",
            defaults={"first_name": first, "last_name": last, "street": street, "house_number": number,
                      "postcode": postcode, "city": "Düsseldorf", "email": f"{first.lower()}.demo@example.org",
                      "trust_level": "substantiell", "login_provider": "local"})
        if created:
            user.set_unusable_password()  # demo applicants only; they cannot log in
            user.save(update_fields=["password"])
        people.append(user)
    return people


def _staff(department_code: str) -> User | None:
    role = StaffRole.objects.filter(department__code=department_code, role=StaffRole.Role.CASEWORKER).first()
    return role.user if role else None


def _actions(case: Case, step: int, worker: Any, question: str) -> list[Callable[[], Any]]:
    """A plausible path for a case, one entry per working step; ``step`` decides how far."""
    actions: list[Callable[[], Any]] = []
    if step >= 1:
        def start() -> None:
            services.transition(case, "in_pruefung", actor=worker)
            if worker:
                services.assign(case, worker, actor=worker)
        actions.append(start)
    if step == 2:
        actions.append(lambda: services.send_message(case, sender=worker, body=question, is_question=True))
    if step == 3:
        actions.append(lambda: services.decide(case, outcome="approved", actor=worker,
                                               reasons="Die Angaben sind vollständig und die Voraussetzungen "
                                                       "liegen vor."))
    if step == 4:
        actions.append(lambda: services.decide(case, outcome="rejected", actor=worker,
                                               reasons="Die erforderlichen Nachweise fehlen; der Antrag kann "
                                                       "deshalb nicht bewilligt werden."))
    return actions


def _move(case: Case, since: datetime, moment: datetime) -> None:
    """Date what the citizen's timeline and mailbox show of one step, written from ``since`` on, to ``moment``:
    the status change, the message, the decision and the notification of a step keep their order and stay
    together. (The audit trail keeps the real times: it is hash-chained.)"""
    for records in (StatusChange.objects.filter(case=case), Message.objects.filter(case=case),
                    Document.objects.filter(case=case), Notification.objects.filter(case=case)):
        records.filter(created_at__gte=since).update(created_at=moment)
    Case.objects.filter(pk=case.pk, suspended_since__gte=since).update(suspended_since=moment)
    Case.objects.filter(pk=case.pk, closed_at__gte=since).update(closed_at=moment)


Apply = Callable[[int, User, datetime, random.Random], tuple[Case, str]]


def add_cases(apply: Apply, stdout: Any, count: int = 36) -> None:
    """File ``count`` demo applications and move them along. ``apply(i, person, received, rng)`` files the i-th
    application of ``person`` as received at ``received`` – a case whose data holds ``"demo": True`` – and
    returns it with the Rückfrage a caseworker might send about it."""
    if Case.objects.filter(data__demo=True).exists():
        stdout.write("cases: Demo-Vorgänge sind schon da")
        return
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data
    people = _people()
    now = timezone.now()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"), transaction.atomic():
        for i in range(count):
            person = people[i % len(people)]
            received = now - timedelta(days=rng.randint(0, 70), hours=rng.randint(0, 9))
            since = timezone.now()
            case, question = apply(i, person, received, rng)
            _move(case, since, received)
            # Recent cases are mostly new; older ones further along (some of the open old ones are overdue).
            age = (now - received).days
            step = 0 if age < 5 else rng.choice([1, 1, 2, 3, 3, 4] if age > 20 else [0, 1, 2])
            if person.username == "erika":  # the demo citizen sees one open question and one decision
                step = {0: 2, 9: 3}.get(i, step)
            # Each step a few days after the one before, as in real work; never later than now.
            moment = received
            for action in _actions(case, step, _staff(case.case_type.department.code), question):
                since = timezone.now()
                action()
                moment = min(moment + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5)), since)
                _move(case, since, moment)
    stdout.write(f"cases: {count} Demo-Vorgänge angelegt")
