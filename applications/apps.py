from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = "Application season"

    def ready(self) -> None:
        # The ERAS fee schedules and signal allowances are curated like the cycles and rules:
        # a change gives the curated content a new token, which the season's cached pages
        # (applications/season_cache.py) hold in their keys. Signals cover the admin and the
        # content loader (lib/toml_sync.py saves each row).
        from applications.models import FeeSchedule, SignalAllowance
        from pathways import curated_cache

        for model in (FeeSchedule, SignalAllowance):
            for signal in (post_save, post_delete):
                signal.connect(
                    curated_cache.forget,
                    sender=model,
                    dispatch_uid=f"applications-forget-{model.__name__}-{signal}",
                )
