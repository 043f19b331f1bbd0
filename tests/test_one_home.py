"""One home per rule: each milestone slug and visa value code reads is written once.

Walks the project's own Python (not tests, not migrations) and collects every string
constant; a shipped milestone slug may appear only in `pathways.models.Slugs`, a visa value
only in the enumerations that define it. A new module that types "step-1" again fails here:
import `Slugs.STEP1` instead.
"""

import ast
from pathlib import Path

from accounts.models import Visa
from pathways.models import Slugs

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", ".venv-semgrep", "node_modules", "tests", "migrations", "bench", "staticfiles"}
SLUGS = {value for name, value in vars(Slugs).items() if name.isupper()}
VISAS = {Visa.J1.value, Visa.H1B.value, Visa.UNDECIDED.value}
# Where a visa value may be written: the member's visa (accounts), the roadmap's Applies
# rule names (pathways), and a program's sponsorship (applications), which uses the member's
# values on purpose so the fit check can compare them.
VISA_HOMES = {"accounts/models.py", "pathways/models.py", "applications/models.py"}


def is_choices(node: ast.AST) -> bool:
    """A TextChoices class: its values are other things' names ("oet", a kind of cost)."""
    return isinstance(node, ast.ClassDef) and any(
        getattr(base, "attr", getattr(base, "id", "")).endswith("TextChoices")
        for base in node.bases
    )


def string_constants(*, skip_choices: bool = False) -> list[tuple[str, str]]:
    found = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if SKIP & set(relative.parts):
            continue
        tree = ast.parse(path.read_text(), str(relative))
        skipped = set()
        if skip_choices:
            for node in ast.walk(tree):
                if is_choices(node):
                    skipped |= {id(child) for child in ast.walk(node)}
        for node in ast.walk(tree):
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and id(node) not in skipped:
                found.append((str(relative), node.value))
    return found


def test_each_milestone_slug_is_written_once():
    constants = string_constants(skip_choices=True)
    places = [(path, value) for path, value in constants if value in SLUGS]
    outside = [(path, value) for path, value in places if path != "pathways/models.py"]
    assert outside == []
    assert sorted(value for _, value in places) == sorted(SLUGS)  # and exactly once there


def test_visa_values_are_written_only_where_they_are_defined():
    outside = [
        (path, value)
        for path, value in string_constants()
        if value in VISAS and path not in VISA_HOMES
    ]
    assert outside == []
