"""One row by primary key with its foreign-key neighbours, as SQL written once per process.

``Model.objects.select_related(…).select_for_update(of=("self",)).get(pk=…)`` costs 0.5–1 ms of Python per call
for compiling the query (columns, joins, lookups) before PostgreSQL sees it; a hot path that reads the same shape
on every request or task (the parking permit pipeline reads its application five times per permit) pays that
again and again. ``RowLoader`` builds the statement from the models' metadata once and makes the instances the way
the ORM does: values through the fields' and the backend's database converters, ``Model.from_db`` (so deferred
columns and per-model hooks behave as usual) and the joined rows cached on the foreign keys as ``select_related``
caches them. Only the shapes used here: one level of foreign keys, columns left out per model, extra boolean or
scalar SQL expressions, ``FOR UPDATE`` of the base row; the row found by its primary key (``get``) or by the columns
of another unique key (``by`` and ``find``, as ``filter(a=…, b=…).first()`` finds the only row); or, with one fixed
condition and order, pages of rows (``where``, ``page``: Meine Anträge's list, which every citizen's visit reads).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection, models
from django.db.models.signals import post_save, pre_save


@dataclass(frozen=True)
class _Part:
    model: type[models.Model]
    fields: tuple[models.Field, ...]
    via: models.ForeignKey | None  # None for the base model
    alias: str


class RowLoader:
    def __init__(self, model: type[models.Model], *, related: tuple[str, ...] = (), defer: tuple[str, ...] = (),
                 extra: dict[str, str] | None = None, lock: bool = False, by: tuple[str, ...] = (), where: str = "",
                 order_by: str = ""):
        """``related``: foreign keys of ``model`` whose rows come along (LEFT JOIN); ``defer``: "column" or
        "fk__column" left unread; ``extra``: attribute → SQL expression over the aliases ``t0`` (the base row) and
        ``t1``… (``related`` in order); ``lock``: ``FOR UPDATE OF`` the base row where the database has it; ``by``:
        the fields of a unique constraint of ``model`` that ``find`` matches exactly (instead of the primary key).
        ``where`` and ``order_by`` (SQL over the same aliases, ``%s`` for parameters) make a loader of pages of
        rows (``page``) instead of one row (``get``, ``find``)."""
        key = model._meta.pk.name
        if by and not (any(f.unique and (f.name,) == by for f in model._meta.concrete_fields) or any(
                tuple(c.fields) == by and not c.condition for c in model._meta.total_unique_constraints)):
            raise ValueError(f"{model._meta.label}: {by} is not a unique key")
        self.by = tuple(model._meta.get_field(name) for name in (by or (key,)))
        self.model, self.related, self.defer = model, related, set(defer)
        self.extra, self.lock, self.where, self.order_by = dict(extra or {}), lock, where, order_by
        self._plans: dict[str, tuple[str, list[tuple[_Part, list[list[Any]]]]]] = {}

    def _parts(self) -> list[_Part]:
        def fields(model: type[models.Model], prefix: str) -> tuple[models.Field, ...]:
            return tuple(f for f in model._meta.concrete_fields if prefix + f.name not in self.defer)

        parts = [_Part(self.model, fields(self.model, ""), None, "t0")]
        for i, name in enumerate(self.related, start=1):
            fk = self.model._meta.get_field(name)
            parts.append(_Part(fk.related_model, fields(fk.related_model, name + "__"), fk, f"t{i}"))
        return parts

    def _plan(self) -> tuple[str, list[tuple[_Part, list[list[Any]]]]]:
        plan = self._plans.get(connection.vendor)
        if plan is None:
            quote = connection.ops.quote_name
            parts = self._parts()
            columns = [f"{part.alias}.{quote(f.column)}" for part in parts for f in part.fields]
            columns += [f"({sql})" for sql in self.extra.values()]
            # Names from the models' metadata and expressions from the code; the key is the one parameter.
            sql = f"SELECT {', '.join(columns)} FROM {quote(self.model._meta.db_table)} t0"  # noqa: S608
            for part in parts[1:]:
                sql += (f" LEFT JOIN {quote(part.model._meta.db_table)} {part.alias} ON {part.alias}."
                        f"{quote(part.via.target_field.column)} = t0.{quote(part.via.column)}")
            if self.where:
                sql += f" WHERE {self.where}{f' ORDER BY {self.order_by}' if self.order_by else ''} LIMIT %s OFFSET %s"
            else:
                sql += " WHERE " + " AND ".join(f"t0.{quote(field.column)} = %s" for field in self.by)
            if self.lock and connection.features.has_select_for_update:
                sql += " FOR UPDATE OF t0" if connection.features.has_select_for_update_of else " FOR UPDATE"
            # The converters the ORM applies to these columns (e.g. JSON decoding; on SQLite dates, UUIDs, booleans).
            converters = [(part, [f.get_db_converters(connection) + connection.ops.get_db_converters(f.get_col(
                part.alias)) for f in part.fields]) for part in parts]
            plan = self._plans[connection.vendor] = (sql, converters)
        return plan

    def get(self, pk: Any) -> models.Model:
        """The instance (``DoesNotExist`` as ``get`` raises it), its ``related`` rows cached on the foreign keys and
        the ``extra`` values as attributes."""
        instance = self.find(pk)
        if instance is None:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        return instance

    def find(self, *values: Any) -> models.Model | None:
        """The instance whose ``by`` fields (the primary key by default) equal ``values``, as ``get`` makes it; None
        when there is none."""
        if self.where:
            raise TypeError("A loader with a condition reads pages (page), not one row.")
        sql, converters = self._plan()
        with connection.cursor() as cursor:
            cursor.execute(sql, [field.get_db_prep_value(value, connection)
                                 for field, value in zip(self.by, values, strict=True)])
            row = cursor.fetchone()
        return None if row is None else self._instance(row, converters)

    def page(self, params: list[Any], count: Callable[[], int]) -> "Rows":
        """The rows matching ``where`` with these parameters as a sequence for Django's ``Paginator``: a slice is one
        statement (``LIMIT``/``OFFSET``); ``count`` (e.g. an ORM ``count``) is called only when the paginator
        needs the number of rows."""
        if not self.where:
            raise TypeError("page needs a loader with a condition (where).")
        params = list(params)
        return Rows(lambda limit, offset: self._rows(params, limit, offset), count)

    def _rows(self, params: list[Any], limit: int, offset: int) -> list[models.Model]:
        sql, converters = self._plan()
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, limit, offset])
            rows = cursor.fetchall()
        return [self._instance(row, converters) for row in rows]

    def _instance(self, row: tuple, converters: list[tuple[_Part, list[list[Any]]]]) -> models.Model:
        values, start, instance = list(row), 0, None
        for part, field_converters in converters:
            chunk = values[start:start + len(part.fields)]
            start += len(part.fields)
            for i, functions in enumerate(field_converters):
                for convert in functions:
                    chunk[i] = convert(chunk[i], part.fields[i].get_col(part.alias), connection)
            if part.via is None:
                instance = self.model.from_db(connection.alias, [f.attname for f in part.fields], chunk)
                continue
            related = None
            if getattr(instance, part.via.attname) is not None:
                related = part.model.from_db(connection.alias, [f.attname for f in part.fields], chunk)
            part.via.set_cached_value(instance, related)
        for name, value in zip(self.extra, values[start:], strict=True):
            setattr(instance, name, value)
        return instance

    def refresh(self, instance: models.Model) -> None:
        """``instance.refresh_from_db()`` through this statement, doing what Django's does: every column read again,
        a cached related object replaced by the joined row or dropped, cached reverse relations dropped; and the state
        ``Model.from_db`` records (``_loaded`` of models that track their changed columns) taken over."""
        fresh = self.get(instance.pk)
        instance._prefetched_objects_cache = {}
        for field in self.model._meta.concrete_fields:
            if field.attname not in fresh.__dict__:
                continue  # left out (``defer``)
            setattr(instance, field.attname, fresh.__dict__[field.attname])
            if field.is_relation:
                if field.is_cached(fresh):
                    field.set_cached_value(instance, field.get_cached_value(fresh))
                elif field.is_cached(instance):
                    field.delete_cached_value(instance)
        for relation in self.model._meta.related_objects:
            if relation.is_cached(instance):
                relation.delete_cached_value(instance)
        if hasattr(fresh, "_loaded"):
            instance._loaded = fresh._loaded
        instance._state.adding, instance._state.db = False, fresh._state.db


class Rows:
    """Rows of one statement for Django's ``Paginator``: a slice (``[a:b]``) is ``fetch(limit, offset)``,
    ``count()`` calls ``count``; nothing runs before the paginator asks."""

    def __init__(self, fetch: Callable[[int, int], list], count: Callable[[], int]):
        self._fetch, self._count = fetch, count

    def count(self) -> int:
        return self._count()

    def __getitem__(self, index: slice) -> list:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("Only slices without a step.")
        start, stop = index.start or 0, index.stop
        if stop is None or start < 0 or stop < start:
            raise ValueError("Only bounded, non-negative slices.")
        return self._fetch(stop - start, start)


_UPDATES: dict[tuple[str, str, tuple[str, ...]], tuple[str, tuple[models.Field, ...]]] = {}


def save_columns(instance: models.Model, fields: list[str]) -> None:
    """``instance.save(update_fields=fields)`` as one UPDATE written once per process and shape: the same values
    (``auto_now`` columns set, prepared as the ORM prepares them) and the same error when the row is gone. A model
    with its own ``save`` or with save signal receivers is saved by the ORM, so nothing they do is skipped."""
    model = type(instance)
    if model.save is not models.Model.save or pre_save.has_listeners(model) or post_save.has_listeners(model):
        instance.save(update_fields=fields)
        return
    key = (connection.vendor, model._meta.label, tuple(fields))
    plan = _UPDATES.get(key)
    if plan is None:
        columns = tuple(model._meta.get_field(name) for name in fields)
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
        plan = _UPDATES[key] = (f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608 - names only
                                f"WHERE {quote(model._meta.pk.column)} = %s", columns)
    sql, columns = plan
    params = [field.get_db_prep_save(field.pre_save(instance, False), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, model._meta.pk.get_db_prep_value(instance.pk, connection)])
        if cursor.rowcount != 1:
            raise DatabaseError("Save with update_fields did not affect any rows.")
    instance._state.adding, instance._state.db = False, connection.alias


_INSERTS: dict[tuple[str, str, bool], tuple[str, tuple[models.Field, ...], tuple[models.Field, ...], list]] = {}


def insert(instance: models.Model) -> None:
    """``instance.save(force_insert=True)`` (what ``objects.create`` does) as one INSERT written once per process and
    model: the same values (``pre_save``: ``auto_now_add``, a file committed; prepared as the ORM prepares them), the
    columns the database assigns (an auto-increment key) read back with the ORM's converters, the instance's state
    set as after ``save``. A model with its own ``save``, save signal receivers, parent models or database defaults
    and a database without ``INSERT … RETURNING`` go through the ORM, so nothing they do is skipped."""
    model, meta = type(instance), type(instance)._meta
    if (model.save is not models.Model.save or pre_save.has_listeners(model) or post_save.has_listeners(model)
            or meta.parents or not connection.features.can_return_columns_from_insert
            or any(f.has_db_default() or f.generated for f in meta.concrete_fields)):
        instance.save(force_insert=True)
        return
    instance._prepare_related_fields_for_save(operation_name="save")
    with_key = meta.auto_field is None or instance.pk is not None
    key = (connection.vendor, meta.label, with_key)
    plan = _INSERTS.get(key)
    if plan is None:
        columns = tuple(f for f in meta.local_concrete_fields if with_key or f is not meta.auto_field)
        returning = tuple(meta.db_returning_fields)
        quote = connection.ops.quote_name
        sql = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in columns)}) "  # noqa: S608
               f"VALUES ({', '.join(['%s'] * len(columns))})")  # names only
        if returning:
            sql += f" RETURNING {', '.join(quote(f.column) for f in returning)}"
        converters = [connection.ops.get_db_converters(f.get_col(meta.db_table)) + f.get_db_converters(connection)
                      for f in returning]  # in the order the ORM's insert applies them
        plan = _INSERTS[key] = (sql, columns, returning, converters)
    sql, columns, returning, converters = plan
    params = [field.get_db_prep_save(field.pre_save(instance, True), connection) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone() if returning else ()
    for field, functions, value in zip(returning, converters, row, strict=True):
        for convert in functions:
            value = convert(value, field.get_col(meta.db_table), connection)
        setattr(instance, field.attname, value)
    instance._state.adding, instance._state.db = False, connection.alias


def create(model: type[models.Model], **values: Any) -> models.Model:
    """``model.objects.create(**values)`` through ``insert``."""
    instance = model(**values)
    insert(instance)
    return instance
