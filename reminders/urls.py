from django.urls import path, re_path

from reminders import views

app_name = "reminders"

urlpatterns = [
    path("reminders/", views.preferences, name="preferences"),
    path("reminders/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("reminders/calendar/", views.calendar, name="calendar"),
    path("reminders/can-i-match/", views.match_check, name="match_check"),
    path("reminders/calendar/link/", views.calendar_token, name="calendar_token"),
    re_path(r"^calendar/(?P<token>[A-Za-z0-9_-]{20,64})\.ics$", views.feed, name="feed"),
]
