from django.urls import path

from awards import quota_views

urlpatterns = [
    path("thi-dua/ty-le-toi-da/", quota_views.quota_rules, name="quota_rules"),
    path("thi-dua/ty-le-toi-da/<int:pk>/bo/", quota_views.quota_rule_remove, name="quota_rule_remove"),
]
