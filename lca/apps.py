from django.apps import AppConfig


class LcaConfig(AppConfig):
    name = "lca"
    verbose_name = "H-1B evidence (Labor data)"
