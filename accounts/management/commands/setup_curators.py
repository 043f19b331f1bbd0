"""Create or update the "Curators" group; optionally make people curators.

Curators maintain the curated content (milestones, prerequisites, Match cycles, rules,
resources, tags, ERAS fee schedules, cost estimates, signal allowances, the program
catalogue, the Labor data's files and employer links) and work through problem reports and
catalogue proposals. The group gets exactly
the permissions listed in CURATOR_PERMISSIONS, an allow-list: a model added later gets none
until it is listed here, so members' own data never becomes editable by curators by accident.
Safe to re-run: the group's permissions are set to exactly this list each time.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

GROUP_NAME = "Curators"
ALL = ["add", "change", "delete", "view"]
CURATOR_PERMISSIONS = {
    "pathways.milestone": ALL,
    "pathways.prerequisite": ALL,
    "pathways.matchcycle": ALL,
    "pathways.rule": ALL,
    "pathways.entryrestriction": ALL,
    "resources.resource": ALL,
    "resources.tag": ALL,
    # The application season's sourced figures (ERAS fee schedules, typical fees, signal
    # allowances): curated content, shipped in applications/content/costs.toml.
    "applications.feeschedule": ALL,
    "applications.costestimate": ALL,
    "applications.signalallowance": ALL,
    # Problem reports are written by members *to* curators: read, resolve, delete.
    "resources.problemreport": ["view", "change", "delete"],
    # The history of curated dates is written by the admin's save hooks, never by hand.
    "pathways.datechange": ["view"],
    # The shared program catalogue: institutions, programs and their sourced facts.
    "catalogue.institution": ALL,
    "catalogue.catalogueprogram": ALL,
    "catalogue.fact": ALL,
    # The history of facts is written by the code that changes a fact, never by hand.
    "catalogue.factchange": ["view"],
    # Proposals are written by members *to* curators: read, accept or reject, delete.
    "catalogue.proposal": ["view", "change", "delete"],
    # H-1B evidence from Labor data: curators upload LCA files (the worker writes their
    # status) and decide which employer is which institution; employers and cases are
    # written by the importer only.
    "lca.lcafile": ["add", "view"],
    "lca.employer": ["view"],
    "lca.lcacase": ["view"],
    "lca.employerlink": ALL,
}


def curator_permissions() -> list[Permission]:
    perms = []
    for label, actions in CURATOR_PERMISSIONS.items():
        model = apps.get_model(label)
        app_label, model_name = model._meta.app_label, model._meta.model_name
        for action in actions:
            perms.append(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model_name}"
                )
            )
    return perms


class Command(BaseCommand):
    help = "Create/update the Curators group. --add EMAIL makes that member a curator."

    def add_arguments(self, parser):
        parser.add_argument("--add", nargs="*", default=[], metavar="EMAIL")

    @transaction.atomic
    def handle(self, *args, add, verbosity, **options):
        group, created = Group.objects.get_or_create(name=GROUP_NAME)
        perms = curator_permissions()
        group.permissions.set(perms)
        verb = "Created" if created else "Updated"
        if verbosity:
            self.stdout.write(f"{verb} group {GROUP_NAME!r} with {len(perms)} permissions.")
        User = get_user_model()
        for email in add:
            try:
                user = User.objects.get(email__iexact=email)
            except User.DoesNotExist:
                raise CommandError(f"No account with the email {email!r}: sign up first.") from None
            user.is_staff = True
            user.save(update_fields=["is_staff"])
            user.groups.add(group)
            if verbosity:
                self.stdout.write(f"{user.email} is now a curator (staff, in {GROUP_NAME!r}).")
