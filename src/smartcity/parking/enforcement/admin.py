from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .authentication import deactivate_device
from .models import EnforcementDevice, LookupTally, SigningKey, Snapshot


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    """Read-only: keys change only through ``parking_keys`` (rotation must retire and publish correctly)."""

    list_display = ["kid", "status", "created_at", "retired_at", "signed_until"]
    fields = list_display
    readonly_fields = list_display

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EnforcementDevice)
class EnforcementDeviceAdmin(admin.ModelAdmin):
    """Devices are registered with ``parking_devices add`` (the token is shown once); here only listed."""

    list_display = ["name", "department", "token_prefix", "is_active", "created_at"]
    list_filter = ["is_active", "department"]
    readonly_fields = ["name", "department", "token_prefix", "is_active", "created_at", "created_by"]
    fields = readonly_fields
    actions = ["deactivate"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description=_("Ausgewählte Geräte deaktivieren"))
    def deactivate(self, request, queryset) -> None:
        for device in queryset.filter(is_active=True):
            deactivate_device(device, actor=request.user)


@admin.register(LookupTally)
class LookupTallyAdmin(admin.ModelAdmin):
    list_display = ["hour", "principal", "kind", "lookups", "found"]
    list_filter = ["kind"]
    readonly_fields = list_display
    fields = list_display

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ["valid_on", "entries", "size", "duration_ms", "created_at"]
    readonly_fields = ["valid_on", "entries", "size", "sha256", "duration_ms", "created_at", "manifest"]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False
