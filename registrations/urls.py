from django.urls import path

from registrations import import_views, views

urlpatterns = [
    path("dang-ky/", views.my_dossier, name="my_dossier"),
    path("dang-ky/ho-so/", views.dossier_list, name="dossier_list"),
    path("dang-ky/<int:unit_pk>/<str:year>/", views.dossier_page, name="dossier_page"),
    path("dang-ky/<int:unit_pk>/<str:year>/mau-excel/", import_views.template_download, name="import_template"),
    path("dang-ky/<int:unit_pk>/<str:year>/nhap-excel/", import_views.import_upload, name="import_upload"),
    path("dang-ky/<int:unit_pk>/<str:year>/nhap-excel/<int:batch_pk>/", import_views.import_preview,
         name="import_preview"),
    path("dang-ky/<int:unit_pk>/<str:year>/<str:action>/", views.dossier_action, name="dossier_action"),
]

from registrations import board_views  # noqa: E402

urlpatterns += [
    path("tien-do/", board_views.board, name="board"),
    path("tien-do/xuat/<str:name>/", board_views.board_export, name="board_export"),
    path("tien-do/nhac-nho/", board_views.board_remind, name="board_remind"),
]
