from django.contrib import admin

from .models import ApiToken, Dataset, HarvestJob, HarvestSource, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    raw_id_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "contributor_id"]
    search_fields = ["name", "title"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change) -> None:
        from .search import bump_catalogue_version

        super().save_model(request, obj, form, change)
        bump_catalogue_version()  # organisation titles are part of cached package dicts and facets


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    """Read-only: datasets change through the editor UI or the API (history, audit, change feed)."""

    list_display = ["name", "title", "organization", "state", "quality_score", "metadata_modified"]
    list_filter = ["state", "organization"]
    search_fields = ["name", "title"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(HarvestSource)
class HarvestSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "url", "organization", "active", "last_success_at"]


@admin.register(HarvestJob)
class HarvestJobAdmin(admin.ModelAdmin):
    list_display = ["source", "status", "incremental", "created_at", "created_count", "updated_count", "error_count"]
    readonly_fields = [f.name for f in HarvestJob._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "name", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request) -> bool:
        return False
