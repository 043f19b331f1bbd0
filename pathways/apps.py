from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PathwaysConfig(AppConfig):
    name = "pathways"

    def ready(self) -> None:
        # A change to curated content drops its cache (pathways/curated_cache.py).
        from pathways import curated_cache
        from pathways.models import EntryRestriction, MatchCycle, Milestone, Prerequisite, Rule

        for model in (Milestone, Prerequisite, MatchCycle, Rule, EntryRestriction):
            for signal in (post_save, post_delete):
                signal.connect(curated_cache.forget, sender=model, dispatch_uid=f"forget-{model}")
