"""Danh mục danh hiệu: regimes, their titles and forms, edited by the Sở administrator."""

from django.urls import path

from awards import catalogue_views as views

urlpatterns = [
    path("danh-muc/", views.catalogue_home, name="catalogue_home"),
    path("danh-muc/che-do/them/", views.regime_new, name="regime_new"),
    path("danh-muc/che-do/<int:pk>/", views.regime_detail, name="regime_detail"),
    path("danh-muc/danh-hieu/<int:pk>/", views.title_edit, name="title_edit"),
]
