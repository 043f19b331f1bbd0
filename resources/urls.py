from django.urls import path

from resources import views

app_name = "resources"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("saved/", views.saved, name="saved"),
    path("<slug:slug>/", views.detail, name="detail"),
    path("<slug:slug>/save/", views.toggle_save, name="save"),
    path("<slug:slug>/report/", views.report_problem, name="report"),
]
