"""Fill the database with N permits (default 1 million) for the parking benchmarks, fast, with COPY.

Each permit gets its own holder and application, as in production (one active permit per person and plate).
85 % are valid today, 10 % expired, 5 % revoked or replaced. Plates are unique and realistic ("NE-KX 4711").
Rows are marked (usernames "bench…"), so ``--delete`` removes exactly them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_enforce ./run manage migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_enforce /work/venv/bin/python bench/parking/generate_permits.py
"""

import argparse
import itertools
import random
import string
import time
import uuid
from datetime import date, datetime, timedelta

from common import setup_django

DISTRICTS = ["D", "NE", "ME", "K", "DU", "E", "W", "MG", "KR", "SG", "BN", "RS", "VIE", "GL", "LEV", "BO", "DO",
             "MH", "OB", "HH", "B", "M", "F", "S", "HRO", "AC", "MS", "BI", "GE", "RE"]
ZONES = [("HO", "Hafen/Oberkassel"), ("MÜ", "Mörsenbroich"), ("GO", "Golzheim"), ("PE", "Pempelfort"),
         ("FL", "Flingern"), ("BI", "Bilk"), ("UN", "Unterbilk"), ("DE", "Derendorf"), ("OS", "Oberbilk"),
         ("FR", "Friedrichstadt")]
CHUNK = 50_000


def plates(count: int):
    """Unique canonical plates in a spread-out order."""
    letters = [a + b for a in string.ascii_uppercase for b in string.ascii_uppercase] + list(string.ascii_uppercase)
    produced = 0
    for number in range(1, 10_000):
        for district in DISTRICTS:
            for group in letters:
                if len(district) + len(group) + len(str(number)) > 8:
                    continue
                yield f"{district}-{group} {number}"
                produced += 1
                if produced == count:
                    return


def row_writer(model, overrides: dict):
    """Column names and a function turning per-row values into a COPY row; every other column gets its default
    (or NULL), so schema additions by other apps do not break the generator."""
    from django.db import connection

    columns, constant = [], {}
    for field in model._meta.concrete_fields:
        columns.append(field.column)
        if field.attname in overrides:
            continue
        if field.has_default() or (field.empty_strings_allowed and not field.null and field.blank):
            constant[field.column] = field.get_db_prep_save(field.get_default(), connection)
        elif field.null:
            constant[field.column] = None
        else:
            raise SystemExit(f"{model.__name__}.{field.attname} needs a value in the generator")
    column_of = {f.attname: f.column for f in model._meta.concrete_fields}
    fixed = [(columns.index(col), value) for col, value in constant.items()]
    varying = [(columns.index(column_of[name]), name) for name in overrides]

    def make(values: dict) -> list:
        row = [None] * len(columns)
        for index, value in fixed:
            row[index] = value
        for index, name in varying:
            row[index] = values[name]
        return row

    return columns, make


def generate(count: int, seed: int) -> None:
    from django.db import connection
    from django.utils import timezone

    from smartcity.accounts.models import User
    from smartcity.parking.models import Application, Permit, Zone

    rng = random.Random(seed)
    zones = [Zone.objects.update_or_create(code=code, defaults={
        "name": name, "active_from": date(2020, 1, 1), "applications_open_from": date(2020, 1, 1),
        "is_demo": True})[0].pk for code, name in ZONES]
    today = timezone.localdate()
    now = timezone.now()
    user_cols, user_row = row_writer(User, dict.fromkeys(["id", "username", "password", "last_name", "date_joined"]))
    app_cols, app_row = row_writer(Application, dict.fromkeys([
        "id", "reference", "applicant_id", "plate", "vin_suffix", "months", "zone_id", "status", "fee_cents",
        "fee_basis", "created_at", "submitted_at", "decided_at", "updated_at"]))
    permit_cols, permit_row = row_writer(Permit, dict.fromkeys([
        "id", "number", "holder_id", "plate", "zone_id", "valid_from", "valid_until", "status", "issued_at",
        "revoked_at", "application_id", "fee_cents", "automated"]))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        first_user = cursor.fetchone()[0] + 1
    started = time.monotonic()
    plate_iter = plates(count)
    raw = connection.connection  # psycopg 3 connection
    done = 0
    while done < count:
        batch = list(itertools.islice(plate_iter, CHUNK))
        users, apps, permits = [], [], []
        for offset, plate in enumerate(batch):
            i = done + offset
            user_id = first_user + i
            app_id, permit_id = uuid.uuid4(), uuid.uuid4()
            roll = rng.random()
            if roll < 0.85:
                valid_from = today - timedelta(days=rng.randrange(0, 360))
                status = "active"
            elif roll < 0.95:
                valid_from = today - timedelta(days=rng.randrange(400, 1000))
                status = "expired"
            else:
                valid_from = today - timedelta(days=rng.randrange(0, 300))
                status = rng.choice(["revoked", "replaced"])
            months = rng.choice([12, 24])
            valid_until = valid_from + timedelta(days=365 * months // 12 - 1)
            issued = datetime.combine(valid_from, datetime.min.time(), tzinfo=now.tzinfo) + timedelta(
                hours=rng.randrange(7, 22), minutes=rng.randrange(60))
            submitted = issued - timedelta(seconds=rng.randrange(40, 900))
            zone = zones[i % len(zones)]
            users.append(user_row({"id": user_id, "username": f"bench{i}", "password": "!", "last_name": f"Bench {i}",
                                   "date_joined": submitted}))
            apps.append(app_row({"id": app_id, "reference": f"BENCH-{i:08d}", "applicant_id": user_id,
                                 "plate": plate, "vin_suffix": "4711", "months": months, "zone_id": zone,
                                 "status": "issued", "fee_cents": 2500 * months // 12,
                                 "fee_basis": "Bewohnerparkausweis, Antrag online", "created_at": submitted,
                                 "submitted_at": submitted, "decided_at": issued, "updated_at": issued}))
            permits.append(permit_row({"id": permit_id, "number": f"B{i:09d}", "holder_id": user_id, "plate": plate,
                                       "zone_id": zone, "valid_from": valid_from, "valid_until": valid_until,
                                       "status": status, "issued_at": issued,
                                       "revoked_at": issued + timedelta(days=30) if status in (
                                           "revoked", "replaced") else None,
                                       "application_id": app_id, "fee_cents": 2500 * months // 12,
                                       "automated": roll < 0.9}))
        with raw.cursor() as cursor:
            for table, cols, rows in (("accounts_user", user_cols, users), ("parking_application", app_cols, apps),
                                      ("parking_permit", permit_cols, permits)):
                with cursor.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        raw.commit()
        done += len(batch)
        print(f"  {done:>9,} permits  {time.monotonic() - started:6.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_user', 'id'), "
                       "(SELECT MAX(id) FROM accounts_user))")
        cursor.execute("ANALYZE accounts_user; ANALYZE parking_application; ANALYZE parking_permit")
    print(f"generated {count:,} permits in {time.monotonic() - started:.1f} s")


def delete() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM parking_permit WHERE holder_id IN (SELECT id FROM accounts_user "
                       "WHERE username LIKE %s)", ["bench%"])
        cursor.execute("DELETE FROM parking_application WHERE reference LIKE %s", ["BENCH-%"])
        cursor.execute("DELETE FROM accounts_user WHERE username LIKE %s", ["bench%"])
    print("benchmark rows deleted")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--delete", action="store_true", help="remove the generated rows instead")
    args = parser.parse_args()
    setup_django()
    delete() if args.delete else generate(args.count, args.seed)
