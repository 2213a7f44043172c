"""Which accounts must log in with a second factor besides staff and admins.

Other apps add a rule in their AppConfig.ready(), e.g. the open data portal for the editors of an
organisation, who publish in the city's name. Rules run at login only, never per request."""

from collections.abc import Callable

Rule = Callable[[object], bool]
_rules: list[Rule] = []


def register(rule: Rule) -> Rule:
    if rule not in _rules:
        _rules.append(rule)
    return rule


def required_by_an_app(user: object) -> bool:
    return any(rule(user) for rule in _rules)
