from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from .models import TrustLevel, User


class AccessibleFormMixin:
    """KERN classes on inputs; after validation, invalid inputs point to their error text (aria-describedby)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                continue
            css = "kern-form-input__select" if isinstance(widget, forms.Select) else "kern-form-input__input"
            widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                described = attrs.get("aria-describedby", "").replace(f"id_{name}_error", "").strip()
                attrs["aria-describedby"] = f"{described} id_{name}_error".strip()


def email_field(label: str) -> forms.EmailField:
    """An e-mail field with the portal's formal German messages (Django's own address the user informally)."""
    return forms.EmailField(label=label, max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}),
                            error_messages={"invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse ein."),
                                            "required": _("Bitte geben Sie Ihre E-Mail-Adresse ein.")})


class LoginForm(AccessibleFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("Die Anmeldung ist fehlgeschlagen. Bitte prüfen Sie E-Mail-Adresse bzw. Benutzername "
                           "und Passwort. Nach mehreren Fehlversuchen wird der Zugang vorübergehend gesperrt."),
        "inactive": _("Dieses Konto ist nicht aktiv."),
    }

    def __init__(self, request=None, *args, **kwargs) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-Mail-Adresse oder Benutzername")
        self.fields["username"].widget.attrs["autocomplete"] = "username"
        self.fields["password"].label = _("Passwort")


class TokenForm(AccessibleFormMixin, forms.Form):
    otp_token = forms.CharField(
        label=_("Sicherheitscode"), max_length=8, min_length=6,
        help_text=_("Der sechsstellige Code aus Ihrer Authenticator-App."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9]*", "aria-describedby": "id_otp_token_helptext"}),
        error_messages={"required": _("Bitte geben Sie den Sicherheitscode ein."),
                        "min_length": _("Der Sicherheitscode hat sechs Ziffern.")},
    )

    def clean_otp_token(self) -> str:
        token = self.cleaned_data["otp_token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError(_("Der Sicherheitscode besteht nur aus Ziffern."))
        return token


class RegistrationForm(AccessibleFormMixin, forms.Form):
    first_name = forms.CharField(label=_("Vorname"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Nachname"), max_length=150,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = email_field(_("E-Mail-Adresse"))
    password1 = forms.CharField(
        label=_("Passwort"), strip=False,
        help_text=_("Mindestens 10 Zeichen; nicht nur Ziffern und kein gängiges Passwort."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "aria-describedby": "id_password1_helptext"}),
    )
    password2 = forms.CharField(label=_("Passwort wiederholen"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    privacy = forms.BooleanField(label=_("Ich habe die Datenschutzhinweise gelesen."),
                                 error_messages={"required": _("Bitte bestätigen Sie die Datenschutzhinweise.")})

    def clean_email(self) -> str:
        # An existing address is not an error here: the view mails its owner, so the form reveals no accounts.
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict:
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Die Passwörter stimmen nicht überein."))
        elif p1:
            probe = User(email=data.get("email", ""), first_name=data.get("first_name", ""),
                         last_name=data.get("last_name", ""))
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ProfileForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "birth_date", "street", "house_number", "postcode", "city", "language"]
        labels = {"first_name": _("Vorname"), "last_name": _("Nachname")}
        widgets = {
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "birth_date": forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "language": forms.RadioSelect,
        }
        help_texts = {"language": _("In dieser Sprache schreiben wir Ihnen Nachrichten und E-Mails.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.instance.verified_fields:
            if name in self.fields:
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Von Ihrem Identitätsnachweis bestätigt; nicht änderbar.")
                self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_helptext"

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not (len(postcode) == 5 and postcode.isdigit()):
            raise forms.ValidationError(_("Bitte geben Sie eine fünfstellige Postleitzahl ein."))
        return postcode


class CurrentPasswordForm(AccessibleFormMixin, forms.Form):
    """A change the account holder confirms with the current password (if the account has one)."""

    password = forms.CharField(label=_("Passwort zur Bestätigung"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, user: User, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]  # accounts created by an identity provider have no password

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Das Passwort ist nicht korrekt."))
        return password


class DeleteAccountForm(CurrentPasswordForm):
    confirm = forms.BooleanField(label=_("Ich möchte mein Konto und meine Daten endgültig löschen."),
                                 error_messages={"required": _("Bitte bestätigen Sie die Löschung.")})
    field_order = ["confirm", "password"]


class EmailChangeForm(CurrentPasswordForm):
    email = email_field(_("Neue E-Mail-Adresse"))
    field_order = ["email", "password"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email == (self.user.email or "").lower():
            raise forms.ValidationError(_("Das ist bereits Ihre E-Mail-Adresse."))
        return email


class SimulatorForm(AccessibleFormMixin, forms.Form):
    person = forms.ChoiceField(label=_("Testperson"), widget=forms.RadioSelect)
    trust_level = forms.ChoiceField(
        label=_("Vertrauensniveau"), widget=forms.RadioSelect,
        choices=[(c.value, c.label) for c in TrustLevel if c.value],
    )

    def __init__(self, persons: list[tuple[str, str]], *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = persons


class ResetForm(AccessibleFormMixin, PasswordResetForm):
    pass


class NewPasswordForm(AccessibleFormMixin, SetPasswordForm):
    pass


class ChangePasswordForm(AccessibleFormMixin, PasswordChangeForm):
    pass
