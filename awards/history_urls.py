"""Lịch sử thi đua: a unit's recorded history for a school year, its template and its import."""

from django.urls import path

from awards import history_views as views

urlpatterns = [
    path("lich-su/<int:unit_pk>/<str:year>/", views.history_page, name="history_page"),
    path("lich-su/<int:unit_pk>/<str:year>/mau-excel/", views.history_template, name="history_template"),
    path("lich-su/<int:unit_pk>/<str:year>/nhap-excel/", views.history_upload, name="history_upload"),
    path("lich-su/<int:unit_pk>/<str:year>/nhap-excel/<int:batch_pk>/", views.history_preview, name="history_preview"),
]
