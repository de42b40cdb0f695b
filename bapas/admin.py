from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLog, Office, RegionalOffice, User


@admin.register(RegionalOffice)
class RegionalOfficeAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Office)
class OfficeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "city", "regional_office", "is_active"]
    list_filter = ["regional_office", "is_active"]
    search_fields = ["name", "city"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "role", "office", "partner", "is_active"]
    list_filter = ["role", "office", "is_active"]
    search_fields = ["email", "full_name", "nip"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "nip", "phone"]}),
        ("Placement", {"fields": ["role", "office", "regional_office", "partner"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "last_login"]}),
    ]
    # The placement is part of a new account: the model's clean() checks it per role and needs
    # its fields on the form to report on.
    add_fieldsets = [
        (None, {"fields": ["email", "full_name", "password1", "password2"]}),
        ("Placement", {"fields": ["role", "office", "regional_office", "partner"]}),
    ]
    readonly_fields = ["last_login"]


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "action", "object_label", "ip_address"]
    list_filter = ["action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
