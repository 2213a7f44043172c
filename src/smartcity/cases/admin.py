from django.contrib import admin

from .models import CaseType


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    """Configuration only. Cases themselves are not in the admin: admins must not read case contents."""

    list_display = ("name", "code", "department", "deadline_working_days", "retention_days", "is_active")
    list_filter = ("department", "is_active")
    search_fields = ("name", "code")
