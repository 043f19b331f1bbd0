"""A curator's change of a catalogue fact reaches the members who keep that program: one
dashboard notice and one email each (their settings permitting), never anybody else, and
the daily planning run catches up a lost fan-out without sending anything twice."""

import datetime

import pytest
from django.core import mail

from accounts.models import Notice
from catalogue.facts import set_fact
from catalogue.models import FactKind, Origin
from reminders.models import ReminderPreference, SentReminder
from tests.factories import give_fact, make_catalogue_program, make_member, make_program

pytestmark = pytest.mark.django_db
SOURCE = "https://example.org/program/visas"


def change_mails(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email] and "Changed: " in m.subject]


@pytest.fixture
def keepers():
    """A and B keep the catalogue program; C keeps another one; D keeps a private program
    of the same name (not linked to the catalogue)."""
    program = make_catalogue_program(name="Example General IM")
    other = make_catalogue_program(name="Another IM")
    give_fact(program, FactKind.H1B, "no")
    people = {name: make_member(f"{name}@example.com") for name in "abcd"}
    make_program(people["a"], name="My first choice", catalogue=program)
    make_program(people["b"], name=program.name, catalogue=program)
    make_program(people["c"], name=other.name, catalogue=other)
    make_program(people["d"], name=program.name)
    return program, people


def curator_changes(program, curator, django_capture_on_commit_callbacks, value="yes"):
    with django_capture_on_commit_callbacks(execute=True):
        return set_fact(
            program,
            FactKind.H1B,
            value,
            source_url=SOURCE,
            checked_on=datetime.date(2026, 12, 1),
            by=curator,
            origin=Origin.CURATOR,
        )


def test_keepers_get_one_notice_and_one_email_others_nothing(
    keepers, curator, run_worker, plan, django_capture_on_commit_callbacks
):
    program, people = keepers
    change = curator_changes(program, curator, django_capture_on_commit_callbacks)
    run_worker()
    for name in "ab":
        user = people[name]
        [email] = change_mails(user)
        assert email.subject == "[IMG Portal] Changed: Example General IM: H-1B sponsorship"
        assert "H-1B sponsorship changed from no to yes" in email.body
        assert SOURCE in email.body and "checked 1 Dec 2026" in email.body
        [notice] = Notice.objects.filter(user=user)
        assert notice.key == f"catalogue-change:{change.pk}"
        assert notice.message == (
            "Example General IM: H-1B sponsorship changed from no to yes (checked 1 Dec 2026)."
        )
        assert notice.source_url == SOURCE
        assert notice.url.startswith("/applications/") and notice.url in email.body
    for name in "cd":
        assert change_mails(people[name]) == []
        assert not Notice.objects.filter(user=people[name]).exists()

    plan()  # the daily run: finds the change, claims nothing new
    plan()
    assert [len(change_mails(people[name])) for name in "abcd"] == [1, 1, 0, 0]
    assert Notice.objects.count() == 2
    assert SentReminder.objects.filter(subject_key=f"catalogue:{change.pk}").count() == 2


def test_a_member_who_turned_program_changes_off_gets_the_notice_only(
    keepers, curator, run_worker, django_capture_on_commit_callbacks
):
    program, people = keepers
    ReminderPreference.objects.create(user=people["a"], program_changes=False)
    curator_changes(program, curator, django_capture_on_commit_callbacks)
    run_worker()
    assert change_mails(people["a"]) == []
    assert Notice.objects.filter(user=people["a"]).count() == 1
    assert len(change_mails(people["b"])) == 1


def test_the_daily_run_recovers_a_lost_fan_out_once(keepers, curator, run_worker, plan):
    program, people = keepers
    # No on_commit callbacks run here: the signal (and its task) is lost.
    change = give_fact(program, FactKind.H1B, "yes", by=curator)
    run_worker()
    assert change_mails(people["a"]) == [] and not Notice.objects.exists()
    plan()
    plan()
    assert [len(change_mails(people[name])) for name in "abcd"] == [1, 1, 0, 0]
    assert set(Notice.objects.values_list("user__email", "key")) == {
        ("a@example.com", f"catalogue-change:{change.pk}"),
        ("b@example.com", f"catalogue-change:{change.pk}"),
    }


def test_an_unchanged_value_tells_nobody(keepers, curator, run_worker,
                                         django_capture_on_commit_callbacks):  # fmt: skip
    program, people = keepers
    assert curator_changes(program, curator, django_capture_on_commit_callbacks, "no") is None
    run_worker()
    assert not Notice.objects.exists() and mail.outbox == []


def test_a_program_added_after_the_change_is_not_told_of_it(
    curator, run_worker, django_capture_on_commit_callbacks
):
    program = make_catalogue_program()
    change = curator_changes(program, curator, django_capture_on_commit_callbacks)
    late = make_member("late@example.com")
    make_program(late, catalogue=program)
    from reminders.tasks import program_changes_told

    assert program_changes_told([change]) == []
    assert not Notice.objects.exists()


def test_an_accepted_proposal_reaches_the_keepers_through_the_admin(
    keepers, curator_client, run_worker, plan, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from catalogue.models import Proposal

    program, people = keepers
    proposal = Proposal.objects.create(
        user=people["c"], program=program, kind=FactKind.H1B, value="yes", source_url=SOURCE
    )
    url = reverse("admin:catalogue_proposal_change", args=[proposal.pk])
    data = {"value": "yes", "curator_note": "", "_accept": "Accept"}
    with django_capture_on_commit_callbacks(execute=True):
        assert curator_client.post(url, data).status_code == 302
        assert curator_client.post(url, data).status_code == 302  # a double click
    run_worker()
    plan()
    assert [len(change_mails(people[name])) for name in "abcd"] == [1, 1, 0, 0]
    assert [Notice.objects.filter(user=people[name]).count() for name in "abcd"] == [1, 1, 0, 0]
    [email] = change_mails(people["a"])
    assert "changed from no to yes" in email.body and SOURCE in email.body


@pytest.mark.parametrize("members", [2, 6])
def test_the_daily_catch_up_costs_the_same_for_any_number_of_keepers(
    members, curator, django_assert_num_queries
):
    from reminders.tasks import program_changes_told

    program = make_catalogue_program()
    for n in range(members):
        make_program(make_member(f"keeper{n}@example.com"), catalogue=program)
    change = give_fact(program, FactKind.J1, "yes", by=curator)
    assert len(program_changes_told([change])) == members  # the first run claims them
    # keepers with their users, the notices (insert, conflicts ignored), preferences, the
    # claims made already: nothing claimed again
    with django_assert_num_queries(4):
        assert program_changes_told([change]) == []
