from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class ResourcesConfig(AppConfig):
    name = "resources"

    def ready(self) -> None:
        # What the directory shows everyone is cached under a token of the resources: any
        # save or delete of a resource or tag, and any change of a resource's tags, replaces it.
        from resources import directory_cache
        from resources.models import Resource, Tag

        for model in (Resource, Tag):
            for signal in (post_save, post_delete):
                signal.connect(
                    directory_cache.forget,
                    sender=model,
                    dispatch_uid=f"directory-{model.__name__}-{signal}",
                )
        m2m_changed.connect(
            directory_cache.forget, sender=Resource.tags.through, dispatch_uid="directory-tags"
        )
        # Which milestones a resource helps with: the dashboard's next steps list them.
        m2m_changed.connect(
            directory_cache.forget,
            sender=Resource.milestones.through,
            dispatch_uid="directory-milestones",
        )
        # A resource's page shows the titles of its milestones: a change of the curated
        # roadmap content replaces the directory's token too.
        from pathways import curated_cache

        curated_cache.changed.connect(
            directory_cache.curated_changed, dispatch_uid="directory-curated"
        )
