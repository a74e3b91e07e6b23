from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from units.models import Collective, Employment, Staff, Unit, UnitVersion, User


class UnitVersionInline(admin.TabularInline):
    model = UnitVersion
    fk_name = "unit"
    extra = 0
    can_delete = False
    readonly_fields = ("from_year", "name", "short_name", "parent", "is_active", "merged_into", "reason",
                       "created_at", "created_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Unit)
class UnitAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "level", "kind", "district", "parent", "is_active")
    list_filter = ("kind", "level", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    inlines = [UnitVersionInline]

    def get_readonly_fields(self, request, obj=None):
        # Name, parent and status change from a school year on (services.unit_change, which keeps
        # the history and the scope paths right); the admin must not overwrite them in place.
        if obj is not None:
            return ("code", "name", "short_name", "parent", "is_active", "path", "depth")
        return ("path", "depth")

    def has_add_permission(self, request):
        return False  # units come from load_units or services.unit_create


class EmploymentInline(admin.TabularInline):
    model = Employment
    extra = 0
    raw_id_fields = ("unit",)


@admin.register(Staff)
class StaffAdmin(SimpleHistoryAdmin):
    list_display = ("full_name", "date_of_birth", "gender", "position", "unit")
    search_fields = ("full_name", "search_name")
    raw_id_fields = ("unit", "team")
    readonly_fields = ("unit",)  # a transfer goes through services.staff_transfer
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
