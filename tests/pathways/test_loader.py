"""The one curated-content loader: idempotent, strict about keys, keeps curators' edits."""

import datetime
import shutil
import tomllib

import pytest
from django.core.management import CommandError, call_command

from pathways import curated as curated_module
from pathways.models import MatchCycle, Milestone, Prerequisite, Rule

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, int, int, int]:
    return (
        Milestone.objects.count(),
        Prerequisite.objects.count(),
        MatchCycle.objects.count(),
        Rule.objects.count(),
    )


def load(force: bool = False) -> str:
    return curated_module.load(force=force)


def shipped(name: str, table: str) -> int:
    """How many entries a content file ships."""
    with (curated_module.CONTENT_DIR / name).open("rb") as file:
        return len(tomllib.load(file)[table])


MILESTONES = shipped("milestones.toml", "milestone")
RULES = shipped("rules.toml", "rule")


@pytest.fixture
def content(tmp_path, monkeypatch):
    """A copy of pathways/content/ the test may edit; the loader reads it instead."""
    folder = tmp_path / "content"
    shutil.copytree(curated_module.CONTENT_DIR, folder)
    monkeypatch.setattr(curated_module, "CONTENT_DIR", folder)

    def edit(name: str, old: str, new: str) -> None:
        path = folder / name
        text = path.read_text()
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, 1))

    return edit


def test_loading_twice_creates_nothing_new(curated):
    first = counts()
    assert first == (MILESTONES, first[1], 3, RULES) and first[1] >= 30
    summary = load()
    assert counts() == first
    assert "0 created, 0 updated" in summary and "kept" not in summary


def test_curator_edit_is_kept_and_force_restores_it(curated):
    step1 = Milestone.objects.get(slug="step-1")
    shipped_title = step1.title
    step1.title = "Step 1, edited by a curator"
    step1.save()
    cycle = MatchCycle.objects.get(year=2027)
    cycle.match_day = datetime.date(2027, 3, 18)
    cycle.save()

    summary = load()
    expected = f"milestones: 0 created, 0 updated, {MILESTONES - 1} unchanged, 1 kept as edited"
    assert f"{expected} (step-1;" in summary
    assert "1 kept as edited (2027;" in summary
    assert Milestone.objects.get(slug="step-1").title == "Step 1, edited by a curator"
    assert MatchCycle.objects.get(year=2027).match_day == datetime.date(2027, 3, 18)

    call_command("load_curated_content", force=True, verbosity=0)
    assert Milestone.objects.get(slug="step-1").title == shipped_title
    assert MatchCycle.objects.get(year=2027).match_day == datetime.date(2027, 3, 19)
    assert "kept" not in load()


def test_a_curator_changed_prerequisite_is_kept(curated):
    step1 = Milestone.objects.get(slug="step-1")
    Prerequisite.objects.filter(milestone=step1).update(kind="soft")
    assert "kept as edited (step-1;" in load()
    kinds = Prerequisite.objects.filter(milestone=step1).values_list("kind", flat=True)
    assert set(kinds) == {"soft"}
    load(force=True)
    kinds = Prerequisite.objects.filter(milestone=step1).values_list("kind", flat=True)
    assert set(kinds) == {"hard"}


def test_a_row_created_in_the_admin_is_kept(curated):
    rule = Rule.objects.get(key="usmle_attempt_limit", effective_from=None)
    rule.curated_values = {}  # as for a row a curator created by hand
    rule.value = 5
    rule.save()
    assert "kept as edited (usmle_attempt_limit@initial;" in load()
    assert Rule.objects.get(pk=rule.pk).value == 5


def test_unchanged_rows_follow_the_shipped_files(curated, content):
    content(
        "rules.toml", 'note = "Maximum duration of J-1', 'note = "Newer. Maximum duration of J-1'
    )
    assert f"rules: 0 created, 1 updated, {RULES - 1} unchanged" in load()
    assert Rule.objects.get(key="j1_max_years").note.startswith("Newer. Maximum")


