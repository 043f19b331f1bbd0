from django.urls import path

from pathways import views

app_name = "pathways"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("timeline/", views.timeline, name="timeline"),
    path("exams/", views.exams_so_far, name="exams_so_far"),
    path("preview/", views.preview, name="preview"),
    path("preview/keep/", views.keep_preview, name="keep_preview"),
    path("c/<slug:key>/", views.category, name="category"),
    path("m/<slug:slug>/progress/", views.progress, name="progress"),
    path("m/<slug:slug>/", views.milestone, name="milestone"),
]
