from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("units.urls")),
    path("", include("registrations.urls")),
    path("", include("reports.urls")),
    path("", include("awards.history_urls")),
    path("", include("awards.quota_urls")),
    path("", include("awards.catalogue_urls")),
]
