"""Which steps and fields apply to a set of answers. Pure Python (no Django)."""

from typing import Any

from . import conditions


def visible_steps(definition: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for step in definition["steps"] if conditions.evaluate(step.get("condition"), answers)]


def visible_fields(step: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    return [field for field in step["fields"] if conditions.evaluate(field.get("condition"), answers)]


def find_step(definition: dict[str, Any], key: str) -> dict[str, Any] | None:
    return next((step for step in definition["steps"] if step["key"] == key), None)


def neighbours(definition: dict[str, Any], answers: dict[str, Any], key: str) -> tuple[str | None, str | None]:
    """Keys of the visible steps before and after ``key`` (None at either end)."""
    keys = [step["key"] for step in visible_steps(definition, answers)]
    if key not in keys:
        return None, keys[0] if keys else None
    i = keys.index(key)
    return (keys[i - 1] if i > 0 else None), (keys[i + 1] if i + 1 < len(keys) else None)


def visible_answers(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """Only the answers to fields the applicant actually sees; hidden ones are not submitted.

    Steps are evaluated in order against the answers kept so far, so an answer that hides a step also drops
    the answers of fields whose conditions depended on that step.
    """
    kept: dict[str, Any] = {}
    for step in definition["steps"]:
        if not conditions.evaluate(step.get("condition"), kept):
            continue
        for field in step["fields"]:
            if conditions.evaluate(field.get("condition"), kept) and field["key"] in answers:
                kept[field["key"]] = answers[field["key"]]
    return kept


def document_ids(definition: dict[str, Any], answers: dict[str, Any]) -> list[str]:
    """Uploaded documents among the visible answers."""
    kept = visible_answers(definition, answers)
    return [value["document"] for step in definition["steps"] for field in step["fields"]
            if field["type"] == "file" and isinstance(value := kept.get(field["key"]), dict) and "document" in value]
