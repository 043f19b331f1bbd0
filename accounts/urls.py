from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("welcome/", views.onboarding, name="onboarding"),
    path("settings/", views.profile_settings, name="settings"),
    path("export/", views.export_data, name="export"),
    path("delete/", views.delete_account, name="delete"),
    path("notices/<int:pk>/dismiss/", views.dismiss_notice, name="dismiss_notice"),
]
