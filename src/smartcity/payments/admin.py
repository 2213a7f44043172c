"""Read-only views of payment records: status changes only happen through services (and the Kasse)."""

from django.contrib import admin

from .models import HandlerCall, Payment, PaymentEvent, Refund, SimulatorTransaction


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventInline(admin.TabularInline):
    model = PaymentEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "source", "from_status", "to_status", "applied", "provider_event_id", "detail"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["kassenzeichen", "purpose", "amount_cents", "status", "provider", "subject_label", "created_at"]
    list_filter = ["status", "provider", "subject_label"]
    search_fields = ["kassenzeichen", "provider_reference"]
    inlines = [EventInline]


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["payment", "amount_cents", "status", "created_at"]
    list_filter = ["status"]


@admin.register(HandlerCall)
class HandlerCallAdmin(ReadOnlyAdmin):
    list_display = ["payment", "outcome", "handler", "called_at"]


@admin.register(SimulatorTransaction)
class SimulatorTransactionAdmin(ReadOnlyAdmin):
    list_display = ["kassenzeichen", "amount_cents", "status", "refunded_cents", "created_at"]
