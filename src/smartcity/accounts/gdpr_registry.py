"""GDPR self-service across apps.

Each app may provide ``<app>/gdpr.py`` with ``export(user) -> dict`` (its data about the person, JSON-ready)
and ``erase(user) -> list[str]`` (deletes or anonymises what it may, returns German notes on what it keeps and
why). Erasure runs in reverse INSTALLED_APPS order so dependent data goes first; accounts itself comes last.
"""

from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType
from typing import Any

from django.apps import apps

from .models import User


def gdpr_modules() -> Iterator[tuple[str, str, ModuleType]]:
    """(label, verbose name, module) for every app with a gdpr module, in INSTALLED_APPS order."""
    for config in apps.get_app_configs():
        if not config.name.startswith("smartcity."):
            continue
        name = f"{config.name}.gdpr"
        if find_spec(name) is not None:
            yield config.label, str(config.verbose_name), import_module(name)


def export_all(user: User) -> dict[str, dict[str, Any]]:
    return {verbose: module.export(user) for _, verbose, module in gdpr_modules()}


def erase_all(user: User) -> list[str]:
    notes: list[str] = []
    for _, _, module in reversed(list(gdpr_modules())):
        notes.extend(module.erase(user))
    return notes
