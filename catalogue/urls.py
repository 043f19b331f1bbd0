from django.urls import path

from catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.search, name="search"),
    path("propose/", views.propose, name="propose"),
    path("proposals/", views.my_proposals, name="proposals"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
    path("<int:pk>/", views.program, name="program"),
    path("<int:pk>/correct/", views.correct, name="correct"),
]
