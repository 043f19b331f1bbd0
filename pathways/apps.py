from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "pathways"
