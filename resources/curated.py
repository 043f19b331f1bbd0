"""Load the shipped resources from resources/content/resources.toml.

Called by `manage.py load_curated_content` after the milestones (resources link to them),
through the generic loader of lib/toml_sync.py: rows matched by slug, unknown keys refused,
a curator's edit (admin, CSV import, bulk action) kept unless `force`.
"""

from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from lib.toml_sync import ContentError, Tally, read_table, sync
from pathways.models import Milestone
from resources import directory_cache
from resources.models import Resource, Tag

CONTENT_FILE = Path(__file__).resolve().parent / "content" / "resources.toml"
FIELDS = [
    "title",
    "organisation",
    "category",
    "summary",
    "description",
    "url",
    "cost",
    "eligibility",
    "location",
    "published",
    "last_reviewed",
    "needs_review",
]


def links_of(resource: Resource) -> dict[str, list[str]]:
    return {
        "tags": sorted(tag.slug for tag in resource.tags.all()),
        "milestones": sorted(milestone.slug for milestone in resource.milestones.all()),
    }


def load(*, force: bool, path: Path = CONTENT_FILE) -> str:
    entries = read_table(
        path, "resource", required={"slug", "tags", "milestones", *FIELDS}, optional=set()
    )
    tally = Tally("resources")
    milestones = {milestone.slug: milestone for milestone in Milestone.objects.all()}
    known = {r.slug: r for r in Resource.objects.prefetch_related("tags", "milestones")}
    with transaction.atomic():
        for entry in entries:
            slug = entry["slug"]
            if unknown := sorted(set(entry["milestones"]) - milestones.keys()):
                raise ContentError(
                    f"{path.name}: {slug}: unknown milestone slug(s) {', '.join(unknown)} "
                    "(load the milestones first, or fix the slug)."
                )
            tags = {slugify(name): name for name in entry["tags"]}
            if "" in tags:
                raise ContentError(f"{path.name}: {slug}: a tag has no letters or digits.")
            resource, changed = sync(
                Resource,
                known.get(slug),
                lookup={"slug": slug},
                values={name: entry[name] for name in FIELDS},
                related={"tags": sorted(tags), "milestones": sorted(entry["milestones"])},
                current_related=links_of,
                tally=tally,
                name=slug,
                force=force,
            )
            if changed:
                resource.tags.set([tag_for(tag_slug, name) for tag_slug, name in tags.items()])
                resource.milestones.set([milestones[m] for m in entry["milestones"]])
        directory_cache.forget()
    return str(tally)


def tag_for(slug: str, name: str) -> Tag:
    tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    return tag
