"""The shipped resources: loaded idempotently, curator edits kept unless forced."""

import pytest
from django.core.management import call_command

from lib.toml_sync import ContentError
from pathways.models import Milestone
from resources import curated
from resources.models import Resource

ENTRY = """
[[resource]]
slug = "ecfmg-evsp"
title = "{title}"
organisation = "ECFMG (Intealth)"
category = "visa"
summary = "J-1 sponsorship."
description = "Details."
url = "{url}"
cost = "paid"
eligibility = "IMGs with a contract"
location = "United States"
tags = ["visa", "J-1"]
milestones = {milestones}
published = true
last_reviewed = 2025-12-01
needs_review = false
"""


@pytest.fixture
def content(tmp_path, milestone):
    path = tmp_path / "resources.toml"

    def write(title="EVSP", url="https://www.ecfmg.org/evsp/", milestones='["ecfmg-certificate"]'):
        path.write_text(ENTRY.format(title=title, url=url, milestones=milestones))
        return path

    return write


def test_load_creates_then_is_idempotent(content, milestone):
    path = content()
    assert curated.load(force=False, path=path) == "resources: 1 created, 0 updated, 0 unchanged"
    resource = Resource.objects.get()
    assert {t.slug for t in resource.tags.all()} == {"visa", "j-1"}
    assert list(resource.milestones.all()) == [milestone]
    assert resource.curated_values["tags"] == ["j-1", "visa"]
    assert resource.curated_values["last_reviewed"] == "2025-12-01"
    assert curated.load(force=False, path=path) == "resources: 0 created, 0 updated, 1 unchanged"
    assert Resource.objects.count() == 1


def test_load_updates_rows_nobody_edited(content):
    curated.load(force=False, path=content())
    summary = curated.load(force=False, path=content(title="EVSP (new name)"))
    assert "1 updated" in summary
    assert Resource.objects.get().title == "EVSP (new name)"


def test_load_keeps_a_curator_edit_unless_forced(content):
    curated.load(force=False, path=content())
    resource = Resource.objects.get()
    resource.summary = "Edited by a curator."
    resource.save()
    path = content(title="EVSP (new name)")
    summary = curated.load(force=False, path=path)
    assert "1 kept as edited (ecfmg-evsp;" in summary
    assert Resource.objects.get().summary == "Edited by a curator."
    assert "1 updated" in curated.load(force=True, path=path)
    assert Resource.objects.get().summary == "J-1 sponsorship."


def test_load_keeps_a_tag_edit_too(content, tag):
    curated.load(force=False, path=content())
    Resource.objects.get().tags.remove(tag)
    assert "1 kept as edited (ecfmg-evsp;" in curated.load(force=False, path=content(title="New"))


def test_unknown_milestone_slug_is_a_clear_error(content):
    with pytest.raises(ContentError, match="unknown milestone slug.*no-such"):
        curated.load(force=False, path=content(milestones='["no-such"]'))
    assert not Resource.objects.exists()


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("cost =", "costs =", "missing cost"),
        ("cost =", 'colour = "red"\ncost =', "unknown key.*colour"),
    ],
)
def test_a_missing_or_unknown_key_is_a_clear_error(content, old, new, message):
    path = content()
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(ContentError, match=message):
        curated.load(force=False, path=path)
    assert not Resource.objects.exists()


def test_invalid_url_is_a_clear_error(content):
    with pytest.raises(ContentError, match="url"):
        curated.load(force=False, path=content(url="javascript:alert(1)"))
    assert not Resource.objects.exists()


def test_shipped_content_loads_twice_with_the_same_counts(db):
    call_command("load_curated_content", verbosity=0)
    count = Resource.objects.count()
    assert count >= 30
    assert Resource.objects.filter(url="").count() <= 1
    assert not Resource.objects.published().filter(url="").exists()
    loaded = dict(Resource.objects.values_list("slug", "curated_values"))
    call_command("load_curated_content", verbosity=0)
    assert Resource.objects.count() == count
    assert dict(Resource.objects.values_list("slug", "curated_values")) == loaded
    summary = curated.load(force=False)
    assert f"{count} unchanged" in summary


# The 2027-season review, section D: links that were broken or guessed, and year-specific
# prose a 2027 or 2028 member would read as current (the dates live in the cycle records).
STALE = [
    "3rnet.org/Employers-Guide",
    "https://www.fsmb.org/fcvs/",
    "https://aamc.org/",
    "19 August 2025",
    "25 February 2026",
    "15 January 2026",
    "52,498",
    "probably 1 January 2024",
    "ECFMG uploads them",
]


def test_shipped_text_has_no_stale_links_or_dates(curated):
    texts = [
        " ".join([m.title, m.summary, m.explanation, m.deadline_note, m.source_url])
        for m in Milestone.objects.all()
    ]
    texts += [" ".join([r.title, r.summary, r.description, r.url]) for r in Resource.objects.all()]
    for stale in STALE:
        assert not [text[:60] for text in texts if stale in text], stale
    fcvs = "https://www.fsmb.org/licensure/fcvs/overview/"
    assert Resource.objects.get(slug="fsmb-fcvs").url == fcvs
    assert Milestone.objects.get(slug="fcvs").source_url == fcvs
    assert Resource.objects.get(slug="3rnet-j1-conrad-guide").url == "https://3rnet.org/"
    charting = Resource.objects.get(slug="nrmp-charting-outcomes-imgs")
    assert charting.needs_review and "data and reports" in charting.description
    assert Milestone.objects.get(slug="alt-license").needs_review
    assert "July 2024" in Milestone.objects.get(slug="alt-license").explanation
