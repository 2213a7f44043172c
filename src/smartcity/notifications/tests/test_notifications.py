from django.core import mail
from django.urls import reverse

from smartcity.accounts.testing import login_citizen
from smartcity.notifications.models import Notification
from smartcity.notifications.services import notify, unread_count


def test_notify_stores_and_mails(citizen):
    notification = notify(citizen, "Betreff", "Text", link="/meine-antraege/")
    assert notification.emailed and unread_count(citizen) == 1
    assert mail.outbox[-1].subject == "Betreff" and "/meine-antraege/" in mail.outbox[-1].body


def test_failing_mail_server_keeps_the_mailbox_entry(citizen, settings):
    settings.EMAIL_BACKEND = "smartcity.notifications.tests.broken_backend.Backend"
    notification = notify(citizen, "Betreff", "Text")
    assert Notification.objects.filter(pk=notification.pk, emailed=False).exists()


def test_mailbox_unread_state_and_ownership(client, citizen, other_citizen):
    mine = notify(citizen, "Ihr Antrag", "Text")
    foreign = notify(other_citizen, "Fremd", "Geheim")
    login_citizen(client, citizen)
    body = client.get(reverse("notifications:mailbox")).content.decode()
    assert "1 ungelesene Nachricht" in body and "Fremd" not in body
    assert client.get(reverse("notifications:detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("notifications:detail", args=[mine.pk])).status_code == 200
    mine.refresh_from_db()
    assert mine.read_at is not None
    notify(citizen, "Zweite", "Text")
    assert client.post(reverse("notifications:mark_all_read")).status_code == 302
    assert unread_count(citizen) == 0


def test_mail_footer_follows_the_recipients_language(citizen):
    citizen.language = "en"
    notify(citizen, "Subject", "Text")
    assert "also find this message in your mailbox" in mail.outbox[-1].body
    citizen.language = "xx"  # unknown values fall back to German
    notify(citizen, "Betreff", "Text")
    assert "Postfach im Digitalen Rathaus" in mail.outbox[-1].body
