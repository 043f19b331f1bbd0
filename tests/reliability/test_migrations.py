"""Every migration of the project's apps applies backwards and forwards on a populated
database (run on SQLite and on PostgreSQL by CI). The migrations are discovered from the
migration graph, so a new app's are covered too."""

from importlib import import_module
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from applications.models import CostEstimate
from lib.toml_sync import snapshot
from pathways import curated
from pathways.migrations._curated_legacy import legacy_hash
from pathways.models import MatchCycle, Milestone, Rule
from resources.models import Resource
from tests.security.conftest import project_app_configs, row_counts

# The fields the old loaders hashed, as the migrations that dropped content_hash froze them.
LEGACY_FIELDS = import_module(
    "pathways.migrations.0002_curated_values_and_milestone_behaviour"
).LEGACY_FIELDS
RESOURCE_FIELDS = import_module("resources.migrations.0003_curated_values_and_visa_category").FIELDS
APPLICATIONS_FIELDS = import_module("applications.migrations.0005_curated_values").LEGACY_FIELDS

ROOT = Path(__file__).resolve().parents[2]


def project_migrations() -> list[tuple[str, str]]:
    """The project's own migrations (apps inside the repository), in dependency order."""
    ours = {config.label for config in project_app_configs()}
    graph = MigrationExecutor(connection).loader.graph
    leaves = [node for node in graph.leaf_nodes() if node[0] in ours]
    plan = []
    for leaf in leaves:
        plan += [node for node in graph.forwards_plan(leaf) if node[0] in ours]
    return list(dict.fromkeys(plan))


def parent_of(node: tuple[str, str]) -> str:
    graph = MigrationExecutor(connection).loader.graph
    parents = [p for p in graph.node_map[node].parents if p[0] == node[0]]
    return parents[0][1] if parents else "zero"


def migrate(app: str, name: str) -> None:
    """Migrate one app to `name` ("zero": unapplied), dependents following, as `migrate` does
    (without the post-migrate signals, which only refresh permissions)."""
    executor = MigrationExecutor(connection)
    executor.migrate([(app, None if name == "zero" else name)])


def migrate_back_to(state: set[tuple[str, str]]) -> None:
    """Re-apply what a backward step also unapplied (the admin and allauth depend on the user
    model), so the tables of `state` exist again."""
    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    targets = {}
    for app, name in state:
        depth = len(graph.forwards_plan((app, name)))
        if app not in targets or depth > targets[app][0]:
            targets[app] = (depth, name)
    executor.migrate([(app, name) for app, (_, name) in sorted(targets.items())])


def applied() -> set[tuple[str, str]]:
    return set(MigrationExecutor(connection).loader.applied_migrations)


def existing_counts() -> dict[str, int]:
    tables = set(connection.introspection.table_names())
    counts = {}
    for model in apps.get_models():
        if model._meta.db_table in tables:
            counts[model._meta.label] = model._default_manager.count()
    return counts


# Rows a reverse step deletes on purpose, because the schema before it cannot hold them:
# migration -> (model, the rows). Curated rows only: the content loader re-creates them after
# rolling forward (test_rolling_back_pathways_0003_then_forward_restores_the_content).
DELETED_WHEN_REVERSED = {
    ("pathways", "0003_date_provenance_lead_times_residencycas"): (
        "pathways.Rule",
        {"key__in": ["usmle_results_days", "evsp_processing_days"]},
    ),
    ("pathways", "0008_nrmp_rank_list_rules"): (
        "pathways.Rule",
        {"key__startswith": "nrmp_"},
    ),
}


def deliberately_deleted(node: tuple[str, str]):
    """The rows reversing `node` deletes on purpose (none for most migrations)."""
    if node not in DELETED_WHEN_REVERSED:
        return None
    label, lookup = DELETED_WHEN_REVERSED[node]
    return label, apps.get_model(label)._default_manager.filter(**lookup)


