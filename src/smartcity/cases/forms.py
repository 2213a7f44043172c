"""Form plumbing shared by the back office and Meine Anträge: KERN classes and accessible errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from smartcity.core.formfields import FieldCopiesMetaclass

WIDGET_CLASSES = {
    forms.Select: "kern-form-input__select",
    forms.CheckboxInput: "kern-form-check__checkbox",
    forms.Textarea: "kern-form-input__input",
}


class KernForm(forms.Form, metaclass=FieldCopiesMetaclass):
    """Adds KERN classes; after validation links each error to its field (aria-describedby, aria-invalid).
    Its instances copy the fields without ``copy.deepcopy`` (core/formfields.py)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = next((c for w, c in WIDGET_CLASSES.items() if isinstance(field.widget, w)), "kern-form-input__input")
            field.widget.attrs.setdefault("class", css)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                bound = self[name]
                described = [f"{bound.auto_id}_error"]
                if self.fields[name].help_text:
                    described.append(f"{bound.auto_id}_helptext")
                widget.attrs.update({"aria-describedby": " ".join(described), "aria-invalid": "true"})
                widget.attrs["class"] += " kern-form-input__input--error"


class MessageForm(KernForm):
    body = forms.CharField(label=_("Ihre Nachricht"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000,
                           required=False)
    attachment = forms.FileField(label=_("Datei anhängen"), required=False,
                                 help_text=_("PDF, JPEG oder PNG, höchstens 10 MB."))

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("body") or "").strip() and not data.get("attachment") and not self.errors:
            raise forms.ValidationError(_("Bitte schreiben Sie eine Nachricht oder hängen Sie eine Datei an."))
        return data
