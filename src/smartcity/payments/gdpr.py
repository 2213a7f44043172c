"""GDPR self-service: what the payments app holds about a person, and what it must keep."""

from django.utils import timezone

from .models import Payment


def export(user) -> dict:
    return {"zahlungen": [
        {"kassenzeichen": p.kassenzeichen, "betrag": p.amount_display, "verwendungszweck": p.purpose,
         "status": p.get_status_display(), "angelegt": timezone.localtime(p.created_at).isoformat(),
         "bezahlt": timezone.localtime(p.paid_at).isoformat() if p.paid_at else None, "erstattet": p.refunded_display}
        for p in Payment.objects.filter(payer=user).order_by("created_at")
    ]}


def erase(user) -> list[str]:
    count = Payment.objects.filter(payer=user).count()
    if not count:
        return []
    # The link to the account goes with the account (payer is SET_NULL); the cash record itself stays.
    return [f"{count} Zahlung(en) mit Kassenzeichen, Betrag und Verwendungszweck bleiben als Buchungsbelege der "
            "Stadtkasse für die Aufbewahrungsfristen des kommunalen Haushaltsrechts erhalten, jedoch ohne "
            "Verbindung zu Ihrem Konto."]
