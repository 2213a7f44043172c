"""Demo data registry.

Each app may have a module ``<app>/demo.py`` with ``load(stdout) -> None`` (idempotent) and optionally
``LOGINS: list[tuple[str, str, str]]`` (role, username, password) for `demo_logins`. Apps load in
INSTALLED_APPS order, which is the dependency order.
"""

from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from django.apps import apps


def demo_modules() -> Iterator[tuple[str, ModuleType]]:
    for config in apps.get_app_configs():
        if not config.name.startswith("smartcity."):
            continue
        name = f"{config.name}.demo"
        if find_spec(name) is not None:
            yield config.label, import_module(name)
