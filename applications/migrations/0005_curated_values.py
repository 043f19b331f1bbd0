"""Fee schedules, cost estimates and signal allowances remember the values they were loaded
with (curated_values, JSON) instead of a hash, as pathways 0002 and resources 0003 do.

The data step converts each row's content_hash the same way: a row that still hashes to it
records its values; a row edited since the last load gets a marker that makes every field
count as edited, so the loader keeps it as before; a row created in the admin records nothing.
Reversed, each row gets back the old loader's fingerprint (`_curated_legacy.content_hash`).
"""

from django.db import migrations, models

from pathways.migrations import _curated_legacy as legacy

# The fields the old loader hashed, frozen here as they were.
LEGACY_FIELDS = {
    "feeschedule": [
        "tier_size", "first_fee", "later_fee", "per", "source_name", "source_url",
        "confidence", "last_reviewed", "notes",
    ],
    "costestimate": [
        "label", "category", "amount", "unit", "as_of", "confidence", "source_name",
        "source_url",
    ],
    "signalallowance": ["gold", "silver", "source_url", "verified", "last_reviewed"],
}


def forwards(apps, schema_editor):
    for name, fields in LEGACY_FIELDS.items():
        for row in apps.get_model("applications", name).objects.all():
            row.curated_values = legacy.convert(row, fields)
            row.save(update_fields=["curated_values"])


def backwards(apps, schema_editor):
    for name, fields in LEGACY_FIELDS.items():
        for row in apps.get_model("applications", name).objects.all():
            row.content_hash = legacy.content_hash(row, fields)
            row.save(update_fields=["content_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0004_signals_interviews_letters_rank"),
        ("pathways", "0002_curated_values_and_milestone_behaviour"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="curated_values",
                field=models.JSONField(blank=True, default=dict, editable=False),
            )
            for name in LEGACY_FIELDS
        ),
        migrations.RunPython(forwards, backwards),
        *(migrations.RemoveField(model_name=name, name="content_hash") for name in LEGACY_FIELDS),
    ]