@pytest.mark.django_db(transaction=True)
def test_every_migration_reverses_and_reapplies_with_data(populated):
    migrations = project_migrations()
    assert len(migrations) >= 4
    assert all(row_counts()[label] > 0 for label in ("pathways.Progress", "resources.Resource"))
    exceptions_seen = {}
    try:
        for app, name in reversed(migrations):
            target = parent_of((app, name))
            before, before_applied = existing_counts(), applied()
            deleted = {}
            if exception := deliberately_deleted((app, name)):
                label, rows = exception
                deleted = exceptions_seen[(app, name)] = {label: rows.count()}
            migrate(app, target)  # backwards, with data
            assert (app, name) not in applied()
            if exception:
                assert not rows.exists(), f"reversing {app}.{name} left {label} rows it deletes"
            after = existing_counts()
            survivors = {label: n for label, n in before.items() if label in after}
            expected = {label: n - deleted.get(label, 0) for label, n in survivors.items()}
            assert {label: after[label] for label in survivors} == expected, (app, name)
            migrate(app, name)  # forwards again, with the other tables' data around
            assert (app, name) in applied()
            migrate_back_to(before_applied)
            again = existing_counts()
            assert set(again) == set(before), f"re-applying {app}.{name} left tables missing"
            assert {label: again[label] for label in survivors} == expected, (app, name)
            migrate(app, target)
    finally:
        call_command("migrate", verbosity=0)
    assert set(migrations) <= applied()
    # Every migration was reversed, and each exception deleted rows (the rules shipped: 2 of
    # 0003's keys, 3 of 0008's NRMP rank-list limits).
    assert exceptions_seen == {
        ("pathways", "0003_date_provenance_lead_times_residencycas"): {"pathways.Rule": 2},
        ("pathways", "0008_nrmp_rank_list_rules"): {"pathways.Rule": 3},
    }
    # The schema works again: the curated content loads into the re-created tables.
    call_command("load_curated_content", verbosity=0)
    assert row_counts()["pathways.Milestone"] > 0


# Rolling back past pathways 0003 (the 2027 season) and forward again, with content loaded.
PATHWAYS_0002 = "0002_curated_values_and_milestone_behaviour"


def curated_content() -> dict:
    """What the loader wrote: every curated row's loaded fields, by natural key."""
    rows = {}
    for milestone in Milestone.objects.all():
        values = {n: getattr(milestone, n) for n in curated.MILESTONE_FIELDS}
        rows[milestone.slug] = snapshot(values) | curated.requires_of(milestone)
    for cycle in MatchCycle.objects.all():
        rows[cycle.year] = snapshot({n: getattr(cycle, n) for n in curated.CYCLE_FIELDS})
    for rule in Rule.objects.all():
        values = {n: getattr(rule, n) for n in curated.RULE_FIELDS}
        rows[(rule.key, rule.effective_from)] = snapshot(values)
    return rows


def rolled_back_milestones() -> dict[str, tuple[str, dict]]:
    """While pathways is at 0002: each milestone's applies and curated_values (old schema)."""
    state = MigrationExecutor(connection).loader.project_state(("pathways", PATHWAYS_0002))
    milestones = state.apps.get_model("pathways", "Milestone").objects
    return {row.slug: (row.applies, row.curated_values) for row in milestones.all()}


