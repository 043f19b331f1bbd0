"""Curated rows remember the values they were loaded with (curated_values, JSON) instead of
a hash; what a milestone records or counts for becomes fields instead of hard-coded slugs.

The data step keeps behaviour the same on an existing database: it sets the new milestone
fields for the shipped slugs, and turns each row's old content_hash into curated_values when
the row still hashes to it (not edited since the last load). A row a curator had edited gets a
marker that makes every field count as edited, so the loader keeps it as before.

Reversed, it does the opposite (`_curated_legacy.content_hash`): a row still as loaded gets
the hash of its values back, an edited row a hash that matches nothing, so the older loader
sees the same rows as edited and rolling forward again restores curated_values.
"""

from django.db import migrations, models

from pathways.migrations._curated_legacy import content_hash, convert

# The fields the old loader hashed, frozen here as they were.
LEGACY_FIELDS = {
    "milestone": [
        "title", "category", "order", "summary", "explanation", "source_url", "last_reviewed",
        "needs_review", "records", "counts_attempts", "applies", "deadline", "deadline_note",
    ],
    "matchcycle": [
        "eras_opens", "applicants_may_submit", "programs_review_starts",
        "nrmp_registration_opens", "nrmp_early_registration_deadline", "ranking_opens",
        "rol_deadline", "match_day", "training_starts", "oet_recommended_by", "oet_valid_from",
        "pathway_application_deadline", "source_url", "last_reviewed", "needs_review", "notes",
    ],
    "rule": ["value", "note", "source_url", "last_reviewed", "needs_review"],
}
BEHAVIOUR = {
    "step-1": {"ecfmg_exam": True, "reported_to_nrmp": True},
    "step-2-ck": {
        "ecfmg_exam": True,
        "reported_to_nrmp": True,
        "passing_score_rule": "step2ck_passing_score",
    },
    "step-3": {"passing_score_rule": "step3_passing_score"},
    "pathway": {"reported_to_nrmp": True, "records_expiry": True},
    "ecfmg-certificate": {"records_expiry": True},
}
def requires_by_milestone(apps):
    requires = {}
    for milestone_id, slug, kind in apps.get_model("pathways", "Prerequisite").objects.values_list(
        "milestone_id", "required__slug", "kind"
    ):
        requires.setdefault(milestone_id, []).append([slug, kind])
    return requires


def forwards(apps, schema_editor):
    Milestone = apps.get_model("pathways", "Milestone")
    for slug, fields in BEHAVIOUR.items():
        Milestone.objects.filter(slug=slug).update(**fields)
    requires = requires_by_milestone(apps)
    for row in Milestone.objects.all():
        extra = {"requires": sorted(requires.get(row.pk, []))}
        row.curated_values = convert(row, LEGACY_FIELDS["milestone"], extra)
        row.save(update_fields=["curated_values"])
    for name in ("matchcycle", "rule"):
        for row in apps.get_model("pathways", name).objects.all():
            row.curated_values = convert(row, LEGACY_FIELDS[name])
            row.save(update_fields=["curated_values"])


def backwards(apps, schema_editor):
    requires = requires_by_milestone(apps)
    for row in apps.get_model("pathways", "Milestone").objects.all():
        extra = {"requires": sorted(requires.get(row.pk, []))}
        row.content_hash = content_hash(row, LEGACY_FIELDS["milestone"], extra)
        row.save(update_fields=["content_hash"])
    for name in ("matchcycle", "rule"):
        for row in apps.get_model("pathways", name).objects.all():
            row.content_hash = content_hash(row, LEGACY_FIELDS[name])
            row.save(update_fields=["content_hash"])


class Migration(migrations.Migration):

    dependencies = [
        ('pathways', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='progress',
            options={'verbose_name_plural': 'progress'},
        ),
        migrations.AddField(
            model_name='matchcycle',
            name='curated_values',
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name='milestone',
            name='curated_values',
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name='milestone',
            name='ecfmg_exam',
            field=models.BooleanField(default=False, help_text="A pass starts (or must fall within) ECFMG's seven-year exam window.", verbose_name="counts for ECFMG's exam window"),
        ),
        migrations.AddField(
            model_name='milestone',
            name='passing_score_rule',
            field=models.CharField(blank=True, choices=[('step2ck_passing_score', 'Step 2 CK passing score'), ('step3_passing_score', 'Step 3 passing score')], help_text='For a score milestone: the rule holding its passing score by test date.', max_length=40),
        ),
        migrations.AddField(
            model_name='milestone',
            name='records_expiry',
            field=models.BooleanField(default=False, help_text='Members record a valid-through date (e.g. a Pathway-based certificate).'),
        ),
        migrations.AddField(
            model_name='milestone',
            name='reported_to_nrmp',
            field=models.BooleanField(default=False, help_text='ECFMG must report it to NRMP by the rank order list deadline, or the member is withdrawn from the Match.', verbose_name='must be reported to NRMP by the ROL deadline'),
        ),
        migrations.AddField(
            model_name='rule',
            name='curated_values',
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddConstraint(
            model_name='milestone',
            constraint=models.CheckConstraint(condition=models.Q(('passing_score_rule', ''), ('passing_score_rule__in', ['step2ck_passing_score', 'step3_passing_score']), _connector='OR'), name='pathways_milestone_passing_score_rule_valid'),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(
            model_name='matchcycle',
            name='content_hash',
        ),
        migrations.RemoveField(
            model_name='milestone',
            name='content_hash',
        ),
        migrations.RemoveField(
            model_name='rule',
            name='content_hash',
        ),
    ]
