"""Which milestones a profile gets, prerequisites, progress and deadlines."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import Profile
from pathways.models import MatchCycle, Milestone, Prerequisite, Progress
from pathways.roadmap import roadmap_for
from tests.factories import record

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 1)


def roadmap_of(user, today=TODAY):
    return roadmap_for(user, today)


def slugs(items) -> set[str]:
    return {item.milestone.slug for item in items}


@pytest.mark.parametrize(
    ("visa", "has_step2cs", "present", "absent"),
    [
        ("j1", False, {"j1-evsp", "conrad-30", "visa-stamp", "oet", "pathway"}, {"h1b"}),
        ("h1b", False, {"h1b", "visa-stamp"}, {"j1-evsp", "conrad-30"}),
        ("none", False, {"oet"}, {"h1b", "j1-evsp", "visa-stamp"}),
        ("undecided", False, {"h1b", "j1-evsp", "visa-stamp"}, set()),
        ("j1", True, {"j1-evsp"}, {"oet", "pathway"}),
    ],
)
def test_milestones_follow_the_profile(member, curated, visa, has_step2cs, present, absent):
    Profile.objects.filter(user=member).update(visa=visa, has_step2cs=has_step2cs)
    shown = slugs(roadmap_of(member).items)
    assert present <= shown
    assert not absent & shown
    assert {"step-1", "step-2-ck", "ecfmg-certificate", "match"} <= shown


def test_reading_a_roadmap_writes_no_progress_rows(member, curated):
    roadmap = roadmap_of(member)
    assert Progress.objects.filter(user=member).count() == 0
    step1 = roadmap.by_slug()["step-1"].progress
    assert step1.pk is None and step1.status == Progress.Status.NOT_STARTED
    assert len(roadmap.items) + len(roadmap.hidden) == Milestone.objects.count()


def test_no_roadmap_before_onboarding(new_member, member_without_profile, curated):
    assert roadmap_of(new_member) is None
    assert roadmap_of(member_without_profile) is None


def test_changing_the_profile_keeps_what_the_member_entered(member, curated):
    record(member, "oet", oet_listening=400, notes="Booked for March.")
    Profile.objects.filter(user=member).update(has_step2cs=True, visa="h1b")
    roadmap = roadmap_of(member)
    assert "oet" not in slugs(roadmap.items) and "oet" in slugs(roadmap.hidden)
    Profile.objects.filter(user=member).update(has_step2cs=False)
    roadmap = roadmap_of(member)
    kept = roadmap.by_slug()["oet"].progress
    assert (kept.oet_listening, kept.notes) == (400, "Booked for March.")


def test_changing_match_year_after_entering_scores(member, curated, mark_done):
    mark_done(member, "eligible-school", "intealth-account", "ecfmg-application")
    record(
        member,
        "step-2-ck",
        score=250,
        completed_date=datetime.date(2026, 8, 1),
        outcome="passed",
        status="done",
    )
    before = roadmap_of(member)
    assert before.cycle.year == 2027
    assert before.by_slug()["match"].deadline == datetime.date(2027, 3, 19)

    Profile.objects.filter(user=member).update(match_year=2028)
    after = roadmap_of(member)
    assert after.cycle.year == 2028
    assert after.by_slug()["match"].deadline == datetime.date(2028, 3, 17)
    assert after.by_slug()["step-2-ck"].progress.score == 250
    assert after.overall.done == before.overall.done == 4


def test_no_cycle_for_the_match_year_means_no_deadlines(member, curated):
    Profile.objects.filter(user=member).update(match_year=2035)
    roadmap = roadmap_of(member)
    assert roadmap.cycle is None
    assert roadmap.deadlines == []
    assert all(item.deadline is None for item in roadmap.items)


def test_hard_prerequisites_block_and_done_ones_unblock(member, curated, mark_done):
    roadmap = roadmap_of(member)
    step1 = roadmap.by_slug()["step-1"]
    assert [m.slug for m in step1.blockers] == ["ecfmg-application"]
    assert "step-1" in slugs(roadmap.blocked)
    assert "eligible-school" in slugs(roadmap.next_steps)

    mark_done(member, "eligible-school", "intealth-account", "ecfmg-application")
    roadmap = roadmap_of(member)
    assert roadmap.by_slug()["step-1"].blockers == []
    assert "step-1" not in slugs(roadmap.blocked)
    assert not roadmap.by_slug()["step-1"].is_blocked
    assert [i.milestone.slug for i in roadmap.next_steps][:2] == ["step-1", "step-2-ck"]


def test_not_applicable_settles_a_prerequisite(member, curated):
    record(member, "eligible-school", status="not_applicable")
    assert roadmap_of(member).by_slug()["intealth-account"].blockers == []


def test_prerequisites_off_the_roadmap_never_block(member, curated, mark_done):
    """visa-stamp hard-requires j1-evsp and h1b; a J-1 member has no h1b milestone."""
    roadmap = roadmap_of(member)
    assert [m.slug for m in roadmap.by_slug()["visa-stamp"].blockers] == ["j1-evsp"]


def test_soft_prerequisites_never_block(member, milestones_factory):
    first, second, third = milestones_factory(3)
    # m-1 needs m-0 softly; m-2 needs m-1 hard.
    roadmap = roadmap_of(member)
    item = roadmap.by_slug()["m-1"]
    assert item.blockers == [] and [m.slug for m in item.recommended] == ["m-0"]
    assert [m.slug for m in roadmap.by_slug()["m-2"].blockers] == ["m-1"]
    assert slugs(roadmap.next_steps) == {"m-0", "m-1"}


def test_progress_per_category_and_optional_milestones(member, milestones_factory):
    milestones_factory(5)
    Milestone.objects.filter(slug="m-4").update(applies="optional")
    roadmap = roadmap_of(member)
    assert roadmap.overall.total == 4  # the optional one is not counted until started
    record(member, "m-4", status="in_progress")
    record(member, "m-0", status="done")
    record(member, "m-1", status="not_applicable")
    roadmap = roadmap_of(member)
    assert (roadmap.overall.done, roadmap.overall.total) == (1, 4)
    assert roadmap.overall.percent == 25
    exams = next(c for c in roadmap.categories if c.key == "exams")
    assert (exams.done, exams.total) == (1, 1)


def test_upcoming_deadlines_count_days_left(member, curated):
    roadmap = roadmap_of(member, today=datetime.date(2027, 2, 2))  # ranking opened 1 Feb
    fields = [d.field for d in roadmap.deadlines]
    assert fields == ["rol_deadline", "match_week_starts", "match_day", "training_starts"]
    rol = roadmap.deadlines[0]
    assert rol.date == datetime.date(2027, 3, 3) and rol.days_left == 29
    assert {"step-1", "step-2-ck", "rank-order-list"} <= slugs(rol.items)


def test_cycle_constraint_keeps_rol_before_match_day(db):
    from django.db import IntegrityError

    from pathways.cycles import default_dates

    dates = default_dates(2029) | {"rol_deadline": datetime.date(2029, 4, 1)}
    with pytest.raises(IntegrityError):
        MatchCycle.objects.create(year=2029, **dates)


def test_self_prerequisite_is_refused_by_the_database(member, milestones_factory):
    from django.db import IntegrityError

    first = milestones_factory(1)[0]
    with pytest.raises(IntegrityError):
        Prerequisite.objects.create(milestone=first, required=first)


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("", "9 pm ET"),
        ("America/New_York", "9 pm ET"),
        ("Africa/Cairo", "9 pm ET · 04:00 Thu in Cairo"),
        ("Asia/Kolkata", "9 pm ET · 07:30 Thu in Kolkata"),
        ("America/Los_Angeles", "9 pm ET · 18:00 in Los Angeles"),
    ],
)
def test_the_rol_deadline_shows_its_time_in_et_and_the_members_zone(member, curated, zone, shown):
    # Wednesday 3 March 2027, 9 pm EST = 02:00 UTC on Thursday 4 March.
    Profile.objects.filter(user=member).update(time_zone=zone)
    roadmap = roadmap_of(member, today=datetime.date(2027, 2, 2))
    rol = roadmap.next_deadlines[0]
    assert (rol.field, rol.at) == ("rol_deadline", shown)
    assert all(d.at == "" for d in roadmap.next_deadlines[1:])  # dates without a time


def test_the_dashboard_shows_the_rol_deadline_in_both_zones(member_client, member, curated):
    import time_machine

    Profile.objects.filter(user=member).update(time_zone="Africa/Cairo")
    with time_machine.travel(datetime.datetime(2027, 2, 2, 12, tzinfo=datetime.UTC), tick=False):
        member_client.force_login(member)  # a session of that day (sessions end after 30)
        html = member_client.get(reverse("pathways:dashboard")).content.decode()
    assert "Wed 3 Mar 2027, 9 pm ET · 04:00 Thu in Cairo" in html


def test_an_exam_planned_after_its_own_due_date_is_flagged(member, curated):
    from django.template.loader import render_to_string

    record(member, "step-2-ck", status="in_progress", planned_date=datetime.date(2027, 3, 10))
    item = roadmap_of(member).item("step-2-ck")
    assert item.deadline == datetime.date(2027, 3, 3)  # the ROL deadline of Match 2027
    assert item.planned_after_due
    facts = render_to_string("pathways/includes/_row_facts.html", {"item": item})
    assert "Planned 10 Mar 2027 <strong" in facts and "after its due date" in facts
    record(member, "step-2-ck", planned_date=datetime.date(2027, 2, 10))
    item = roadmap_of(member).item("step-2-ck")
    assert not item.planned_after_due
    facts = render_to_string("pathways/includes/_row_facts.html", {"item": item})
    assert "after its due date" not in facts


def test_nrmp_registration_after_its_regular_deadline_is_late_not_passed(member, curated):
    from django.template.loader import render_to_string

    # Match 2027: regular registration ends 29 Jan 2027, late registration at the ROL
    # deadline, 3 Mar 2027.
    item = roadmap_of(member, today=datetime.date(2027, 2, 5)).item("nrmp-registration")
    assert item.deadline == datetime.date(2027, 1, 29)
    assert not item.overdue and item.late_until == datetime.date(2027, 3, 3)
    facts = render_to_string("pathways/includes/_row_facts.html", {"item": item})
    assert "Deadline passed" not in facts
    assert "Late, with a late fee, until 3 Mar 2027" in facts
    item = roadmap_of(member, today=datetime.date(2027, 3, 4)).item("nrmp-registration")
    assert item.overdue and item.late_until is None
    assert "Deadline passed" in render_to_string(
        "pathways/includes/_row_facts.html", {"item": item}
    )


def test_a_school_check_is_confirmed_not_passed(member, curated):
    from django.template.loader import render_to_string

    record(member, "eligible-school", status="done", outcome="passed")
    record(member, "step-1", status="done", outcome="passed")
    roadmap = roadmap_of(member)

    def facts(slug):
        return render_to_string("pathways/includes/_row_facts.html", {"item": roadmap.item(slug)})

    assert "Checked: <strong>confirmed</strong>" in facts("eligible-school")
    assert "Passed" not in facts("eligible-school")
    assert "Result: <strong>Passed</strong>" in facts("step-1")


def test_an_unsaved_row_is_what_the_model_makes_and_each_is_its_own(curated):
    from django.db.models import signals

    from pathways.models import Milestone, Progress
    from pathways.roadmap import unsaved_progress

    step1, step2 = Milestone.objects.filter(slug__in=["step-1", "step-2-ck"]).order_by("order")
    made, expected = unsaved_progress(7, step1), Progress(user_id=7, milestone=step1)
    assert {k: v for k, v in made.__dict__.items() if k != "_state"} == {
        k: v for k, v in expected.__dict__.items() if k != "_state"
    }
    assert vars(made._state) == vars(expected._state)  # adding, no database, the milestone
    assert made.milestone is step1 and made.pk is None
    # Made without __init__: it holds only while nothing listens to Progress's init.
    assert not signals.pre_init.has_listeners(Progress)
    assert not signals.post_init.has_listeners(Progress)
    other = unsaved_progress(7, step2)
    other.notes = "Mine"
    assert made.notes == "" and made.milestone_id == step1.pk


def test_a_copy_of_a_row_has_its_values_and_state_and_is_its_own(member, curated):
    from pathways.roadmap import copy_of

    passed = datetime.date(2019, 3, 15)
    record(member, "step-1", status="done", outcome="passed", completed_date=passed)
    saved = Progress.objects.select_related("milestone").get(user=member)
    twin = copy_of(saved)
    names = [f.attname for f in Progress._meta.concrete_fields]
    assert [getattr(twin, n) for n in names] == [getattr(saved, n) for n in names]
    assert (twin._state.adding, twin._state.db) == (False, "default")
    assert twin.milestone is saved.milestone and twin.pk == saved.pk
    twin.notes = "Changed on the copy"
    assert saved.notes == ""
    twin.save()  # a copy saves as the row it copies
    assert Progress.objects.get(pk=saved.pk).notes == "Changed on the copy"
