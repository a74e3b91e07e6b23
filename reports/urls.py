from django.urls import path

from reports import views

urlpatterns = [
    path("bao-cao/", views.summary_page, name="report_summary"),
    path("bao-cao/so-sanh/", views.comparison_page, name="report_comparison"),
    path("bao-cao/dang-ky/", views.registrations_page, name="report_registrations"),
    path("bao-cao/xuat/<str:kind>/", views.export, name="report_export"),
]
