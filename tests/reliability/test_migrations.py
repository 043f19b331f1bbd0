"""Every migration of the project's apps applies backwards and forwards on a populated
database (run on SQLite and on PostgreSQL by CI). The migrations are discovered from the
migration graph, so a new app's are covered too."""

from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from tests.security.conftest import project_app_configs, row_counts

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


# Known finding (merge of main, 2026-11-25): reversing pathways 0003 re-adds the old
# `pathways_rule_key_valid` check constraint, which the rules it introduced
# (usmle_results_days, evsp_processing_days, loaded by load_curated_content) violate.
# A rollback needs a reverse step that deletes or maps those rows first.
CANNOT_REVERSE_WITH_CURRENT_CONTENT = {
    ("pathways", "0003_date_provenance_lead_times_residencycas"),
}


@pytest.mark.django_db(transaction=True)
def test_every_migration_reverses_and_reapplies_with_data(populated):
    migrations = project_migrations()
    assert len(migrations) >= 4
    assert all(row_counts()[label] > 0 for label in ("pathways.Progress", "resources.Resource"))
    try:
        for app, name in reversed(migrations):
            target = parent_of((app, name))
            before, before_applied = existing_counts(), applied()
            if (app, name) in CANNOT_REVERSE_WITH_CURRENT_CONTENT:
                # Pinned: when it reverses, this raises nothing and the entry must go.
                with pytest.raises(IntegrityError):
                    migrate(app, target)
                assert (app, name) in applied()
                break  # the migrations before it cannot be reached backwards either
            migrate(app, target)  # backwards, with data
            assert (app, name) not in applied()
            after = existing_counts()
            survivors = {label: n for label, n in before.items() if label in after}
            assert {label: after[label] for label in survivors} == survivors, (app, name)
            migrate(app, name)  # forwards again, with the other tables' data around
            assert (app, name) in applied()
            migrate_back_to(before_applied)
            again = existing_counts()
            assert set(again) == set(before), f"re-applying {app}.{name} left tables missing"
            assert {label: again[label] for label in survivors} == survivors, (app, name)
            migrate(app, target)
    finally:
        call_command("migrate", verbosity=0)
    assert set(migrations) <= applied()
    # The schema works again: the curated content loads into the re-created tables.
    call_command("load_curated_content", verbosity=0)
    assert row_counts()["pathways.Milestone"] > 0
