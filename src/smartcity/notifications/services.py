"""Tell a user something: a portal mailbox message plus an e-mail copy."""

import logging
from contextlib import AbstractContextManager
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from smartcity.core.rows import create

from .models import Notification

log = logging.getLogger(__name__)


def in_language_of(user: Any) -> AbstractContextManager:
    """Write a message in the recipient's chosen language: build subject and body inside this block."""
    language = getattr(user, "language", "")
    return translation.override(language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE)


def notify(user: Any, subject: str, body: str, *, case: Any = None, link: str = "") -> Notification:
    """Store the mailbox message, then e-mail it. A failing mail server never loses the mailbox entry.

    Callers build subject and body inside ``in_language_of(user)``; the e-mail's footer follows the same language."""
    notification = create(Notification, user=user, subject=subject[:200], body=body, case=case, link=link)
    if user.email:
        text = body
        if link:
            text += f"\n\n{settings.SITE_URL}{link}" if link.startswith("/") else f"\n\n{link}"
        with in_language_of(user):
            text += "\n\n" + _("Diese Nachricht finden Sie auch in Ihrem Postfach im Digitalen Rathaus.")
        try:
            send_mail(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        except Exception:  # noqa: BLE001 - the mailbox entry is the record; mail is best effort
            log.exception("notification e-mail failed", extra={"notification": notification.pk})
        else:
            Notification.objects.filter(pk=notification.pk).update(emailed=True)
            notification.emailed = True
    return notification


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])


def unread_count(user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
