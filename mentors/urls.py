from django.urls import path

from mentors import views

app_name = "mentors"

urlpatterns = [
    path("me/mentor-links/", views.link_list, name="links"),
    path("me/mentor-links/new/", views.create_link, name="create"),
    path("me/mentor-links/<int:pk>/revoke/", views.revoke_link, name="revoke"),
    path("mentor/<str:token>/", views.shared_roadmap, name="shared"),
]
