from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Program catalogue"

    def ready(self) -> None:
        # The search's choices, counts and ranked pages are cached under a token of the
        # catalogue (catalogue/search_cache.py): any save or delete of a program or an
        # institution (its name is on the cards and in the search document) replaces it.
        from catalogue import search_cache
        from catalogue.models import CatalogueProgram, Institution

        post_save.connect(reindex_programs, sender=Institution, dispatch_uid="catalogue-reindex")
        for model in (CatalogueProgram, Institution):
            for signal in (post_save, post_delete):
                signal.connect(
                    search_cache.forget,
                    sender=model,
                    dispatch_uid=f"catalogue-search-{model.__name__}-{signal}",
                )


def reindex_programs(sender, instance, created, **kwargs) -> None:
    """An institution's name is part of its programs' search documents (PostgreSQL: a
    trigger fills them on each program's UPDATE): a renamed institution re-indexes them."""
    from django.db.models import F

    if not created:
        instance.programs.update(updated_at=F("updated_at"))
