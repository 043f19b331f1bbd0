"""Applications per Match cycle: pipeline, history, htmx and plain status changes,
stale edits, bulk changes, read-only past cycles, carry-over, ownership, query counts."""

import datetime

import pytest
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from applications.models import Application, Program, StatusChange
from tests.factories import make_application, make_program

from .conftest import HTMX

INDEX = reverse("applications:index")
NEW = reverse("applications:application_new")
BULK = reverse("applications:bulk_status")


def status_url(application):
    return reverse("applications:application_status", args=[application.pk])


def test_track_a_program_in_the_current_cycle(member_client, member, alice_program):
    response = member_client.post(NEW, {"program": alice_program.pk, "cycle": 2027})
    application = Application.objects.get(user=member)
    assert response.status_code == 302
    assert response.url == f"{INDEX}?cycle=2027#application-{application.pk}"
    assert application.specialty == alice_program.specialty
    assert application.status == "researching"
    assert list(application.history.values_list("from_status", "to_status")) == [
        ("", "researching")
    ]
    # Double submit: a message, no duplicate, no 500.
    again = member_client.post(NEW, {"program": alice_program.pk, "cycle": 2027})
    assert again.status_code == 200
    assertContains(again, "You already track this program in this specialty for Match 2027.")
    assert Application.objects.count() == 1


def test_database_refuses_a_duplicate_application(member, alice_application):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            user=member,
            program=alice_application.program,
            specialty=alice_application.specialty,
            cycle=alice_application.cycle,
            status_changed_on=datetime.date(2026, 9, 1),
        )


def test_tracking_another_members_program_is_refused(member_client, bob_program):
    response = member_client.post(NEW, {"program": bob_program.pk, "cycle": 2027})
    assert response.status_code == 200
    assertContains(response, "Select a valid choice")
    assert not Application.objects.filter(user__email="alice@example.com").exists()


def test_index_shows_cards_counts_and_the_htmx_form(member_client, member, alice_application):
    make_application(member, status="applied")
    response = member_client.get(INDEX)
    assertContains(response, "Applications, Match 2027")
    assertContains(response, f'id="application-{alice_application.pk}"')
    # the status form is loaded on demand: a real link, or the card alone for htmx
    opened = f"?cycle=2027&amp;page=1&amp;open={alice_application.pk}"
    assertContains(response, f'href="{opened}#application-{alice_application.pk}"')
    assertNotContains(response, f'action="{status_url(alice_application)}"')
    page = member_client.get(INDEX, {"open": alice_application.pk})
    assertContains(page, f'action="{status_url(alice_application)}"')  # works without JS
    card = member_client.get(INDEX, {"open": alice_application.pk}, headers=HTMX)
    assertContains(card, f'hx-post="{status_url(alice_application)}"')
    assertNotContains(card, "<h1>")
    assert card.content.decode().count('class="list-row application-card') == 1
    assertContains(response, '<strong data-status="applied">1</strong>', html=True)
    assertContains(response, '<strong data-status="researching">1</strong>', html=True)
    assert "no-store" in response["Cache-Control"]


