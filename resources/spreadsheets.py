"""CSV import and export of resources for curators (django-import-export).

Rows are matched by slug. Every row is validated like the admin form (URL scheme,
choices, required fields, database constraints); one bad row rolls the whole
import back, so a file is never half-imported. Exported cells that a spreadsheet
would run as a formula are prefixed with an apostrophe, which import removes again.
An uploaded file is read by accounts.spreadsheets (the bounds every upload shares).
"""

import tablib
from django.utils.text import slugify
from import_export import fields, resources, widgets
from import_export.formats.base_formats import CSV

from accounts.spreadsheets import Limits, escape_formula, read_csv, unescape_formula
from pathways.models import Milestone
from resources.models import Resource, Tag


def split_list(value, separator: str) -> list[str]:
    return [item.strip() for item in str(value or "").split(separator) if item.strip()]


class MilestoneSlugsWidget(widgets.ManyToManyWidget):
    """Milestone slugs, comma-separated; an unknown slug is an error, not silently dropped."""

    def clean(self, value, row=None, **kwargs):
        slugs = split_list(value, self.separator)
        found = list(self.model.objects.filter(slug__in=slugs))
        missing = sorted(set(slugs) - {milestone.slug for milestone in found})
        if missing:
            raise ValueError(f"Unknown milestone slug(s): {', '.join(missing)}.")
        return found


class TagNamesWidget(widgets.ManyToManyWidget):
    """Tag names, comma-separated; a new name creates the tag."""

    def clean(self, value, row=None, **kwargs):
        tags = []
        for name in split_list(value, self.separator):
            slug = slugify(name)[:50]
            if not slug or len(name) > 50:
                raise ValueError(f"Invalid tag name: {name[:60]!r}.")
            tag, _ = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
            tags.append(tag)
        return tags


IMPORT_LIMITS = Limits(max_rows=5000)


class BoundedCSV(CSV):
    """django-import-export's CSV format, read by accounts.spreadsheets.read_csv within
    IMPORT_LIMITS (it raises UnreadableSheet, which the admin shows next to the file)."""

    def create_dataset(self, in_stream, **kwargs):
        rows = [row for row in read_csv(in_stream, IMPORT_LIMITS).rows if row]
        if not rows:
            return tablib.Dataset()
        dataset = tablib.Dataset(headers=rows[0])
        width = len(rows[0])
        for row in rows[1:]:  # as tablib does: short rows padded (long ones refused there)
            dataset.append(row + [""] * (width - len(row)) if len(row) < width else row)
        return dataset


class ResourceSheet(resources.ModelResource):
    tags = fields.Field(
        attribute="tags",
        column_name="tags",
        widget=TagNamesWidget(Tag, separator=",", field="name"),
    )
    milestones = fields.Field(
        attribute="milestones",
        column_name="milestones",
        widget=MilestoneSlugsWidget(Milestone, separator=",", field="slug"),
    )

    class Meta:
        model = Resource
        import_id_fields = ["slug"]
        fields = [
            "slug",
            "title",
            "organisation",
            "category",
            "summary",
            "description",
            "url",
            "cost",
            "eligibility",
            "location",
            "tags",
            "milestones",
            "published",
            "last_reviewed",
            "needs_review",
        ]
        use_transactions = True
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def import_data(self, dataset, **kwargs):
        # Validation errors (not only exceptions) roll the whole file back.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def before_import_row(self, row, **kwargs):
        for key, value in row.items():
            if isinstance(value, str) and "\x00" in value:
                # PostgreSQL refuses NUL in text (a DataError, a 500); forms refuse it too.
                raise ValueError(f"Null characters are not allowed (column {key}).")
            row[key] = unescape_formula(value)

    def export_field(self, field, instance, **kwargs):
        return escape_formula(super().export_field(field, instance, **kwargs))
