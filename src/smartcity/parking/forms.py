from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .rules.plates import SAME_PLATE_TWICE, InvalidInput, normalise_plate, normalise_vin_fragment


class _PlateMixin:
    """Plate and VIN fragment validated with the rule module's German messages."""

    def clean_plate(self) -> str:
        try:
            return normalise_plate(self.cleaned_data["plate"])
        except InvalidInput as exc:
            raise forms.ValidationError(gettext(str(exc))) from exc

    def clean_vin_suffix(self) -> str:
        try:
            return normalise_vin_fragment(self.cleaned_data["vin_suffix"])
        except InvalidInput as exc:
            raise forms.ValidationError(gettext(str(exc))) from exc


def duration_choices(durations: list[int], fees: dict[int, str]) -> list[tuple[str, str]]:
    choices = []
    for months in durations:
        label = _("%(months)s Monate") % {"months": months}
        if months in fees:
            label = f"{label} – {fees[months]}"
        choices.append((str(months), label))
    return choices


class ApplicationForm(_PlateMixin, forms.Form):
    plate = forms.CharField(label=_("Kennzeichen"), max_length=14,
                            help_text=_("Wie auf dem Schild, z. B. „D-AB 1234“."))
    vin_suffix = forms.CharField(label=_("Letzte 4 Zeichen der Fahrzeug-Identifizierungsnummer (FIN)"), max_length=6,
                                 help_text=_("Feld E der Zulassungsbescheinigung Teil I."))
    months = forms.TypedChoiceField(label=_("Laufzeit"), coerce=int, widget=forms.RadioSelect)
    second_plate = forms.CharField(label=_("Zweites Kennzeichen (nur in begründeten Einzelfällen)"), max_length=14,
                                   required=False)
    usage_document = forms.FileField(
        label=_("Nutzungsbestätigung des Halters (bei Firmen- oder Leasingwagen)"), required=False,
        help_text=_("PDF, JPEG oder PNG, höchstens 10 MB."))
    special_circumstances = forms.CharField(
        label=_("Besondere Umstände"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Schildern Sie hier, was wir bei der Entscheidung außerdem wissen sollten. Ihr Antrag wird dann "
                    "von einer Person geprüft."))

    def __init__(self, *args, durations: list[int], fees: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = duration_choices(durations, fees)

    def clean_second_plate(self) -> str:
        value = self.cleaned_data.get("second_plate", "")
        if not value.strip():
            return ""
        try:
            second = normalise_plate(value)
        except InvalidInput as exc:
            raise forms.ValidationError(gettext(str(exc))) from exc
        if second == self.cleaned_data.get("plate"):
            raise forms.ValidationError(gettext(SAME_PLATE_TWICE))
        return second


class RenewalForm(forms.Form):
    months = forms.TypedChoiceField(label=_("Laufzeit der Verlängerung"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, durations: list[int], fees: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = duration_choices(durations, fees)


class PlateChangeForm(_PlateMixin, forms.Form):
    plate = forms.CharField(label=_("Neues Kennzeichen"), max_length=14, help_text=_("z. B. „D-AB 1234“"))
    vin_suffix = forms.CharField(label=_("Letzte 4 Zeichen der FIN des neuen Fahrzeugs"), max_length=6,
                                 help_text=_("Feld E der Zulassungsbescheinigung Teil I."))


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(label=_("Ich bestätige die Angaben."), required=True,
                                 error_messages={"required": _("Bitte bestätigen Sie, um fortzufahren.")})


class StatementForm(forms.Form):
    statement = forms.CharField(label=_("Ihre Stellungnahme"), max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 6}),
                                error_messages={"required": _("Bitte schreiben Sie Ihre Stellungnahme.")})


class AddressCheckForm(forms.Form):
    street = forms.CharField(label=_("Straße"), max_length=120)
    house_number = forms.CharField(label=_("Hausnummer"), max_length=12)
    postcode = forms.RegexField(label=_("Postleitzahl"), regex=r"^\d{5}$",
                                error_messages={"invalid": _("Die Postleitzahl hat fünf Ziffern.")})


class ZoneForm(forms.Form):
    """The caseworker sets the zone of an application the registers could not place."""

    zone = forms.ModelChoiceField(label=_("Bewohnerparkgebiet"), queryset=None, empty_label=None)

    def __init__(self, *args, **kwargs) -> None:
        from django.db.models import Q
        from django.utils import timezone

        from .models import Zone

        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["zone"].queryset = Zone.objects.filter(
            Q(active_until__isnull=True) | Q(active_until__gte=today)).order_by("code")


class HearingForm(forms.Form):
    reasons = forms.CharField(label=_("Gründe der beabsichtigten Ablehnung"), max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))
