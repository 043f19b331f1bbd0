"""A curator's change to an official date is recorded, and the affected members told once."""

import datetime

import pytest
from django.core import mail
from django.forms.models import model_to_dict
from django.urls import reverse

from pathways.models import DateChange, MatchCycle, Milestone, Prerequisite, Rule
from reminders.models import ReminderPreference


def admin_data(obj, exclude=()) -> dict:
    data = {}
    for name, value in model_to_dict(obj).items():
        if name in exclude or value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        if isinstance(value, list):
            continue
        data[name] = value.isoformat() if isinstance(value, datetime.date) else value
    return data


@pytest.fixture
def change_pathway_deadline(curator_client, curated):
    def change(new: datetime.date, **extra):
        cycle = MatchCycle.objects.get(year=2027)
        data = admin_data(cycle, exclude={"id", "content_hash", "verified", "curated_values"})
        data["pathway_application_deadline"] = new.isoformat()
        data.update(extra)
        url = reverse("admin:pathways_matchcycle_change", args=[cycle.pk])
        response = curator_client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
        return cycle

    return change


def test_a_cycle_date_change_is_recorded(change_pathway_deadline, curator):
    before = MatchCycle.objects.get(year=2027).pathway_application_deadline
    change_pathway_deadline(datetime.date(2027, 2, 15))
    [change] = DateChange.objects.all()
    assert change.kind == "cycle"
    assert change.cycle.year == 2027
    assert change.field == "pathway_application_deadline"
    assert change.label == "Match 2027: ECFMG Pathway application deadline"
    assert change.old_value == (f"{before:%-d %b %Y}" if before else "")
    assert change.new_value == "15 Feb 2027"
    assert change.changed_by == curator
    assert change.source_url == MatchCycle.objects.get(year=2027).source_url
    # Saving again without a change records nothing more.
    change_pathway_deadline(datetime.date(2027, 2, 15))
    assert DateChange.objects.count() == 1
    # Verifying the date (official page, day checked) changes no value: no history row.
    checked = {
        "pathway_application_deadline_source": "https://www.ecfmg.org/certification-pathways/",
        "pathway_application_deadline_checked": "2026-11-20",
    }
    change_pathway_deadline(datetime.date(2027, 2, 15), **checked)
    assert MatchCycle.objects.get(year=2027).info("pathway_application_deadline").verified
    assert DateChange.objects.count() == 1
    # A later change of a verified date cites the page it was verified on.
    change_pathway_deadline(datetime.date(2027, 2, 20), **checked)
    latest = DateChange.objects.latest("changed_at", "pk")
    assert latest.new_value == "20 Feb 2027"
    assert latest.source_url == "https://www.ecfmg.org/certification-pathways/"


def test_rule_changes_and_new_rules_are_recorded(curator_client, curated, curator):
    rule = Rule.objects.get(key="usmle_attempt_limit", effective_from=datetime.date(2021, 7, 1))
    data = admin_data(rule, exclude={"id", "content_hash"})
    data["value"] = 3
    url = reverse("admin:pathways_rule_change", args=[rule.pk])
    assert curator_client.post(url, data).status_code == 302
    add = {
        "key": "step3_passing_score",
        "value": 200,
        "effective_from": "2027-01-01",
        "source_url": "https://www.usmle.org/",
    }
    assert curator_client.post(reverse("admin:pathways_rule_add"), add).status_code == 302
    by_key = {c.rule_key: c for c in DateChange.objects.filter(kind="rule")}
    assert len(by_key) == DateChange.objects.count() == 2
    assert by_key["usmle_attempt_limit"].changed_by == curator
    assert (by_key["usmle_attempt_limit"].old_value, by_key["usmle_attempt_limit"].new_value) == (
        "4",
        "3",
    )
    assert by_key["step3_passing_score"].label == "Step 3 passing score from 1 Jan 2027"
    assert by_key["step3_passing_score"].new_value == "200"


def test_a_milestone_deadline_change_is_recorded(curator_client, curated, curator):
    milestone = Milestone.objects.get(slug="nrmp-registration")
    data = admin_data(milestone, exclude={"id", "content_hash", "updated_at", "requires"})
    data["deadline"] = "rol_deadline"
    prerequisites = list(Prerequisite.objects.filter(milestone=milestone))
    data.update(
        {
            "prerequisites-TOTAL_FORMS": len(prerequisites),
            "prerequisites-INITIAL_FORMS": len(prerequisites),
            "prerequisites-MIN_NUM_FORMS": 0,
            "prerequisites-MAX_NUM_FORMS": 1000,
        }
    )
    for n, p in enumerate(prerequisites):
        data.update(
            {
                f"prerequisites-{n}-id": p.pk,
                f"prerequisites-{n}-milestone": milestone.pk,
                f"prerequisites-{n}-required": p.required_id,
                f"prerequisites-{n}-kind": p.kind,
            }
        )
    url = reverse("admin:pathways_milestone_change", args=[milestone.pk])
    response = curator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    [change] = DateChange.objects.all()
    assert (change.kind, change.milestone, change.field) == ("milestone", milestone, "deadline")
    assert change.old_value == "NRMP early-registration deadline"
    assert change.new_value == "Rank order list deadline"


def test_curators_can_read_the_history_but_not_write_it(curator, curator_client):
    assert curator.has_perm("pathways.view_datechange")
    for action in ("add", "change", "delete"):
        assert not curator.has_perm(f"pathways.{action}_datechange")
    assert curator_client.get(reverse("admin:pathways_datechange_add")).status_code == 403


def changed_mails(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email] and "Changed:" in m.subject]


def test_affected_members_are_told_once(
    member, other_member, change_pathway_deadline, plan, on_day
):
    """Alice aims at the 2027 Match: she hears of the change; Bob (2028) does not."""
    ReminderPreference.objects.create(user=member, days_30=False, days_14=False, days_7=False)
    change_pathway_deadline(datetime.date(2027, 2, 15))
    plan()
    [message] = changed_mails(member)
    assert message.subject == "[IMG Portal] Changed: Match 2027: ECFMG Pathway application deadline"
    assert "changed from" in message.body and "to 15 Feb 2027" in message.body
    assert "List-Unsubscribe" in message.extra_headers
    assert changed_mails(other_member) == []
    plan()
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with on_day(tomorrow):
        plan()
    assert len(changed_mails(member)) == 1


def test_members_who_opted_out_or_joined_later_are_not_told(
    member, change_pathway_deadline, plan, on_day
):
    from tests.conftest import make_member

    ReminderPreference.objects.create(user=member, official_changes=False)
    change_pathway_deadline(datetime.date(2027, 2, 15))
    later = make_member("late@example.com")  # 2027 Match too, joined after the change
    DateChange.objects.update(changed_at=later.date_joined - datetime.timedelta(seconds=1))
    plan()
    assert changed_mails(member) == []
    assert changed_mails(later) == []
