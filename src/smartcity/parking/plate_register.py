"""The plates of permits in their own table (``PermitPlate``), kept in step with ``parking_permit`` by triggers.

Why triggers: one plate may belong to at most one active permit, as first or as second plate, and that has to
hold in the database even when two approvals race. A unique index can only compare one column across rows, so
both plates of a permit are rows of ``parking_permitplate`` with a partial unique index on ``plate`` where
``active``. The triggers write those rows in the same statement that inserts, updates or deletes a permit, so
no write path can forget them (issuing, replacing, expiry, return, retention, the benchmark generator's COPY,
test factories) and a conflicting insert fails with an ``IntegrityError`` exactly as a unique constraint on
``parking_permit`` itself would. See docs/adr/0051-permit-plates-table.md.

SQLite and migrations: Django rebuilds a table for many schema changes. A rebuilt ``parking_permit`` has no
triggers, and rebuilding ``parking_permitplate`` fails while triggers name it ("error in trigger …: no such
table"). So on SQLite the triggers are dropped before every ``migrate`` (``pre_migrate``: ``drop_before_migrate``)
and installed again, with the rows rebuilt, after it (``post_migrate``: ``ensure_triggers``). On PostgreSQL tables
are altered in place: the migration creates the triggers once and ``ensure_triggers`` only checks they exist.
"""

from typing import Any

from django.db import connections

PERMITS, PLATES = "parking_permit", "parking_permitplate"

# One function for the three triggers. An update that leaves the plates alone (expiry, return, replacement)
# only flips ``active``; a change of plates (retention blanks them) rewrites the rows.
_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION parking_permit_plates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM parking_permitplate WHERE permit_id = OLD.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.plate = OLD.plate AND NEW.second_plate = OLD.second_plate THEN
            UPDATE parking_permitplate SET active = (NEW.status = 'active') WHERE permit_id = NEW.id;
            RETURN NULL;
        END IF;
        DELETE FROM parking_permitplate WHERE permit_id = NEW.id;
    END IF;
    INSERT INTO parking_permitplate (permit_id, slot, plate, active)
        SELECT NEW.id, v.slot, v.plate, NEW.status = 'active'
        FROM (VALUES (1, NEW.plate), (2, NEW.second_plate)) AS v (slot, plate) WHERE v.plate <> '';
    RETURN NULL;
