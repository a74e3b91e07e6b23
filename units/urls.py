from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from units import views
from units.forms import LoginForm

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "dang-nhap/",
        login_not_required(
            auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm)
        ),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("doi-mat-khau/", views.PasswordChangeView.as_view(), name="password_change"),
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("can-bo/", views.staff_list, name="staff_list"),
    path("can-bo/them/", views.staff_create, name="staff_create"),
    path("can-bo/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("can-bo/<int:pk>/sua/", views.staff_edit, name="staff_edit"),
    path("tai-khoan/", views.account_list, name="account_list"),
    path("tai-khoan/them/", views.account_create, name="account_create"),
    path("tai-khoan/don-vi-chua-co-tai-khoan/", views.units_without_account, name="units_without_account"),
    path("tai-khoan/<int:pk>/", views.account_detail, name="account_detail"),
    path("tai-khoan/<int:pk>/khoa/", views.account_toggle_active, name="account_toggle_active"),
    path("tai-khoan/<int:pk>/dat-lai-mat-khau/", views.account_reset_password, name="account_reset_password"),
]
