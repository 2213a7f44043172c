"""CSV export of the filtered queue, safe against spreadsheet formula injection."""

import csv
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from smartcity.cases.models import Case

HEADER = ["Aktenzeichen", "Leistung", "Antragsteller/in", "Status", "Eingang", "Frist", "Zuständig", "Abgeschlossen"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: object) -> str:
    """Cells starting like a formula are prefixed with an apostrophe, so spreadsheets show them as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _row(case: Case) -> list[str]:
    assignee = case.assignee.get_full_name() or case.assignee.get_username() if case.assignee else ""
    return [case.reference, case.case_type.name, case.applicant_name, case.status_label,
            timezone.localtime(case.received_at).strftime("%d.%m.%Y %H:%M"),
            case.due_date.strftime("%d.%m.%Y") if case.due_date else "", assignee,
            timezone.localtime(case.closed_at).strftime("%d.%m.%Y") if case.closed_at else ""]


def rows(cases: QuerySet[Case]) -> Iterator[str]:
    """Streams the export: semicolon-separated with a BOM, as German spreadsheet software expects."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow(HEADER)
    for case in cases.iterator(chunk_size=2000):
        yield writer.writerow([safe(cell) for cell in _row(case)])