END $$;
"""
_PG_TRIGGERS = [
    "CREATE OR REPLACE TRIGGER parking_permit_plates_insert AFTER INSERT ON parking_permit "
    "FOR EACH ROW EXECUTE FUNCTION parking_permit_plates()",
    "CREATE OR REPLACE TRIGGER parking_permit_plates_update AFTER UPDATE OF plate, second_plate, status "
    "ON parking_permit FOR EACH ROW WHEN (OLD.plate IS DISTINCT FROM NEW.plate "
    "OR OLD.second_plate IS DISTINCT FROM NEW.second_plate OR OLD.status IS DISTINCT FROM NEW.status) "
    "EXECUTE FUNCTION parking_permit_plates()",
    "CREATE OR REPLACE TRIGGER parking_permit_plates_delete AFTER DELETE ON parking_permit "
    "FOR EACH ROW EXECUTE FUNCTION parking_permit_plates()",
]
_PG_DROP = [f"DROP TRIGGER IF EXISTS parking_permit_plates_{event} ON parking_permit"
            for event in ("insert", "update", "delete")] + ["DROP FUNCTION IF EXISTS parking_permit_plates()"]

_SQLITE_ROWS = ("INSERT INTO parking_permitplate (permit_id, slot, plate, active) "
                "SELECT NEW.id, 1, NEW.plate, NEW.status = 'active' WHERE NEW.plate <> '' "
                "UNION ALL SELECT NEW.id, 2, NEW.second_plate, NEW.status = 'active' WHERE NEW.second_plate <> '';")
_SQLITE_INSERT = "CREATE TRIGGER IF NOT EXISTS parking_permit_plates_insert AFTER INSERT ON parking_permit BEGIN "
_SQLITE_UPDATE = ("CREATE TRIGGER IF NOT EXISTS parking_permit_plates_update "
                  "AFTER UPDATE OF plate, second_plate, status ON parking_permit "
                  "WHEN OLD.plate IS NOT NEW.plate OR OLD.second_plate IS NOT NEW.second_plate "
                  "OR OLD.status IS NOT NEW.status BEGIN DELETE FROM parking_permitplate WHERE permit_id = NEW.id; ")
_SQLITE_TRIGGERS = [
    _SQLITE_INSERT + _SQLITE_ROWS + " END",
    _SQLITE_UPDATE + _SQLITE_ROWS + " END",
    "CREATE TRIGGER IF NOT EXISTS parking_permit_plates_delete AFTER DELETE ON parking_permit "
    "BEGIN DELETE FROM parking_permitplate WHERE permit_id = OLD.id; END",
]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS parking_permit_plates_{event}" for event in ("insert", "update", "delete")]


class PlateConflict(RuntimeError):
    """Existing data has one plate on several active permits; it must be resolved before migrating."""


def install_triggers(connection: Any) -> None:
    statements = ([_PG_FUNCTION, *_PG_TRIGGERS] if connection.vendor == "postgresql" else _SQLITE_TRIGGERS)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_triggers(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in _PG_DROP if connection.vendor == "postgresql" else _SQLITE_DROP:
            cursor.execute(statement)


def triggers_installed(connection: Any) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND tgname LIKE %s",
                           [PERMITS, "parking_permit_plates_%"])
        else:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
                           "AND name LIKE %s", [PERMITS, "parking_permit_plates_%"])
        return cursor.fetchone()[0] == 3


_ACTIVE_PLATES = ("SELECT plate FROM parking_permit WHERE status = 'active' AND plate <> '' UNION ALL "
                  "SELECT second_plate FROM parking_permit WHERE status = 'active' AND second_plate <> ''")


def conflicts(connection: Any) -> list[tuple[str, list[str]]]:
    """Plates held by more than one active permit (first or second plate), with the permit numbers."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT plate FROM ({_ACTIVE_PLATES}) AS t GROUP BY plate HAVING count(*) > 1 "  # noqa: S608
                       "ORDER BY plate")
        plates = [row[0] for row in cursor.fetchall()]
        found = []
        for plate in plates:
            cursor.execute("SELECT number FROM parking_permit WHERE status = 'active' AND (plate = %s OR "
                           "second_plate = %s) ORDER BY number", [plate, plate])
            found.append((plate, [row[0] for row in cursor.fetchall()]))
    return found


def rebuild(connection: Any) -> int:
    """Rewrite ``parking_permitplate`` from ``parking_permit`` (the data migration; safe to repeat).

    Refuses with ``PlateConflict`` if a plate is on several active permits: before this table, a second plate was
    not checked against other permits, so existing data may break the rule. The message names the permits; a
    caseworker resolves each (e.g. returns one permit) and the migration is run again."""
    clashes = conflicts(connection)
    if clashes:
        listed = "; ".join(f"{plate}: {', '.join(numbers)}" for plate, numbers in clashes)
        raise PlateConflict(f"{len(clashes)} plate(s) are on more than one active permit – resolve first: {listed}")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM parking_permitplate")
        cursor.execute(
            "INSERT INTO parking_permitplate (permit_id, slot, plate, active) "
            "SELECT id, 1, plate, status = 'active' FROM parking_permit WHERE plate <> '' UNION ALL "
            "SELECT id, 2, second_plate, status = 'active' FROM parking_permit WHERE second_plate <> ''")
        return cursor.rowcount


def _tables_exist(connection: Any) -> bool:
    tables = connection.introspection.table_names()
    return PERMITS in tables and PLATES in tables


def drop_before_migrate(using: str = "default", **_kwargs: Any) -> None:
    """``pre_migrate`` receiver: on SQLite, drop the triggers so table rebuilds in migrations work (see above)."""
    connection = connections[using]
    if connection.vendor == "sqlite" and _tables_exist(connection):
        drop_triggers(connection)


def ensure_triggers(using: str = "default", **_kwargs: Any) -> None:
    """``post_migrate`` receiver: install the triggers if they are missing, and on SQLite rebuild the rows written
    while they were gone (SQLite serves only the demo and tests)."""
    connection = connections[using]
    if _tables_exist(connection) and not triggers_installed(connection):
        install_triggers(connection)
        if connection.vendor != "postgresql":
            rebuild(connection)