def load_content() -> str:
    out = StringIO()
    call_command("load_curated_content", stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_rolling_back_pathways_0003_then_forward_restores_the_content(populated):
    content, everything = curated_content(), applied()
    assert content["residencycas"]["applies"] == "residencycas"
    assert content["eras-token"]["applies"] == "eras"
    assert content["step-1"]["lead_time_rule"] == "usmle_results_days"
    assert content[2026]["verified"], "the 2026 cycle ships verified dates"
    assert Rule.objects.filter(key__in=["usmle_results_days", "evsp_processing_days"]).count() == 2
    try:
        migrate("pathways", PATHWAYS_0002)
        old = rolled_back_milestones()
        # Shown to everyone meanwhile, as loaded content (the older loader may update it).
        assert old["residencycas"][0] == old["residencycas"][1]["applies"] == "always"
        assert old["eras-token"][0] == "always"
        assert "lead_time_rule" not in old["step-1"][1]
        migrate_back_to(everything)
    finally:
        call_command("migrate", verbosity=0)
    assert Milestone.objects.get(slug="residencycas").applies == "residencycas"
    assert not Rule.objects.filter(key="usmle_results_days").exists()
    summary = load_content()
    assert "rules: 5 created" in summary  # 0003's two keys and 0008's three
    assert "kept" not in summary, "no row may look edited by a curator after the round trip"
    assert curated_content() == content


@pytest.mark.django_db(transaction=True)
def test_a_curators_audience_survives_rolling_back_pathways_0003(populated):
    """A curator's choice of a new audience comes back too, and their other edits stay."""
    Milestone.objects.filter(slug="residencycas").update(applies="eras")  # file: residencycas
    Milestone.objects.filter(slug="step-1").update(summary="A curator's summary.")
    Milestone.objects.filter(slug="eras-submit").update(summary="Another curator's summary.")
    everything = applied()
    try:
        migrate("pathways", PATHWAYS_0002)
        old = rolled_back_milestones()
        assert old["residencycas"][0] == "always"
        assert old["residencycas"][1]["applies"] != "always", "kept as edited meanwhile"
        migrate_back_to(everything)
    finally:
        call_command("migrate", verbosity=0)
    summary = load_content()
    assert "3 kept as edited (step-1, residencycas, eras-submit;" in summary
    rows = {m.slug: m for m in Milestone.objects.filter(slug__in=["residencycas", "step-1"])}
    assert rows["residencycas"].applies == "eras"
    assert Milestone.objects.get(slug="eras-submit").applies == "eras"
    # A kept row still gets the fields whose columns the rollback dropped, from the files.
    assert rows["step-1"].summary == "A curator's summary."
    assert rows["step-1"].lead_time_rule == "usmle_results_days"


@pytest.mark.django_db(transaction=True)
def test_an_audience_changed_while_rolled_back_is_not_overwritten(populated):
    everything = applied()
    try:
        migrate("pathways", PATHWAYS_0002)
        state = MigrationExecutor(connection).loader.project_state(("pathways", PATHWAYS_0002))
        old_milestones = state.apps.get_model("pathways", "Milestone").objects
        old_milestones.filter(slug="residencycas").update(applies="visa")  # in the old admin
        migrate_back_to(everything)
    finally:
        call_command("migrate", verbosity=0)
    assert "residencycas" in load_content()
    assert Milestone.objects.get(slug="residencycas").applies == "visa"


def unmatched_fingerprints() -> dict[str, set[str]]:
    """While pathways is at 0001: the rows whose content_hash is not the old loaders' hash of
    their values (those loaders keep them as edited)."""
    nodes = [
        (app, name) for app, name in applied() if app in ("pathways", "resources", "applications")
    ]
    state = MigrationExecutor(connection).loader.project_state(nodes)
    unmatched = {}

    def check(label, fields, extra=lambda row: {}):
        model = state.apps.get_model(label)
        for row in model.objects.all():
            values = {n: getattr(row, n) for n in fields} | extra(row)
            if row.content_hash != legacy_hash(values):
                unmatched.setdefault(model._meta.model_name, set()).add(row.slug)

    def requires(row):
        return {"requires": sorted([p.required.slug, p.kind] for p in row.prerequisites.all())}

    def links(row):
        return {
            "tags": sorted(tag.slug for tag in row.tags.all()),
            "milestones": sorted(milestone.slug for milestone in row.milestones.all()),
        }

    check("pathways.Milestone", LEGACY_FIELDS["milestone"], requires)
    check("resources.Resource", RESOURCE_FIELDS, links)
    check("applications.CostEstimate", APPLICATIONS_FIELDS["costestimate"])
    return unmatched


# Rolling back past the migrations that replaced content_hash with curated_values (pathways
# 0002; resources 0003 and applications 0005 depend on it, so they go too) and forward again.
@pytest.mark.django_db(transaction=True)
def test_rolling_back_past_curated_values_keeps_which_rows_a_curator_edited(populated):
    resource, estimate = Resource.objects.first().slug, CostEstimate.objects.first().slug
    Milestone.objects.filter(slug="letters").update(summary="A curator's summary.")
    Milestone.objects.filter(slug="residencycas").update(applies="eras")  # file: residencycas
    Resource.objects.filter(slug=resource).update(title="A curator's title")
    CostEstimate.objects.filter(slug=estimate).update(amount=1)
    content, everything = curated_content(), applied()
    try:
        migrate("pathways", "0001_initial")
        assert ("resources", "0003_curated_values_and_visa_category") not in applied()
        assert ("applications", "0005_curated_values") not in applied()
        # The older loaders' view: a row still as loaded hashes to its fingerprint, an edited
        # one does not (it would be kept), as before the upgrade.
        assert unmatched_fingerprints() == {
            "milestone": {"letters", "residencycas"},
            "resource": {resource},
            "costestimate": {estimate},
        }
        migrate_back_to(everything)
    finally:
        call_command("migrate", verbosity=0)
    summary = load_content()
    assert summary.count("kept as edited") == 3, summary
    assert "2 kept as edited (letters, residencycas;" in summary
    assert Milestone.objects.get(slug="letters").summary == "A curator's summary."
    # Known limit, documented: past 0002 the audience 0003 set aside is gone, so a curator's
    # choice of a new audience comes back as the placeholder, on a row kept as edited.
    assert Milestone.objects.get(slug="residencycas").applies == "always"
    content["residencycas"]["applies"] = "always"
    assert curated_content() == content  # the rest as loaded (0003's round trip included)
