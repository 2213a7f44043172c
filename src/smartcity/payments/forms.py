from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class RefundForm(forms.Form):
    amount = forms.DecimalField(label=_("Betrag in Euro"), min_value=Decimal("0.01"), max_digits=9, decimal_places=2,
                                localize=True, error_messages={
                                    "required": _("Bitte geben Sie den Betrag an."),
                                    "invalid": _("Bitte geben Sie den Betrag als Zahl an, z. B. 12,50."),
                                    "min_value": _("Der Betrag muss größer als 0 sein."),
                                    "max_decimal_places": _("Bitte höchstens zwei Nachkommastellen angeben."),
                                })
    reason = forms.CharField(label=_("Grund der Erstattung"), max_length=250,
                             error_messages={"required": _("Bitte geben Sie einen Grund an.")})

    @property
    def amount_cents(self) -> int:
        return int(self.cleaned_data["amount"] * 100)
