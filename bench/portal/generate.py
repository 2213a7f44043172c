"""Create a realistic case register for the portal benchmarks: ~100,000 cases on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench python bench/portal/generate.py [--cases 100000]

The one data set of the portal benchmarks: run.py (load test through gunicorn) and pages.py (CPU, queries
and profile per page in-process). ``--open-share 0.4 --open-days 730`` gives a back office under pressure
(40 % of all cases open, most of them overdue) for the queue's SQL plans.

Citizens with Düsseldorf addresses, caseworkers per department (with a TOTP device), case types of five
departments, cases spread over two years with their status history. Rows are written with COPY (about
100,000 cases in well under a minute). Running it again replaces the previous bench data.
"""

import argparse
import random
import time
from datetime import timedelta

from common import BENCH_PREFIX, CASE_TYPES, CITIZEN_PASSWORD, setup_django

FIRST_NAMES = ["Anna", "Lena", "Mia", "Emma", "Hannah", "Sophie", "Marie", "Laura", "Julia", "Sarah", "Katharina",
               "Petra", "Sabine", "Monika", "Ayşe", "Fatma", "Jonas", "Leon", "Paul", "Lukas", "Felix", "Maximilian",
               "Thomas", "Michael", "Andreas", "Stefan", "Jürgen", "Klaus", "Mehmet", "Ahmet", "Nikola", "Dimitrios"]
LAST_NAMES = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
              "Koch", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Braun", "Hofmann", "Zimmermann",
              "Krüger", "Hartmann", "Lange", "Werner", "Yılmaz", "Kaya", "Jansen", "van den Berg", "Kowalski", "Öztürk"]
STREETS = [("Kaiserstraße", "40479"), ("Königsallee", "40212"), ("Schadowstraße", "40212"), ("Berliner Allee", "40212"),
           ("Graf-Adolf-Straße", "40210"), ("Luegallee", "40545"), ("Kölner Straße", "40227"),
           ("Friedrichstraße", "40217"), ("Bilker Allee", "40219"), ("Nordstraße", "40477"), ("Rethelstraße", "40237"),
           ("Lindemannstraße", "40237"), ("Ackerstraße", "40233"), ("Brunnenstraße", "40223"),
           ("Benrather Schloßallee", "40597"), ("Kaiserswerther Straße", "40477"), ("Münsterstraße", "40476"),
           ("Oberkasseler Straße", "40545"), ("Aachener Straße", "40223"), ("Himmelgeister Straße", "40225")]
DOG_NAMES = ["Bello", "Luna", "Balu", "Emma", "Rocky", "Kira", "Sammy", "Nala", "Lucky", "Paula"]
BREEDS = ["Labrador Retriever", "Mischling", "Dackel", "Golden Retriever", "Französische Bulldogge", "Beagle"]
ZONES = ["HO", "MÜ", "BI", "FL", "DE", "PE", "UN", "GO", "OB", "DR"]
# Status mix over two years: most cases are closed; about 8 % are open, all from the last 60 days.
CLOSED = [("genehmigt", "approved", 0.80), ("abgelehnt", "rejected", 0.06), ("zurueckgezogen", "", 0.06)]
OPEN = [("eingegangen", 0.03), ("in_pruefung", 0.03), ("rueckfrage", 0.01), ("zahlung_offen", 0.01)]


def case_data(code: str, rnd: random.Random) -> dict:
    if code == "bench-hundesteuer":
        return {"hund_name": rnd.choice(DOG_NAMES), "rasse": rnd.choice(BREEDS), "geburtsjahr": rnd.randint(2012, 2025)}
    if code == "bench-personenstand":
        return {"urkunde": rnd.choice(["Geburtsurkunde", "Eheurkunde", "Sterbeurkunde"]), "anzahl": rnd.randint(1, 3),
                "versand": "post"}
    if code == "bench-bewohnerparken":
        return {"kennzeichen": f"D-{rnd.choice('ABCDEFGHKLMNPRSTUVWXYZ')}{rnd.choice('ABCDEFGHKLMN')} "
                               f"{rnd.randint(1, 9999)}", "zone": rnd.choice(ZONES), "laufzeit_monate": 12}
    if code == "bench-meldebescheinigung":
        return {"art": rnd.choice(["einfach", "erweitert"]), "zweck": "Vorlage Arbeitgeber"}
    return {"baumart": rnd.choice(["Linde", "Ahorn", "Kastanie", "Eiche"]), "stammumfang_cm": rnd.randint(80, 300)}


