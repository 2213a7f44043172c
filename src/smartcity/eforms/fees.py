"""Fee rules of declarative services. Pure Python: the amount due and the texts the catalogue shows.

Rule shapes (``fee`` in a definition)::

    {"kind": "none"}
    {"kind": "fixed", "amount_cents": 2500}
    {"kind": "per_quantity", "quantity_field": "anzahl", "first_cents": 1200, "further_cents": 600}

Each may carry ``purpose`` (booking text, ≤ 27 characters) and ``note`` ({"de", "en"}: extra text such as
"the dog tax itself is assessed by notice").
"""

from typing import Any


def euro(cents: int, lang: str = "de") -> str:
    """12,00 € in German, €12.00 in English."""
    if lang == "en":
        return f"€{cents / 100:,.2f}"
    return f"{cents / 100:,.2f} €".replace(",", "X").replace(".", ",").replace("X", ".")


def quantity(rule: dict[str, Any], data: dict[str, Any]) -> int:
    value = data.get(rule.get("quantity_field", ""), 1)
    try:
        return max(1, int(value))
    except (TypeError, ValueError):
        return 1


def amount_due(rule: dict[str, Any] | None, data: dict[str, Any]) -> int:
    """The fee in cents for these answers."""
    kind = (rule or {}).get("kind", "none")
    if kind == "fixed":
        return int(rule["amount_cents"])
    if kind == "per_quantity":
        return int(rule["first_cents"]) + (quantity(rule, data) - 1) * int(rule["further_cents"])
    return 0


def fee_lines(rule: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The rule as catalogue fee lines: [{"amount_cents", "text_de", "text_en"}] (single source of fees)."""
    rule = rule or {"kind": "none"}
    kind = rule.get("kind", "none")
    lines: list[dict[str, Any]] = []
    if kind == "fixed":
        cents = int(rule["amount_cents"])
        lines.append({"amount_cents": cents, "text_de": euro(cents), "text_en": euro(cents, "en")})
    elif kind == "per_quantity":
        first, further = int(rule["first_cents"]), int(rule["further_cents"])
        lines.append({"amount_cents": first, "text_de": f"{euro(first)} für das erste Exemplar",
                      "text_en": f"{euro(first, 'en')} for the first copy"})
        lines.append({"amount_cents": further, "text_de": f"{euro(further)} für jedes weitere Exemplar",
                      "text_en": f"{euro(further, 'en')} for each further copy"})
    note = rule.get("note") or {}
    if note:
        lines.append({"amount_cents": None, "text_de": note.get("de", ""), "text_en": note.get("en", "")})
    if not lines:
        lines.append({"amount_cents": 0, "text_de": "Gebührenfrei", "text_en": "Free of charge"})
    return lines
