"""Load the curated content shipped in the repository (idempotent).

Runs pathways.curated.load first, then `<app>.curated.load(force=...)` of every other
installed app that has one. Rows a curator has edited in the admin are kept unless --force.
"""

import importlib

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from lib.toml_sync import ContentError


class Command(BaseCommand):
    help = "Load curated milestones, cycles, rules (and other apps' content) from the repo."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite rows a curator has edited in the admin with the shipped values.",
        )

    def handle(self, *args, force: bool, verbosity: int, **options):
        configs = sorted(
            (c for c in apps.get_app_configs() if module_has_submodule(c.module, "curated")),
            key=lambda c: c.label != "pathways",  # pathways first: others link to milestones
        )
        try:
            with transaction.atomic():
                for config in configs:
                    module = importlib.import_module(f"{config.name}.curated")
                    summary = module.load(force=force)
                    if verbosity:
                        self.stdout.write(summary)
        except ContentError as error:
            raise CommandError(
                f"Curated content is invalid, nothing was loaded: {error}"
            ) from error
