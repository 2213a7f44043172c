from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import Department, StaffRole, User


class StaffRoleInline(admin.TabularInline):
    model = StaffRole
    extra = 0


@admin.register(User)
class SmartCityUserAdmin(UserAdmin):
    inlines = [StaffRoleInline]
    list_display = ("username", "email", "first_name", "last_name", "trust_level", "is_active")
    fieldsets = UserAdmin.fieldsets + (
        ("Servicekonto", {"fields": ("email_verified", "birth_date", "street", "house_number", "postcode",
                                     "city", "trust_level", "login_provider", "external_id")}),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "email")
