"""Catalogue export and import (JSON/CSV). Import is idempotent: rows are matched by LeiKa key."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from smartcity.accounts.models import Department
from smartcity.audit.services import record

from .models import Category, Service

FIELDS = ["leika_key", "slug", "name_de", "name_en", "description_de", "description_en", "keywords",
          "legal_basis", "ozg_level", "online", "online_url_name"]
LIST_FIELDS = ["fees", "required_documents_de", "required_documents_en"]
CSV_COLUMNS = [*FIELDS, "department_code", "department_name", "categories", "fees", "required_documents_de",
               "required_documents_en"]


def export_rows(services: Iterable[Service] | None = None) -> list[dict[str, Any]]:
    if services is None:
        services = Service.objects.select_related("department").prefetch_related("categories")
    rows = []
    for service in services:
        row = {field: getattr(service, field) for field in FIELDS}
        row.update({field: getattr(service, field) for field in LIST_FIELDS})
        row["department"] = {"code": service.department.code, "name": service.department.name}
        row["categories"] = [{"slug": c.slug, "name_de": c.name_de, "name_en": c.name_en, "position": c.position}
                             for c in service.categories.all()]
        rows.append(row)
    return rows


def export_csv(rows: list[dict[str, Any]]) -> str:
    """One line per service; lists joined with " | " and fees as "amount_cents:text" so spreadsheets can read it."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    for row in rows:
        flat = {field: row[field] for field in FIELDS}
        flat.update(
            department_code=row["department"]["code"],
            department_name=row["department"]["name"],
            categories=" | ".join(c["slug"] for c in row["categories"]),
            fees=" | ".join(f"{fee.get('amount_cents') if fee.get('amount_cents') is not None else ''}:"
                            f"{fee.get('text_de', '')}" for fee in row["fees"]),
            required_documents_de=" | ".join(row["required_documents_de"]),
            required_documents_en=" | ".join(row["required_documents_en"]),
        )
        writer.writerow(flat)
    return out.getvalue()


class CatalogueImportError(ValueError):
    """A row of an import file is invalid; the message names the row and the field."""


def import_rows(rows: list[dict[str, Any]], *, actor: Any = None) -> tuple[int, int]:
    """Create or update services by LeiKa key; all rows or none. Returns (created, updated)."""
    created = updated = 0
    with transaction.atomic():
        for number, row in enumerate(rows, start=1):
            try:
                was_created = _import_row(row)
            except (KeyError, TypeError, ValidationError) as exc:
                raise CatalogueImportError(f"Eintrag {number} ({row.get('leika_key', '?')}): {_describe(exc)}") from exc
            created += was_created
            updated += not was_created
        record(actor, "catalogue.import", object_type="catalogue.service", created=created, updated=updated)
    return created, updated


def _import_row(row: dict[str, Any]) -> bool:
    dept = row["department"]
    department, _ = Department.objects.get_or_create(code=dept["code"], defaults={"name": dept.get("name") or
                                                                                  dept["code"]})
    values = {field: row[field] for field in FIELDS if field in row and field != "leika_key"}
    values.update({field: list(row[field] or []) for field in LIST_FIELDS if field in row})
    service = Service.objects.filter(leika_key=row["leika_key"]).first() or Service(leika_key=row["leika_key"])
    was_created = service.pk is None
    for field, value in values.items():
        setattr(service, field, value)
    service.department = department
    service.full_clean(exclude=["categories"])
    service.save()
    categories = []
    for cat in row.get("categories", []):
        category, _ = Category.objects.update_or_create(
            slug=cat["slug"], defaults={"name_de": cat["name_de"], "name_en": cat.get("name_en", ""),
                                          "position": cat.get("position", 0)})
        categories.append(category)
    service.categories.set(categories)
    return was_created


def _describe(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"Pflichtfeld {exc.args[0]!r} fehlt"
    if isinstance(exc, ValidationError) and hasattr(exc, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in exc.message_dict.items())
    return str(exc)
