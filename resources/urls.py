from django.urls import path

from resources import views

app_name = "resources"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("saved/", views.saved, name="saved"),
]
