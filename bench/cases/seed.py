"""Seed synthetic cases for benchmarks (marked demo data; use a benchmark database, never production).

    DATABASE_URL=postgres://…/sc_bench PYTHONPATH=src DJANGO_SETTINGS_MODULE=smartcity.settings \
        $VENV/bin/python bench/cases/seed.py --cases 100000

Creates the two demo case types, a caseworker ``bench-sachbearbeitung`` (steueramt + standesamt, TOTP device)
and citizens ``bench-buerger-N``, then bulk-inserts cases with one status change each: a realistic mix of open,
suspended, overdue and closed cases over the last two years. Idempotent per reference.
"""

import argparse
import random
import time
from datetime import timedelta

import django

django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from smartcity.accounts.models import Department, StaffRole, User  # noqa: E402
from smartcity.cases.demo import ensure_case_types  # noqa: E402
from smartcity.cases.models import Case, ReferenceCounter, StatusChange  # noqa: E402

STATUSES = [("eingegangen", 30), ("in_pruefung", 25), ("rueckfrage", 5), ("genehmigt", 30), ("abgelehnt", 5),
            ("zurueckgezogen", 5)]
BATCH = 5000


def _citizens(count: int) -> list[int]:
    existing = set(User.objects.filter(username__startswith="bench-buerger-").values_list("username", flat=True))
    new = [User(username=f"bench-buerger-{i}", first_name="Bench", last_name=f"Person{i}", email=None,
                password="!", city="Düsseldorf") for i in range(count) if f"bench-buerger-{i}" not in existing]
    User.objects.bulk_create(new, batch_size=BATCH)
    return list(User.objects.filter(username__startswith="bench-buerger-").values_list("pk", flat=True))


def _caseworker() -> User:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user, created = User.objects.get_or_create(username="bench-sachbearbeitung",
                                               defaults={"first_name": "Bench", "last_name": "Sachbearbeitung"})
    if created:
        user.set_password("Bench-Passwort-1")
        user.save()
        TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
    for code in ("steueramt", "standesamt"):
        StaffRole.objects.get_or_create(user=user, department=Department.objects.get(code=code),
                                        role=StaffRole.Role.CASEWORKER)
    return user


def seed(total: int, citizens: int) -> None:
    rng = random.Random(7)  # noqa: S311
    types = list(ensure_case_types().values())
    worker = _caseworker()
    people = _citizens(citizens)
    year = timezone.localdate().year
    start = Case.objects.filter(reference__startswith=f"BEN-{year}-").count()
    now = timezone.now()
    codes, weights = zip(*STATUSES, strict=True)
    for offset in range(start, total, BATCH):
        cases = []
        for n in range(offset, min(offset + BATCH, total)):
            case_type = rng.choice(types)
            status = rng.choices(codes, weights)[0]
            received = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
            closed = status in ("genehmigt", "abgelehnt", "zurueckgezogen")
            due = received.date() + timedelta(days=rng.randint(10, 30))
            cases.append(Case(
                reference=f"BEN-{year}-{n + 1:06d}", case_type=case_type, department_id=case_type.department_id,
                applicant_id=rng.choice(people), applicant_name=f"Bench Person{n % citizens}",
                title=case_type.name, status=status, data={"bench": True}, received_at=received,
                assignee=worker if rng.random() < 0.3 else None, due_date=due,
                suspended_since=received.date() if status == "rueckfrage" else None,
                closed_at=received + timedelta(days=rng.randint(1, 40)) if closed else None,
                outcome={"genehmigt": "approved", "abgelehnt": "rejected"}.get(status, "")))
        with transaction.atomic():
            created = Case.objects.bulk_create(cases, batch_size=BATCH)
            StatusChange.objects.bulk_create(
                [StatusChange(case=c, to_status=c.status, actor_label="bench") for c in created], batch_size=BATCH)
        print(f"{offset + len(cases)} / {total}", flush=True)
    ReferenceCounter.objects.update_or_create(prefix="BEN", year=year, defaults={"last_number": total})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--citizens", type=int, default=20_000)
    args = parser.parse_args()
    began = time.perf_counter()
    seed(args.cases, args.citizens)
    print(f"seeded in {time.perf_counter() - began:.1f} s")
