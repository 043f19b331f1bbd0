"""Load the shipped resources from resources/content/resources.toml.

Called by `manage.py load_curated_content` (after the milestones are loaded):
`load(force=...)`. Rows are matched by slug. Each loaded row stores a sha256
of the values it was loaded with (`content_hash`); if a curator has changed the
row since (admin, CSV import, bulk action), its values no longer hash to it and
the row is left alone unless `force=True`. Idempotent: a second run changes nothing.
"""

import datetime
import tomllib
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from pathways.curated import ContentError, fingerprint
from pathways.models import Milestone
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
KEYS = {"slug", "tags", "milestones", *FIELDS}


def content_hash(values: dict[str, Any], tags: list[str], milestones: list[str]) -> str:
    return fingerprint(
        {
            **{field: values[field] for field in FIELDS},
            "tags": sorted(slugify(tag) for tag in tags),
            "milestones": sorted(milestones),
        }
    )


def current_hash(resource: Resource) -> str:
    """The hash of the row as it is now in the database."""
    values = {field: getattr(resource, field) for field in FIELDS}
    tags = [tag.slug for tag in resource.tags.all()]
    milestones = [milestone.slug for milestone in resource.milestones.all()]
    return content_hash(values, tags, milestones)


def read_entries(path: Path) -> list[dict[str, Any]]:
    with path.open("rb") as file:
        entries = tomllib.load(file).get("resource", [])
    for number, entry in enumerate(entries, 1):
        name = entry.get("slug", f"entry {number}")
        if missing := sorted(KEYS - entry.keys()):
            raise ContentError(f"{path.name}: {name}: missing {', '.join(missing)}.")
        if unknown := sorted(entry.keys() - KEYS):
            raise ContentError(f"{path.name}: {name}: unknown key(s) {', '.join(unknown)}.")
        if not isinstance(entry["last_reviewed"], datetime.date):
            raise ContentError(f"{path.name}: {name}: last_reviewed must be a TOML date.")
    return entries


def load(*, force: bool, path: Path = CONTENT_FILE) -> str:
    entries = read_entries(path)
    created, updated, unchanged, skipped = 0, 0, 0, []
    milestones = {milestone.slug: milestone for milestone in Milestone.objects.all()}
    with transaction.atomic():
        for entry in entries:
            slug = entry["slug"]
            unknown = sorted(set(entry["milestones"]) - milestones.keys())
            if unknown:
                raise ContentError(
                    f"{path.name}: {slug}: unknown milestone slug(s) {', '.join(unknown)} "
                    "(load the milestones first, or fix the slug)."
                )
            values = {field: entry[field] for field in FIELDS}
            new_hash = content_hash(values, entry["tags"], entry["milestones"])
            resource = (
                Resource.objects.filter(slug=slug).prefetch_related("tags", "milestones").first()
            )
            if resource is not None:
                now = current_hash(resource)
                if now == new_hash:
                    if resource.content_hash != new_hash:
                        Resource.objects.filter(pk=resource.pk).update(content_hash=new_hash)
                    unchanged += 1
                    continue
                if now != resource.content_hash and not force:
                    # Edited by a curator (or created in the admin) since the last load.
                    skipped.append(slug)
                    continue
            else:
                resource = Resource(slug=slug)
            is_new = resource.pk is None
            for field, value in values.items():
                setattr(resource, field, value)
            resource.content_hash = new_hash
            try:
                resource.full_clean()
            except ValidationError as error:
                raise ContentError(f"{path.name}: {slug}: {error.message_dict}") from None
            resource.save()
            resource.tags.set([tag_for(name) for name in entry["tags"]])
            resource.milestones.set([milestones[slug] for slug in entry["milestones"]])
            if is_new:
                created += 1
            else:
                updated += 1
    summary = (
        f"Resources: {created} created, {updated} updated, {unchanged} unchanged, "
        f"{len(skipped)} skipped"
    )
    if skipped:
        summary += f" (edited by a curator since the last load: {', '.join(skipped)}; "
        summary += "use --force to overwrite)"
    return summary + "."


def tag_for(name: str) -> Tag:
    slug = slugify(name)
    if not slug:
        raise ContentError(f"Invalid tag name {name!r}.")
    tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    return tag