def test_a_field_new_in_the_files_fills_even_a_kept_row(curated, content):
    """A later release adds a field: a row a curator edited still gets it."""
    step3 = Milestone.objects.get(slug="step-3")
    step3.title = "Step 3, edited"
    step3.passing_score_rule = ""
    step3.curated_values = {
        k: v for k, v in step3.curated_values.items() if k != "passing_score_rule"
    }
    step3.save()
    assert "kept as edited (step-3;" in load()
    step3.refresh_from_db()
    assert (step3.title, step3.passing_score_rule) == ("Step 3, edited", "step3_passing_score")


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        ("milestones.toml", 'slug = "match"\n', 'slug = "match"\ncolour = "red"\n', "colour"),
        ("cycles.toml", "year = 2028\n", "year = 2028\nmatch_dya = 2028-03-17\n", "match_dya"),
        ("rules.toml", 'key = "j1_max_years"\n', 'key = "j1_max_years"\nvalu = 7\n', "valu"),
        ("milestones.toml", 'category = "licensure"', 'category = "astrology"', "category"),
        (
            "milestones.toml",
            'slug = "match"\n',
            'slug = "match"\nrequires = [{ slug = "nope" }]\n',
            "not valid TOML",
        ),
        (
            "cycles.toml",
            "[cycle.change_reasons]\n",
            '[cycle.change_reasons]\nmatch_dya = "moved"\n',
            "change_reasons: 'match_dya' is not a date",
        ),
        (
            "rules.toml",
            'key = "j1_max_years"\n',
            'key = "j1_max_years"\nchange_reason = "' + "x" * 201 + '"\n',
            "200 or fewer",
        ),
    ],
    ids=[
        "unknown milestone key",
        "unknown cycle key",
        "unknown rule key",
        "bad value",
        "bad TOML",
        "reason for an unknown date",
        "reason too long",
    ],
)
def test_invalid_content_loads_nothing(db, content, name, old, new, message):
    content(name, old, new)
    with pytest.raises(CommandError, match=message):
        call_command("load_curated_content", verbosity=0)
    assert counts() == (0, 0, 0, 0)


def test_a_prerequisite_cycle_in_the_files_loads_nothing(db, content):
    content(
        "milestones.toml",
        'slug = "eligible-school"\n',
        'slug = "eligible-school"\nrequires = [{ slug = "match", kind = "hard" }]\n',
    )
    content(
        "milestones.toml",
        'requires = []\n\n[[milestone]]\nslug = "intealth',
        '\n[[milestone]]\nslug = "intealth',
    )
    with pytest.raises(CommandError, match="cycle: "):
        call_command("load_curated_content", verbosity=0)
    assert counts() == (0, 0, 0, 0)


def test_a_release_records_moved_rules_and_deadlines_as_the_admin_does(curated, content):
    """Rules and milestone deadlines moved by a release are history too, with its reason."""
    from pathways.models import DateChange

    content(
        "rules.toml",
        'key = "usmle_results_days"\nvalue = 28',
        'key = "usmle_results_days"\nchange_reason = "corrected: USMLE"\nvalue = 35',
    )
    content(
        "rules.toml",
        '[[rule]]\nkey = "step3_passing_score"\nvalue = 190',
        '[[rule]]\nkey = "step3_passing_score"\nvalue = 202\neffective_from = 2027-01-01\n'
        'change_reason = "new score"\nsource_url = "https://www.usmle.org/"\n\n'
        '[[rule]]\nkey = "step3_passing_score"\nvalue = 190',
    )
    content(
        "milestones.toml",
        'deadline = "match_day"',
        'change_reason = "moved"\ndeadline = "rol_deadline"',
    )
    assert not DateChange.objects.exists()
    load()
    changes = {(c.kind, c.rule_key or c.milestone.slug): c for c in DateChange.objects.all()}
    assert set(changes) == {
        ("rule", "usmle_results_days"),
        ("rule", "step3_passing_score"),
        ("milestone", "match"),
    }
    results = changes[("rule", "usmle_results_days")]
    assert (results.old_value, results.new_value, results.reason) == (
        "28",
        "35",
        "corrected: USMLE",
    )
    assert changes[("rule", "step3_passing_score")].label == "Step 3 passing score from 1 Jan 2027"
    match = changes[("milestone", "match")]
    assert (match.old_value, match.new_value, match.reason) == (
        "Match Day",
        "Rank order list deadline",
        "moved",
    )
    assert all(c.changed_by is None for c in changes.values())
    load()
    assert DateChange.objects.count() == 3
