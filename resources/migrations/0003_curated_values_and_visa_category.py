"""Resources remember the values they were loaded with (curated_values) instead of a hash, and
the visa category takes the roadmap's value, "visa" (it was "visas").

The data step converts each row's content_hash as pathways 0002 does (a row edited by a
curator gets a marker that makes every field count as edited) and renames the category in
rows and in what they remember. Reversed, each row gets back the old loader's fingerprint
(`_curated_legacy.content_hash`: the hash of its values if still as loaded, else one that
matches nothing) and the old category name.
"""

from django.db import migrations, models

from pathways.migrations import _curated_legacy as legacy

FIELDS = [
    "title", "organisation", "category", "summary", "description", "url", "cost",
    "eligibility", "location", "published", "last_reviewed", "needs_review",
]


def links(row):
    return {
        "tags": sorted(tag.slug for tag in row.tags.all()),
        "milestones": sorted(milestone.slug for milestone in row.milestones.all()),
    }


def forwards(apps, schema_editor):
    Resource = apps.get_model("resources", "Resource")
    for row in Resource.objects.prefetch_related("tags", "milestones"):
        values = legacy.convert(row, FIELDS, links(row))
        if values.get("category") == "visas":
            values["category"] = "visa"
        row.curated_values = values
        row.category = "visa" if row.category == "visas" else row.category
        row.save(update_fields=["curated_values", "category"])


def backwards(apps, schema_editor):
    Resource = apps.get_model("resources", "Resource")
    for row in Resource.objects.prefetch_related("tags", "milestones"):
        if row.category == "visa":
            row.category = "visas"
            if (row.curated_values or {}).get("category") == "visa":
                row.curated_values["category"] = "visas"  # the old name, as loaded then
        row.content_hash = legacy.content_hash(row, FIELDS, links(row))
        row.save(update_fields=["category", "content_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0002_curated_values_and_milestone_behaviour"),
        ("resources", "0002_search_document"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="curated_values",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.RemoveConstraint(
            model_name="resource",
            name="resources_resource_category_valid",
        ),
        migrations.AlterField(
            model_name="resource",
            name="category",
            field=models.CharField(choices=[("ecfmg", "ECFMG and certification"), ("exams", "Exams and exam preparation"), ("match", "Application and Match"), ("observerships", "Observerships and clinical experience"), ("visa", "Visas and immigration"), ("licensure", "Licensure"), ("support", "Transition programmes and support organisations"), ("conferences", "Conferences and networking"), ("scholarships", "Scholarships and financial help")], max_length=20),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddConstraint(
            model_name="resource",
            constraint=models.CheckConstraint(condition=models.Q(("category__in", ["ecfmg", "exams", "match", "observerships", "visa", "licensure", "support", "conferences", "scholarships"])), name="resources_resource_category_valid"),
        ),
        migrations.RemoveField(
            model_name="resource",
            name="content_hash",
        ),
    ]
