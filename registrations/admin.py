from django.contrib import admin

from registrations.models import SchoolYear


@admin.register(SchoolYear)
class SchoolYearAdmin(admin.ModelAdmin):
    list_display = ("code", "start_date", "end_date", "registration_deadline", "status", "regime")
