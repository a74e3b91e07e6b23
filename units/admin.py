from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from units.models import Collective, Employment, Staff, Unit, UnitVersion, User


class UnitVersionInline(admin.TabularInline):
    model = UnitVersion
    fk_name = "unit"
    extra = 0
    raw_id_fields = ("parent", "merged_into", "created_by")


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "level", "kind", "district", "parent", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    inlines = [UnitVersionInline]
    readonly_fields = ("path", "depth")


class EmploymentInline(admin.TabularInline):
    model = Employment
    extra = 0
    raw_id_fields = ("unit",)


@admin.register(Staff)
class StaffAdmin(SimpleHistoryAdmin):
    list_display = ("full_name", "date_of_birth", "gender", "position", "unit")
    search_fields = ("full_name", "search_name")
    raw_id_fields = ("unit", "team")
    inlines = [EmploymentInline]


@admin.register(Collective)
class CollectiveAdmin(SimpleHistoryAdmin):
    list_display = ("name", "unit")
    raw_id_fields = ("unit",)


@admin.register(User)
class UserAdmin(BaseUserAdmin, SimpleHistoryAdmin):
    list_display = ("username", "full_name", "unit", "role", "is_active")
    list_filter = ("role", "is_active", "is_superuser")
    raw_id_fields = ("unit",)
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Đơn vị và vai trò", {"fields": ("full_name", "unit", "role", "must_change_password")}),
    )
