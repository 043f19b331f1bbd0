"""The Resource data contract: constraints, querysets and search (PostgreSQL and fallback)."""

import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from resources.models import ProblemReport, Resource, SavedResource, prefix_tsquery, search_terms

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL full-text search"
)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>x</script>", "ftp://x"],
)
def test_orm_insert_with_unsafe_url_is_refused_by_the_database(make_resource, url):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_resource(url=url)


def test_empty_url_is_allowed_for_an_unpublished_entry(make_resource):
    assert make_resource(url="", published=False).url == ""


def test_category_and_cost_are_constrained_in_the_database(make_resource):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_resource(category="astrology")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_resource(cost="cheap")


def test_full_clean_rejects_non_http_schemes(make_resource):
    from django.core.exceptions import ValidationError

    resource = make_resource()
    resource.url = "ftp://files.example.org/x"
    with pytest.raises(ValidationError) as error:
        resource.full_clean()
    assert "url" in error.value.message_dict


def test_saved_resource_is_unique_per_member(make_resource, member):
    resource = make_resource()
    SavedResource.objects.create(user=member, resource=resource)
    with pytest.raises(IntegrityError), transaction.atomic():
        SavedResource.objects.create(user=member, resource=resource)


def test_one_open_problem_report_per_member_and_resource(make_resource, member):
    resource = make_resource()
    ProblemReport.objects.create(user=member, resource=resource, kind="outdated")
    with pytest.raises(IntegrityError), transaction.atomic():
        ProblemReport.objects.create(user=member, resource=resource, kind="wrong")
    ProblemReport.objects.update(resolved=True)
    ProblemReport.objects.create(user=member, resource=resource, kind="wrong")  # allowed again


def test_account_deletion_removes_reports_and_saves(make_resource, member):
    resource = make_resource()
    ProblemReport.objects.create(user=member, resource=resource, kind="outdated")
    SavedResource.objects.create(user=member, resource=resource)
    member.delete()
    assert not ProblemReport.objects.exists()
    assert not SavedResource.objects.exists()
    assert Resource.objects.filter(pk=resource.pk).exists()


def test_published_and_stale(make_resource):
    fresh = make_resource(last_reviewed=datetime.date(2025, 12, 1))
    old = make_resource(last_reviewed=datetime.date(2024, 11, 1))
    hidden = make_resource(published=False)
    assert set(Resource.objects.published()) == {fresh, old}
    assert hidden not in Resource.objects.published()
    with time_machine.travel(datetime.datetime(2026, 1, 15, 12, tzinfo=datetime.UTC)):
        assert list(Resource.objects.stale()) == [old]
        assert old.is_stale and not fresh.is_stale


def test_search_terms_are_plain_words_only():
    terms = search_terms("' OR 1=1-- & visa:* !(ecfmg) | <script>")
    assert terms == ["OR", "1", "1", "visa", "ecfmg", "script"]
    assert prefix_tsquery(["visa", "spons"]) == "visa & spons:*"
    assert len(search_terms("word " * 50)) == 8


@pytest.mark.parametrize("q", ["", "   ", "&&&", "' -- ;", ":*"])
def test_search_without_words_returns_everything(make_resource, q):
    make_resource()
    assert Resource.objects.search(q).count() == 1


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("' OR 1=1--", []),
        ("visa & | ! ( ) : *", ["Visa guide"]),
        ("a'b\\c", []),
        ("ünïcødé résumé", []),
    ],
)
def test_hostile_search_text_is_literal(make_resource, q, found):
    make_resource(title="Visa guide")
    make_resource(title="Licensure guide")
    assert [r.title for r in Resource.objects.search(q)] == found


@pytest.fixture
def ranked(make_resource):
    """The word "sponsorship" in a different field of each resource."""
    return {
        "description": make_resource(
            title="Delta", organisation="Org", summary="Other.", description="About sponsorship."
        ),
        "summary": make_resource(
            title="Charlie", organisation="Org", summary="Sponsorship help.", description=""
        ),
        "organisation": make_resource(
            title="Bravo", organisation="Sponsorship Office", summary="Other.", description=""
        ),
        "title": make_resource(
            title="Sponsorship guide", organisation="Org", summary="Other.", description=""
        ),
        "none": make_resource(title="Alpha", organisation="Org", summary="Nothing", description=""),
    }


def test_search_ranks_title_above_organisation_above_summary_above_description(ranked):
    results = list(Resource.objects.search("sponsorship"))
    assert results == [
        ranked[field] for field in ["title", "organisation", "summary", "description"]
    ]


def test_search_matches_the_last_word_as_a_prefix(ranked):
    # As you type: "sponso" already finds them, best first.
    assert list(Resource.objects.search("sponso"))[0] == ranked["title"]
    assert list(Resource.objects.search("guide spons")) == [ranked["title"]]


def test_search_can_rank_a_bounded_number_of_matches(ranked):
    bounded = list(Resource.objects.search("sponsorship", rank_at_most=2))
    assert len(bounded) == 2
    # Whichever two the database found first, they come best first.
    order = [ranked[field] for field in ["title", "organisation", "summary", "description"]]
    assert bounded == sorted(bounded, key=order.index)


def test_search_requires_every_word(make_resource):
    both = make_resource(title="J-1 visa waiver", summary="Conrad 30")
    make_resource(title="Visa interviews", summary="Consular")
    assert list(Resource.objects.search("visa conrad")) == [both]


@postgresql_only
def test_postgresql_search_stems_words(make_resource):
    resource = make_resource(title="Observership programs", summary="x")
    assert list(Resource.objects.search("program")) == [resource]


@postgresql_only
def test_postgresql_search_document_follows_every_write(make_resource):
    resource = make_resource(title="Observership guide", summary="x")
    Resource.objects.filter(pk=resource.pk).update(title="Conrad waiver")  # no save()
    assert list(Resource.objects.search("conrad")) == [resource]
    assert not Resource.objects.search("observership").exists()


@postgresql_only
@pytest.mark.parametrize("rank_at_most", [None, 1000])
def test_postgresql_search_uses_the_gin_index(make_resource, rank_at_most):
    make_resource(title="Visa guide")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
    try:
        plan = Resource.objects.search("visa gui", rank_at_most=rank_at_most).explain()
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = on")
    assert "resources_resource_search_gin" in plan


def test_fallback_is_case_insensitive_substring_search_with_title_first(make_resource):
    """The search SQLite uses; plain ORM, so it runs (and is tested) on every database."""
    in_summary = make_resource(title="Alpha", summary="All about VISAS here")
    in_title = make_resource(title="Zulu visa office", summary="Other")
    make_resource(title="Unrelated", summary="Nothing")

    def fallback(q):
        matches, rank = Resource.objects.all()._search_fallback(search_terms(q))
        return list(matches.annotate(rank=rank).order_by("-rank", "title", "pk"))

    assert fallback("visa") == [in_title, in_summary]
    assert fallback("ISA") == [in_title, in_summary]  # substring
    if connection.vendor == "sqlite":
        assert list(Resource.objects.search("visa")) == [in_title, in_summary]


def test_slug_saved_is_reserved_for_the_saved_page(make_resource):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_resource(slug="saved")
