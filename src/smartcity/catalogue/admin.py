from django.contrib import admin

from .models import Category, Service


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_de", "name_en", "slug", "position"]
    prepopulated_fields = {"slug": ["name_de"]}


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name_de", "leika_key", "department", "ozg_level", "online"]
    list_filter = ["online", "ozg_level", "department", "categories"]
    search_fields = ["name_de", "name_en", "leika_key", "keywords"]
    filter_horizontal = ["categories"]
    prepopulated_fields = {"slug": ["name_de"]}
    fieldsets = [
        (None, {"fields": ["leika_key", "slug", "name_de", "name_en", "description_de", "description_en", "keywords",
                           "categories"]}),
        ("Verfahren", {"fields": ["department", "fees", "required_documents_de", "required_documents_en",
                                  "legal_basis"]}),
        ("Online-Angebot", {"fields": ["ozg_level", "online", "online_url_name"]}),
    ]
