"""Mailbox messages: exported, and deleted with the account (the case records keep what must be kept)."""

from typing import Any

from django.utils.translation import gettext as _

from smartcity.accounts.models import User

from .models import Notification


def export(user: User) -> dict[str, Any]:
    return {_("Postfach"): [{"Zeit": n.created_at, "Betreff": n.subject, "Text": n.body, "Gelesen": n.read_at}
                            for n in Notification.objects.filter(user=user)]}


def erase(user: User) -> list[str]:
    deleted, _details = Notification.objects.filter(user=user).delete()
    return [_("%(n)d Nachricht(en) in Ihrem Postfach wurden gelöscht.") % {"n": deleted}] if deleted else []