def test_htmx_status_change_returns_the_card_and_counts_and_keeps_history(
    member_client, alice_application
):
    response = member_client.post(
        status_url(alice_application),
        {"status": "applied", "version": alice_application.version},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="application-{alice_application.pk}"' in html
    assert 'id="status-counts"' in html and 'hx-swap-oob="true"' in html
    assert "Saved." in html
    alice_application.refresh_from_db()
    assert alice_application.status == "applied"
    assert alice_application.version == 2
    changes = list(
        alice_application.history.order_by("created_at").values_list("to_status", flat=True)
    )
    assert changes == ["researching", "applied"]


def test_plain_status_change_redirects_with_a_message(member_client, alice_application):
    response = member_client.post(
        status_url(alice_application), {"status": "interview_invited", "version": 1}, follow=True
    )
    assertContains(response, "Alice Medical Center: Interview invited.")
    alice_application.refresh_from_db()
    assert alice_application.status == "interview_invited"


def test_stale_status_change_shows_both_values_and_saves_nothing(member_client, alice_application):
    url = status_url(alice_application)
    member_client.post(url, {"status": "applied", "version": 1}, headers=HTMX)  # tab one
    response = member_client.post(
        url, {"status": "withdrawn", "version": 1}, headers=HTMX
    )  # tab two
    html = response.content.decode()
    assert "Not saved: this application changed in another tab." in html
    assert "You chose <strong>Withdrawn</strong>; it is now <strong>Applied</strong>" in html
    assert 'name="version" value="2"' in html  # choosing again applies it on purpose
    alice_application.refresh_from_db()
    assert alice_application.status == "applied"
    plain = member_client.post(url, {"status": "withdrawn", "version": 1})
    assertContains(
        plain, "you chose <strong>Withdrawn</strong>; saved now: <strong>Applied</strong>"
    )
    assertContains(plain, '<option value="withdrawn" selected>', html=False)


def test_stale_full_edit_keeps_the_members_notes(member_client, alice_application):
    url = alice_application.get_absolute_url()
    first = {"status": "applied", "changed_on": "2026-09-10", "notes": "Called PD", "version": 1}
    assert member_client.post(url, first).status_code == 302
    stale = {
        "status": "researching",
        "changed_on": "2026-09-11",
        "notes": "My long note",
        "version": 1,
    }
    response = member_client.post(url, stale)
    assertContains(response, "saved now: <strong>Applied</strong>")
    assertContains(response, "<q>Called PD</q>")
    assertContains(response, "My long note</textarea>")
    alice_application.refresh_from_db()
    assert alice_application.notes == "Called PD"
    assert alice_application.status_changed_on == datetime.date(2026, 9, 10)


@pytest.mark.parametrize(
    "data", [{"status": "step9", "version": 1}, {"status": "applied", "version": "abc"}, {}]
)
def test_bad_status_input_changes_nothing(member_client, alice_application, data):
    response = member_client.post(status_url(alice_application), data, headers=HTMX)
    assert response.status_code == 200
    assertContains(response, "Choose one of the listed statuses.")
    alice_application.refresh_from_db()
    assert alice_application.status == "researching" and alice_application.version == 1


def test_bulk_status_change(member_client, member, other_member):
    mine = [make_application(member) for _ in range(3)]
    theirs = make_application(other_member, cycle=2027)
    response = member_client.post(
        BULK,
        {"ids": [mine[0].pk, mine[1].pk], "status": "applied", "cycle": "2027"},
        follow=True,
    )
    assertContains(response, "Moved 2 applications to Applied.")
    assert sorted(Application.objects.filter(user=member).values_list("status", flat=True)) == [
        "applied",
        "applied",
        "researching",
    ]
    assert StatusChange.objects.filter(to_status="applied").count() == 2
    # Another member's id is not a valid choice: nothing moves.
    response = member_client.post(BULK, {"ids": [theirs.pk], "status": "rejected"}, follow=True)
    assertContains(response, "Select a valid choice")
    theirs.refresh_from_db()
    assert theirs.status == "researching"


def test_past_cycle_is_read_only_and_can_be_carried_over(member_client, member):
    old = make_application(member, cycle=2026, status="rejected")
    page = member_client.get(INDEX, {"cycle": 2026})
    assertContains(page, "Match 2026 is past")
    assertNotContains(page, f'hx-post="{status_url(old)}"')
    response = member_client.post(status_url(old), {"status": "applied", "version": 1}, follow=True)
    assertContains(response, "kept read-only")
    old.refresh_from_db()
    assert old.status == "rejected"
    assert member_client.post(NEW, {"program": old.program.pk, "cycle": 2026}).status_code == 200
    # The current cycle starts fresh; programs can be carried over.
    current = member_client.get(INDEX)
    assertContains(current, "No applications in Match 2027 yet")
    assertContains(current, "Carry programs over")
    done = member_client.post(reverse("applications:carry_over"), {"from_cycle": 2026}, follow=True)
    assertContains(done, "Carried 1 program over from Match 2026 to Match 2027")
    new = Application.objects.get(user=member, cycle=2027)
    assert new.program == old.program and new.status == "researching"
    # Twice is harmless.
    member_client.post(reverse("applications:carry_over"), {"from_cycle": 2026})
    assert Application.objects.filter(user=member, cycle=2027).count() == 1
    old.refresh_from_db()
    assert old.status == "rejected"


def test_other_members_application_is_a_404_everywhere(member_client, bob_application):
    pk = bob_application.pk
    assert member_client.get(reverse("applications:application", args=[pk])).status_code == 404
    for name in ["application", "application_status", "application_delete"]:
        response = member_client.post(
            reverse(f"applications:{name}", args=[pk]), {"status": "withdrawn", "version": 1}
        )
        assert response.status_code == 404
    bob_application.refresh_from_db()
    assert bob_application.status == "researching"
    assertNotContains(member_client.get(INDEX, {"cycle": 2028}), "Bob General Hospital")


def test_wrong_methods_and_anonymous(client, member_client, alice_application):
    assert member_client.get(status_url(alice_application)).status_code == 405
    assert member_client.get(BULK).status_code == 405
    anonymous = client.__class__()
    response = anonymous.post(status_url(alice_application), {"status": "applied", "version": 1})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_htmx_post_without_csrf_token_is_refused(member, alice_application):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(member)
    response = client.post(
        status_url(alice_application), {"status": "applied", "version": 1}, headers=HTMX
    )
    assert response.status_code == 403


def test_deleting_a_program_deletes_its_applications(member_client, alice_application):
    member_client.post(reverse("applications:program_delete", args=[alice_application.program.pk]))
    assert not Application.objects.exists() and not StatusChange.objects.exists()


@pytest.mark.parametrize("count", [10, 300])
def test_index_query_count_is_constant(member_client, member, count, django_assert_num_queries):
    programs = Program.objects.bulk_create(
        Program(user=member, name=f"Program {n:03}", specialty="Internal Medicine")
        for n in range(count)
    )
    Application.objects.bulk_create(
        Application(
            user=member,
            program=p,
            specialty=p.specialty,
            cycle=2027,
            status_changed_on=datetime.date(2026, 9, 1),
        )
        for p in programs
    )
    member_client.get(INDEX)  # warm the curated-content cache (the fit check's cycle)
    caches["situation"].clear()  # the page itself cold (applications/season_cache.py)
    # session, user, profile with its season's data version, progress (fit inputs),
    # applications+programs, cycles, ERAS fee schedules, signal allowances
    with django_assert_num_queries(8):
        response = member_client.get(INDEX)
    # one page of compact rows (20), the rest a link away
    assert response.content.decode().count('class="list-row application-card') == min(count, 20)
    # nothing changed: session, user, the versioned profile; the same page from the cache
    with django_assert_num_queries(3):
        again = member_client.get(INDEX)
    assert again.content.decode().count('class="list-row application-card') == min(count, 20)


def test_htmx_status_change_query_count(
    member_client, member, alice_application, django_assert_num_queries
):
    make_program(member)
    member_client.get(INDEX)  # warm the curated-content cache (the fit check's cycle)
    # session, user, application, profile, savepoint+lock+history insert+update+version
    # refresh+release, progress (the card's fit check), counts
    with django_assert_num_queries(12):
        member_client.post(
            status_url(alice_application), {"status": "applied", "version": 1}, headers=HTMX
        )
