"""The two demo services, defined entirely as data in definitions/*.yaml."""

from pathlib import Path

from . import services

DEFINITIONS = Path(__file__).resolve().parent / "definitions"


def load(stdout) -> None:
    for path in sorted(DEFINITIONS.glob("*.yaml")):
        form = services.load_definition_path(path, actor="system:demo")
        stdout.write(f"  Online-Antrag „{form.title_de}“ (Version {form.version})")