def copy_instances(model, objs: list) -> None:
    """COPY model instances; values are prepared by the model fields (new fields with defaults just work)."""
    from django.db import connection
    from django.utils import timezone

    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and getattr(objs[0], f.attname) is None)]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    now = timezone.now()
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as cp:
            for obj in objs:
                row = []
                for f in fields:
                    value = getattr(obj, f.attname)
                    if value is None and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)):
                        value = now
                    row.append(f.get_db_prep_save(value, connection))
                cp.write_row(row)


def reserve_ids(model, count: int) -> int:
    """Advance the id sequence by ``count``; return the first reserved id."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                       f"(SELECT COALESCE(MAX(id), 0) FROM {table}) + %s)", [count])
        return cursor.fetchone()[0] - count + 1


def remove_previous() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_statuschange WHERE case_id IN (SELECT id FROM cases_case "
                       "WHERE case_type_id IN (SELECT id FROM cases_casetype WHERE code LIKE 'bench-%%'))")
        cursor.execute("DELETE FROM cases_case WHERE case_type_id IN "
                       "(SELECT id FROM cases_casetype WHERE code LIKE 'bench-%%')")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--citizens", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--open-share", type=float, default=sum(w for _, w in OPEN),
                        help="share of open cases (default: 8 %%, as in a city's register)")
    parser.add_argument("--open-days", type=float, default=60, help="open cases were received in the last N days")
    args = parser.parse_args()
    setup_django()

    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from smartcity.accounts.models import StaffRole, User
    from smartcity.cases import deadlines
    from smartcity.cases.models import Case, ReferenceCounter, StatusChange
    from smartcity.cases.services import ensure_case_type

    started = time.monotonic()
    rnd = random.Random(args.seed)
    call_command("migrate", verbosity=0)
    call_command("load_demo", only=["accounts", "catalogue"], stdout=open("/dev/null", "w"))  # noqa: SIM115
    print(f"migrated and loaded the catalogue: {time.monotonic() - started:.1f} s")

    with transaction.atomic():
        remove_previous()
        case_types = [(ensure_case_type(code, name=name, department_code=dept, deadline_working_days=days), share)
                      for code, name, dept, days, share in CASE_TYPES]
        password = make_password(CITIZEN_PASSWORD)  # one hash for all: hashing 20,000 times is not the point
        existing = set(User.objects.filter(username__startswith=BENCH_PREFIX).values_list("username", flat=True))
        new_users = []
        for i in range(args.citizens):
            username = f"{BENCH_PREFIX}buerger-{i:05d}"
            if username in existing:
                continue
            street, postcode = rnd.choice(STREETS)
            first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
            new_users.append(User(username=username, email=f"{username}@example.org", password=password,
                                  first_name=first, last_name=last, street=street,
                                  house_number=str(rnd.randint(1, 120)), postcode=postcode, city="Düsseldorf",
                                  trust_level="substantiell", login_provider="local", email_verified=True))
        User.objects.bulk_create(new_users, batch_size=5000)
        citizens = list(User.objects.filter(username__startswith=f"{BENCH_PREFIX}buerger-")
                        .order_by("username").values_list("id", "first_name", "last_name")[: args.citizens])
        staff_by_dept: dict[int, list[int]] = {}
        for case_type, _share in case_types:
            dept = case_type.department
            for n in range(1, 4):
                user, created = User.objects.get_or_create(
                    username=f"{BENCH_PREFIX}sb-{dept.code}-{n}",
                    defaults={"email": f"sb-{dept.code}-{n}@bench.example", "password": password,
                              "first_name": "Sachbearbeitung", "last_name": f"{dept.name} {n}"})
                StaffRole.objects.get_or_create(user=user, department=dept, role=StaffRole.Role.CASEWORKER)
                if created:
                    TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
                staff_by_dept.setdefault(dept.id, []).append(user.id)
        print(f"{len(citizens)} citizens, {sum(map(len, staff_by_dept.values()))} caseworkers: "
              f"{time.monotonic() - started:.1f} s")

        now = timezone.now()
        first_id = reserve_ids(Case, args.cases)
        counters: dict[int, int] = {}
        cases, changes = [], []
        weights = [share for _, share in case_types]
        closed_weights = [w for *_, w in CLOSED]
        open_weights = [w for _, w in OPEN]
        open_share = args.open_share
        for offset in range(args.cases):
            case_type = rnd.choices(case_types, weights)[0][0]
            applicant_id, first, last = rnd.choice(citizens)
            is_open = rnd.random() < open_share
            age_days = rnd.uniform(0, args.open_days) if is_open else rnd.uniform(5, 730)
            received = now - timedelta(days=age_days, seconds=rnd.randint(0, 86_399))
            year = timezone.localtime(received).year
            counters[year] = counters.get(year, 0) + 1
            case = Case(id=first_id + offset, reference=f"DUS-{year}-{counters[year]:06d}", case_type=case_type,
                        department_id=case_type.department_id, applicant_id=applicant_id,
                        applicant_name=f"{first} {last}", title=case_type.name, received_at=received,
                        deadline_working_days=case_type.deadline_working_days,
                        data={**case_data(case_type.code, rnd), "bench": True}, updated_at=received)
            received_on = timezone.localtime(received).date()
            case.due_date = deadlines.NRW.add_working_days(received_on, case.deadline_working_days) \
                if case.deadline_working_days <= 30 else None
            changes.append(StatusChange(case_id=case.id, to_status="eingegangen", created_at=received,
                                        actor_id=applicant_id, actor_label=f"{first} {last}"))
            if is_open:
                case.status = rnd.choices(OPEN, open_weights)[0][0]
                if case.status == "rueckfrage":
                    case.suspended_since = received_on + timedelta(days=2)
                if rnd.random() < 0.6:
                    case.assignee_id = rnd.choice(staff_by_dept[case_type.department_id])
            else:
                status, outcome, _w = rnd.choices(CLOSED, closed_weights)[0]
                case.status, case.outcome = status, outcome
                case.assignee_id = rnd.choice(staff_by_dept[case_type.department_id])
                case.closed_at = received + timedelta(days=rnd.uniform(0.5, 25))
                case.updated_at = case.closed_at
                changes.append(StatusChange(case_id=case.id, from_status="eingegangen", to_status="in_pruefung",
                                            created_at=received + timedelta(hours=rnd.randint(2, 72)),
                                            actor_id=case.assignee_id, actor_label="Sachbearbeitung"))
                changes.append(StatusChange(case_id=case.id, from_status="in_pruefung", to_status=status,
                                            created_at=case.closed_at, actor_id=case.assignee_id,
                                            actor_label="Sachbearbeitung"))
            if case.status != "eingegangen" and is_open:
                changes.append(StatusChange(case_id=case.id, from_status="eingegangen", to_status=case.status,
                                            created_at=received + timedelta(hours=rnd.randint(1, 48)),
                                            actor_id=case.assignee_id, actor_label="Sachbearbeitung"))
            cases.append(case)
        # References are numbered in order of receipt within each year, as the real counter would.
        cases.sort(key=lambda c: c.received_at)
        numbers: dict[int, int] = {}
        for case in cases:
            year = int(case.reference[4:8])
            numbers[year] = numbers.get(year, 0) + 1
            case.reference = f"DUS-{year}-{numbers[year]:06d}"
        # Keep clear of numbers the demo or earlier runs handed out.
        for year, count in numbers.items():
            counter, _ = ReferenceCounter.objects.get_or_create(prefix="DUS", year=year)
            base = counter.last_number
            counter.last_number = base + count
            counter.save(update_fields=["last_number"])
            for case in cases:
                if case.reference.startswith(f"DUS-{year}-"):
                    case.reference = f"DUS-{year}-{int(case.reference[9:]) + base:06d}"
        copy_instances(Case, cases)
        copy_instances(StatusChange, changes)
        print(f"{len(cases)} cases, {len(changes)} status changes written: {time.monotonic() - started:.1f} s")
    # Set the visibility map and statistics as autovacuum would after a bulk load (index-only counts need it).
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        for table in ("cases_case", "cases_statuschange", "accounts_user", "django_session"):
            cursor.execute(f"VACUUM (ANALYZE) {table}")
    print(f"done in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
