from django.urls import path

from pathways import views

app_name = "pathways"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("timeline/", views.timeline, name="timeline"),
]
