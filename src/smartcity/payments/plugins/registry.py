"""Provider plugins by name. Plugins register on import; PaymentsConfig.ready() imports the contrib modules."""

from collections.abc import Callable

from .base import PaymentProvider

_providers: dict[str, PaymentProvider] = {}


def register(name: str) -> Callable[[type[PaymentProvider]], type[PaymentProvider]]:
    def decorator(cls: type[PaymentProvider]) -> type[PaymentProvider]:
        if name in _providers:
            raise ValueError(f"payment provider {name!r} is registered twice")
        cls.name = name
        _providers[name] = cls()
        return cls

    return decorator


def get(name: str) -> PaymentProvider:
    try:
        return _providers[name]
    except KeyError:
        raise LookupError(f"unknown payment provider {name!r}; known: {sorted(_providers)}") from None


def names() -> list[str]:
    return sorted(_providers)
