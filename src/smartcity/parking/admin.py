from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from . import models
from .rules.fees import validate_fee_table
from .zones import reassign_all_addresses


class StreetRangeInline(admin.TabularInline):
    model = models.StreetRange
    extra = 0


@admin.register(models.Zone)
class ZoneAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "regime", "active_from", "applications_open_from", "is_demo"]
    list_filter = ["regime", "is_demo"]
    search_fields = ["code", "name"]
    inlines = [StreetRangeInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = reassign_all_addresses()  # polygon or street ranges may have moved addresses between zones
        if changed:
            messages.info(request, f"{changed} Adressen wurden einem anderen Gebiet zugeordnet.")


@admin.register(models.Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["street", "house_number", "postcode", "zone", "zone_source", "lon", "lat", "easting", "northing"]
    list_filter = ["zone", "zone_source"]
    search_fields = ["street", "postcode"]
    readonly_fields = ["easting", "northing", "zone", "zone_source"]


class ParkingConfigForm(forms.ModelForm):
    class Meta:
        model = models.ParkingConfig
        fields = [f.name for f in models.ParkingConfig._meta.fields if f.editable and not f.primary_key]

    def clean(self):
        data = super().clean()
        durations = data.get("durations_months")
        if not isinstance(durations, list) or not durations or not all(isinstance(m, int) and m > 0
                                                                       for m in durations):
            self.add_error("durations_months", "Bitte eine Liste positiver ganzer Zahlen angeben, z. B. [12, 24].")
            return data
        for error in validate_fee_table(data.get("fees"), durations):
            self.add_error("fees", error)
        types = data.get("accepted_residence_types")
        if not isinstance(types, list) or not types or not set(types) <= {"haupt", "neben"}:
            self.add_error("accepted_residence_types", 'Erlaubt sind "haupt" und "neben".')
        return data


@admin.register(models.ParkingConfig)
class ParkingConfigAdmin(admin.ModelAdmin):
    form = ParkingConfigForm
    list_display = ["city_code", "durations_months", "renewal_window_days", "updated_at"]


class _MetadataOnly(admin.ModelAdmin):
    """Status and metadata only: admins do not read applicants' data (plates, register data, statements,
    decision inputs). Caseworkers of the department read them in the parking back office, audited."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(models.Application)
class ApplicationAdmin(_MetadataOnly):
    list_display = ["reference", "kind", "channel", "zone", "status", "created_at", "decided_at"]
    list_filter = ["status", "kind", "channel", "zone"]
    search_fields = ["reference"]
    fields = ["reference", "kind", "channel", "zone", "status", "created_at", "submitted_at", "decided_at",
              "updated_at"]
    readonly_fields = fields


@admin.register(models.Permit)
class PermitAdmin(_MetadataOnly):
    list_display = ["number", "zone", "valid_from", "valid_until", "status", "automated"]
    list_filter = ["status", "zone", "automated"]
    search_fields = ["number"]
    fields = ["number", "zone", "valid_from", "valid_until", "status", "issued_at", "revoked_at", "channel",
              "automated"]
    readonly_fields = fields


@admin.register(models.SimulatedResident)
class SimulatedResidentAdmin(admin.ModelAdmin):
    list_display = ["family_name", "given_names", "birth_date", "street", "house_number", "residence_type",
                    "auskunftssperre", "simulate"]
    search_fields = ["family_name", "street"]


@admin.register(models.SimulatedVehicle)
class SimulatedVehicleAdmin(admin.ModelAdmin):
    list_display = ["plate", "keeper_family_name", "keeper_organisation", "vehicle_class", "length_mm", "simulate"]
    search_fields = ["plate", "keeper_family_name", "keeper_organisation"]
