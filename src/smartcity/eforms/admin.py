import json

import yaml
from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from . import services
from .models import FormDefinition, Submission
from .schema import DefinitionError


class DefinitionForm(forms.ModelForm):
    class Meta:
        model = FormDefinition
        fields = ["slug", "definition", "published"]


class ImportForm(forms.Form):
    file = forms.FileField(label="YAML- oder JSON-Datei")


@admin.register(FormDefinition)
class FormDefinitionAdmin(admin.ModelAdmin):
    form = DefinitionForm
    list_display = ["title_de", "slug", "service", "version", "published", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title_de", "slug"]
    readonly_fields = ["title_de", "title_en", "service", "version"]
    actions = ["download_yaml"]
    change_list_template = "admin/eforms/formdefinition/change_list.html"

    def save_model(self, request: HttpRequest, obj: FormDefinition, form, change: bool) -> None:
        # Through the service, so case type, catalogue link and fees follow the definition.
        saved = services.import_definition(form.cleaned_data["definition"], actor=request.user,
                                           published=form.cleaned_data["published"])
        obj.pk = saved.pk

    def get_urls(self):
        return [path("importieren/", self.admin_site.admin_view(self.import_view), name="eforms_import"),
                *super().get_urls()]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = services.parse_definition_file(upload.name, upload.read(1_000_000))
                definition = services.import_definition(data, actor=request.user)
            except DefinitionError as exc:
                for error in exc.errors[:30]:
                    messages.error(request, error)
            else:
                messages.success(request, f"„{definition.title_de}“ importiert (Version {definition.version}).")
                return redirect(reverse("admin:eforms_formdefinition_change", args=[definition.pk]))
        return render(request, "admin/eforms/formdefinition/import.html",
                      {**self.admin_site.each_context(request), "form": form, "opts": self.model._meta,
                       "title": "Formulardefinition importieren"})

    @admin.action(description="Ausgewählte als YAML herunterladen")
    def download_yaml(self, request: HttpRequest, queryset) -> HttpResponse:
        docs = [json.loads(json.dumps(d.definition)) for d in queryset]
        text = yaml.safe_dump_all(docs, allow_unicode=True, sort_keys=False)
        response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="formulardefinitionen.yaml"'
        return response


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    """Configuration view only: no answers shown (admins do not read application contents)."""

    list_display = ["id", "form", "status", "created_at", "submitted_at"]
    list_filter = ["status", "form"]
    fields = ["form", "status", "created_at", "submitted_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
