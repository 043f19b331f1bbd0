from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ResourcesConfig(AppConfig):
    name = "resources"

    def ready(self) -> None:
        # A saved or deleted resource may change the directory's location choices.
        from resources.forms import forget_locations
        from resources.models import Resource

        for signal in (post_save, post_delete):
            signal.connect(forget_locations, sender=Resource, dispatch_uid=f"locations-{signal}")
        # Which milestones a resource helps with (the dashboard's next steps list them).
        m2m_changed.connect(
            forget_locations, sender=Resource.milestones.through, dispatch_uid="resource-links"
        )
