from django.contrib import admin

from awards.models import Regime, Title


@admin.register(Regime)
class RegimeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "first_year", "last_year")


@admin.register(Title)
class TitleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "regime", "kind", "category", "ladder_rank", "registrable", "confirmed")
    list_filter = ("regime", "kind", "category", "registrable")
