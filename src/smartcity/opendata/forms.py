"""Editor forms. They produce CKAN-style dicts so that the web UI and the API share one validation."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import vocab
from .models import Dataset, Group


class DatasetForm(forms.Form):
    title = forms.CharField(label=_("Titel"), max_length=500)
    name = forms.CharField(label=_("Kurzname (URL)"), max_length=100,
                           help_text=_("Kleinbuchstaben, Ziffern, - und _; z. B. parkhaeuser-duesseldorf"))
    owner_org = forms.ChoiceField(label=_("Organisation"))
    notes = forms.CharField(label=_("Beschreibung"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    tag_string = forms.CharField(label=_("Schlagwörter (durch Komma getrennt)"), required=False)
    groups = forms.MultipleChoiceField(label=_("Kategorien"), required=False, widget=forms.CheckboxSelectMultiple)
    license_id = forms.ChoiceField(label=_("Lizenz"), choices=[(k, v.title) for k, v in vocab.LICENSES.items()],
                                   initial=vocab.DEFAULT_LICENSE)
    frequency = forms.ChoiceField(label=_("Aktualisierung"), required=False,
                                  choices=[("", "–")] + [(k, v[0]) for k, v in vocab.FREQUENCIES.items()])
    maintainer = forms.CharField(label=_("Ansprechstelle"), max_length=200, required=False)
    maintainer_email = forms.EmailField(label=_("E-Mail der Ansprechstelle"), required=False)
    url = forms.URLField(label=_("Webseite zum Datensatz"), required=False, assume_scheme="https")
    temporal_start = forms.DateField(label=_("Zeitraum von"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    temporal_end = forms.DateField(label=_("Zeitraum bis"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    political_geocoding_uri = forms.URLField(label=_("Politische Geokodierung (URI)"), required=False,
                                             assume_scheme="https")

    def __init__(self, *args: Any, orgs=(), instance: Dataset | None = None, **kwargs: Any):
        if instance is not None:
            kwargs.setdefault("initial", {
                "title": instance.title, "name": instance.name, "owner_org": instance.organization.name,
                "notes": instance.notes, "tag_string": ", ".join(t.name for t in instance.tags.all()),
                "groups": [g.name for g in instance.groups.all()], "license_id": instance.license_id,
                "frequency": instance.frequency, "maintainer": instance.maintainer,
                "maintainer_email": instance.maintainer_email, "url": instance.url,
                "temporal_start": instance.temporal_start, "temporal_end": instance.temporal_end,
                "political_geocoding_uri": instance.political_geocoding_uri,
            })
        super().__init__(*args, **kwargs)
        self.fields["owner_org"].choices = [(o.name, o.title) for o in orgs]
        self.fields["groups"].choices = [(g.name, g.title) for g in Group.objects.all()]
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxSelectMultiple):
                field.widget.attrs.setdefault("class", "kern-form-input__input")

    def to_package(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "name": d["name"], "title": d["title"], "owner_org": d["owner_org"], "notes": d["notes"],
            "tag_string": d["tag_string"], "groups": d["groups"], "license_id": d["license_id"],
            "maintainer": d["maintainer"], "maintainer_email": d["maintainer_email"], "url": d["url"],
            "extras": [
                {"key": "frequency", "value": d["frequency"]},
                {"key": "temporal_start", "value": d["temporal_start"].isoformat() if d["temporal_start"] else ""},
                {"key": "temporal_end", "value": d["temporal_end"].isoformat() if d["temporal_end"] else ""},
                {"key": "politicalGeocodingURI", "value": d["political_geocoding_uri"]},
            ],
        }

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        mapping = {"tags": "tag_string", "politicalGeocodingURI": "political_geocoding_uri",
                   "contact_email": "maintainer_email"}
        for key, messages in errors.items():
            field = mapping.get(key, key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)


class ResourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=500, required=False)
    upload = forms.FileField(label=_("Datei"), required=False)
    url = forms.URLField(label=_("oder Link"), required=False, max_length=2000, assume_scheme="https")
    format = forms.CharField(label=_("Format (z. B. CSV, GeoJSON)"), max_length=50, required=False)
    description = forms.CharField(label=_("Beschreibung"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "kern-form-input__input")


class TokenForm(forms.Form):
    name = forms.CharField(label=_("Bezeichnung des Tokens"), max_length=100,
                           widget=forms.TextInput(attrs={"class": "kern-form-input__input"}))
