"""Demo catalogue: about 35 Düsseldorf services from data/demo_services.yaml (idempotent by LeiKa key)."""

from pathlib import Path
from typing import Any

import yaml

from .exchange import import_rows

DATA = Path(__file__).resolve().parent / "data" / "demo_services.yaml"


def demo_rows() -> list[dict[str, Any]]:
    """Expand the compact demo file into the export/import format."""
    data = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    categories = {slug: {"slug": slug, "name_de": de, "name_en": en, "position": i}
                  for i, (slug, de, en) in enumerate(data["categories"])}
    rows = []
    for entry in data["services"]:
        row = {
            "leika_key": entry["leika_key"],
            "slug": entry["slug"],
            "name_de": entry["name"][0],
            "name_en": entry["name"][1],
            "description_de": entry["description"][0],
            "description_en": entry["description"][1],
            "keywords": entry.get("keywords", ""),
            "legal_basis": entry.get("legal_basis", ""),
            "ozg_level": entry.get("ozg_level", 1),
            "online": entry.get("online", False),
            "online_url_name": entry.get("online_url_name", ""),
            "department": {"code": entry["department"], "name": data["departments"][entry["department"]]},
            "categories": [categories[slug] for slug in entry.get("categories", [])],
            "required_documents_de": entry["documents"][0],
            "required_documents_en": entry["documents"][1],
        }
        # Services with a declarative online form take their fees from the form definition (eforms).
        if "fees" in entry:
            row["fees"] = [{"amount_cents": amount, "text_de": de, "text_en": en} for amount, de, en in entry["fees"]]
        rows.append(row)
    return rows


def load(stdout) -> None:
    created, updated = import_rows(demo_rows(), actor="system:demo")
    stdout.write(f"  Leistungskatalog: {created} angelegt, {updated} aktualisiert")
