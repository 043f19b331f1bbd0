"""The dashboard's summaries that a progress save can change, and a version of each one's
content, so that a save sends back only those that changed.

The dashboard carries the version of each summary it shows (a hidden `shown` input inside
it, "standing:3f9a..."); a row's form sends them along with the save (`hx-include`), and
the answer carries, out of band, only the summaries whose version the save changed
(pathways/views.py `render_update`). A version is a hash of everything its partial in
templates/pathways/dashboard.html shows: the roadmap's values below, the curated content's
token (titles, links, resources) and the code version (the templates themselves).
tests/pathways/test_save_parts.py renders every summary across a walk of saves and fails
when one changed while its version did not.
"""

import hashlib

from pathways.dashboard_cache import CODE_VERSION
from pathways.roadmap import Roadmap

# The summaries by the names their versions go by (the partials' names, with underscores).
PARTS = ("standing", "progress_summary", "next_steps", "blocked", "alerts")


def contents(roadmap: Roadmap) -> dict[str, object]:
    """What each summary shows, as plain values (curated text comes with the token)."""
    overall, standing = roadmap.overall, roadmap.standing
    return {
        "standing": (
            standing.phase,
            standing.urgent,
            standing.overdue,
            overall.done,
            overall.total,
        ),
        "progress_summary": (
            overall.done,
            overall.total,
            [(c.key, c.label, c.done, c.total) for c in roadmap.categories],
        ),
        "next_steps": (
            [
                (
                    i.milestone.pk,
                    i.deadline,
                    i.deadline_proposed,
                    i.target,
                    i.overdue,
                    [m.pk for m in i.recommended],
                )
                for i in roadmap.next_steps
            ],
            roadmap.more_next_steps,
        ),
        "blocked": len(roadmap.blocked),
        "alerts": [
            (a.level, a.title, a.message, a.url, a.milestone.pk if a.milestone else None)
            for a in roadmap.alerts
        ],
    }


def versions(roadmap: Roadmap) -> dict[str, str]:
    """Each summary's version: 16 hex digits."""
    base = f"{CODE_VERSION}/{roadmap.data.content_token}/"
    return {
        name: hashlib.blake2b((base + repr(content)).encode(), digest_size=8).hexdigest()
        for name, content in contents(roadmap).items()
    }


def shown(values: list[str]) -> dict[str, str]:
    """The versions a page says it shows ("name:version" each, as posted)."""
    return dict(value.partition(":")[::2] for value in values)
