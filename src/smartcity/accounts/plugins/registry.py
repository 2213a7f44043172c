"""Registered login providers, in the order the login page offers them."""

from collections.abc import Callable

from .base import LoginProvider

_providers: dict[str, LoginProvider] = {}


def register(identifier: str) -> Callable[[type[LoginProvider]], type[LoginProvider]]:
    def decorator(cls: type[LoginProvider]) -> type[LoginProvider]:
        if identifier in _providers:
            raise ValueError(f"login provider {identifier!r} registered twice")
        instance = cls()
        instance.identifier = identifier
        _providers[identifier] = instance
        return cls

    return decorator


def get(identifier: str) -> LoginProvider:
    """The enabled provider with this identifier; KeyError otherwise."""
    provider = _providers[identifier]
    if not provider.is_enabled():
        raise KeyError(identifier)
    return provider


def enabled() -> list[LoginProvider]:
    return [p for p in _providers.values() if p.is_enabled()]


def all_providers() -> list[LoginProvider]:
    return list(_providers.values())
