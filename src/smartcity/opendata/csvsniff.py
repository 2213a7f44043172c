"""Reading CSV files as municipal portals get them: UTF-8 or Windows-1252, comma or semicolon,
German decimal commas. Pure Python; used by the DataStore loader."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

SAMPLE_BYTES = 64 * 1024


class CsvProblem(ValueError):
    """The file cannot be loaded; the message is shown to the editor (German)."""


@dataclass(frozen=True)
class Layout:
    encoding: str
    delimiter: str
    quotechar: str = '"'


def detect_encoding(sample: bytes) -> str:
    if b"\x00" in sample:
        raise CsvProblem("Die Datei enthält Binärdaten (NUL-Bytes) und ist keine CSV-Datei.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            # A multi-byte sequence may be cut at the sample boundary; ignore a trailing fragment.
            sample.decode(encoding) if encoding != "utf-8-sig" else _decode_utf8_prefix(sample)
            return encoding
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _decode_utf8_prefix(sample: bytes) -> str:
    try:
        return sample.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start >= len(sample) - 3:
            return sample[: exc.start].decode("utf-8-sig")
        raise


def detect_layout(sample: bytes) -> Layout:
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    if not text.strip():
        raise CsvProblem("Die Datei ist leer.")
    first_line = text.splitlines()[0]
    try:
        dialect = csv.Sniffer().sniff(text[:16384], delimiters=",;\t|")
        delimiter = dialect.delimiter
    except csv.Error:
        # One-column files or unusual quoting: fall back to the delimiter that occurs most in the header.
        delimiter = max(",;\t|", key=first_line.count)
    return Layout(encoding, delimiter)


def read_rows(stream: io.BufferedIOBase, layout: Layout) -> tuple[list[str], Iterator[list[str]]]:
    """Return the cleaned header and an iterator over data rows; raises CsvProblem with a line number."""
    text = io.TextIOWrapper(stream, encoding=layout.encoding, errors="strict", newline="")
    reader = csv.reader(text, delimiter=layout.delimiter, quotechar=layout.quotechar, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise CsvProblem("Die Datei ist leer.")
    except (csv.Error, UnicodeDecodeError) as exc:
        raise CsvProblem(f"Kopfzeile nicht lesbar: {exc}")
    header = clean_header(header)

    def rows() -> Iterator[list[str]]:
        line = 1
        try:
            for row in reader:
                line = reader.line_num
                if not row or all(not cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise CsvProblem(f"Zeile {line}: {len(row)} Spalten statt {len(header)} wie in der Kopfzeile.")
                yield row
        except csv.Error as exc:
            raise CsvProblem(f"Zeile {line + 1}: ungültiges CSV ({exc}).")
        except UnicodeDecodeError:
            raise CsvProblem(f"Zeile {line + 1}: Zeichenkodierung nicht lesbar.")

    return header, rows()


def clean_header(header: list[str]) -> list[str]:
    names: list[str] = []
    for i, raw in enumerate(header):
        name = re.sub(r"\s+", " ", raw.strip()) or f"spalte_{i + 1}"
        if name.startswith("_"):
            name = name.lstrip("_") or f"spalte_{i + 1}"
        base, n = name, 2
        while name in names:
            name = f"{base}_{n}"
            n += 1
        names.append(name)
    if len(names) < 1 or all(n.startswith("spalte_") for n in names) and len(names) == 1:
        raise CsvProblem("Die Kopfzeile fehlt oder ist leer.")
    return names


_INT = re.compile(r"^[+-]?\d{1,18}$")
_NUM = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)?)?$")
TYPE_ORDER = ("int", "numeric", "timestamp", "text")


def cell_type(value: str) -> str | None:
    """Narrowest type of one cell; None for an empty cell (fits every type)."""
    value = value.strip()
    if not value:
        return None
    if _INT.match(value):
        return "int"
    if _NUM.match(value):
        return "numeric"
    if _DATE.match(value):
        return "timestamp"
    return "text"


def widen(current: str | None, new: str | None) -> str | None:
    if new is None:
        return current
    if current is None:
        return new
    if {current, new} <= {"int", "numeric"}:
        return "numeric"
    return current if current == new else "text"


def convert(value: str, kind: str):
    value = value.strip()
    if value == "":
        return None
    if kind == "int":
        return int(value)
    if kind == "numeric":
        return float(value.replace(",", "."))
    if kind == "timestamp":
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00")) if len(value) > 10 else date.fromisoformat(value)
        return parsed.isoformat()
    return value
