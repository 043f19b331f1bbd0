"""A curator's change to an official date is recorded, and the affected members told once."""

import datetime
import html
import re
import shutil

import pytest
from django.core import mail
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.urls import reverse

from pathways.models import DateChange, MatchCycle, Milestone, Prerequisite, Rule
from reminders.models import ReminderPreference
from tests.factories import make_member


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
    assert change.old_value == "NRMP regular-registration deadline (late fee after)"
    assert change.new_value == "Rank order list deadline"


def test_curators_can_read_the_history_but_not_write_it(curator, curator_client):
    assert curator.has_perm("pathways.view_datechange")
    for action in ("add", "change", "delete"):
        assert not curator.has_perm(f"pathways.{action}_datechange")
    assert curator_client.get(reverse("admin:pathways_datechange_add")).status_code == 403
    DateChange.objects.create(
        kind="cycle", field="rol_deadline", label="Match 2026: ROL", reason="corrected: X"
    )
    listing = curator_client.get(reverse("admin:pathways_datechange_changelist"))
    assert listing.status_code == 200 and "corrected: X" in listing.content.decode()


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


# --- A content release that moves a date (the loader, not the admin) ------------------

OLD_RELEASE = """
[[cycle]]
year = 2026
nrmp_early_registration_deadline = 2025-11-30
ranking_opens = 2026-01-15
rol_deadline = 2026-02-25
match_day = 2026-03-20
proposed = true
source_url = "https://www.nrmp.org/about/news/2025/09/medical-school-welcome-newsletter-2"

[[cycle]]
year = 2027
proposed = true
rol_deadline = 2027-02-24

[[cycle]]
year = 2028
proposed = true
notes = "Proposed cycle."
"""

NEW_RELEASE = """
[[cycle]]
year = 2026
change_reason = "corrected: NRMP's calendar"
nrmp_early_registration_deadline = 2025-11-30
ranking_opens = 2026-01-15
rol_deadline = 2026-03-04
match_day = 2026-03-20
proposed = true
source_url = "https://www.nrmp.org/about/news/2025/09/medical-school-welcome-newsletter-2"

[[cycle]]
year = 2027
change_reason = "corrected: NRMP's calendar"
proposed = true
rol_deadline = 2027-03-03
pathway_application_deadline = 2027-01-31

[[cycle]]
year = 2028
change_reason = "a note, no date moved"
proposed = true
notes = "Proposed cycle: nothing about 2028 was found."

[cycle.verified]
match_day = { source_url = "https://www.nrmp.org/", checked_on = 2026-12-01 }
"""


@pytest.fixture
def release(tmp_path, monkeypatch):
    """release(cycles_toml): ship the real milestones and rules with these cycles, and load."""
    from pathways import curated as pathways_curated

    folder = tmp_path / "content"
    shutil.copytree(pathways_curated.CONTENT_DIR, folder)
    monkeypatch.setattr(pathways_curated, "CONTENT_DIR", folder)

    def ship(cycles: str) -> None:
        (folder / "cycles.toml").write_text(cycles)
        call_command("load_curated_content", verbosity=0)

    return ship


def dashboard_changes(client, user) -> list[str]:
    client.force_login(user)
    page = client.get(reverse("pathways:dashboard")).content.decode()
    if 'id="date-changes"' not in page:
        return []
    section = page.split('id="date-changes"')[1].split("</section>")[0]
    items = re.findall(r"<li>(.*?)</li>", section, re.S)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", item)).split()) for item in items]


def test_a_release_that_moves_dates_tells_each_affected_member_once(
    db, release, run_worker, client, on_day
):
    def plan() -> None:
        call_command("enqueue_reminders", verbosity=0)
        run_worker()

    with on_day(datetime.date(2026, 12, 7)):
        release(OLD_RELEASE)
        assert not DateChange.objects.exists()  # a first load is not a change
        rita = make_member("rita@example.com", match_year=2026)
        alice = make_member("alice@example.com", match_year=2027)
        bob = make_member("bob@example.com", match_year=2028)
        plan()
        assert [changed_mails(user) for user in (rita, alice, bob)] == [[], [], []]

        release(NEW_RELEASE)
        changes = {(c.cycle.year, c.field): c for c in DateChange.objects.all()}
        assert set(changes) == {
            (2026, "rol_deadline"),
            (2027, "rol_deadline"),
            (2027, "pathway_application_deadline"),
        }  # 2028: a new note and a verification, no date moved
        rol_2026 = changes[(2026, "rol_deadline")]
        assert (rol_2026.old_value, rol_2026.new_value) == ("25 Feb 2026", "4 Mar 2026")
        assert rol_2026.changed_by is None and rol_2026.reason == "corrected: NRMP's calendar"
        assert rol_2026.source_url.startswith("https://www.nrmp.org/about/news/2025/09/")
        plan()

        # One email per moved date to each member whose cycle it is; none to anybody else.
        assert [m.subject for m in changed_mails(rita)] == [
            "[IMG Portal] Changed: Match 2026: Rank order list deadline"
        ]
        assert (
            "Match 2026: Rank order list deadline changed from 25 Feb 2026 to 4 Mar 2026 "
            "(corrected: NRMP's calendar)." in changed_mails(rita)[0].body
        )
        assert sorted(m.subject for m in changed_mails(alice)) == [
            "[IMG Portal] Changed: Match 2027: ECFMG Pathway application deadline",
            "[IMG Portal] Changed: Match 2027: Rank order list deadline",
        ]
        assert changed_mails(bob) == []
        # The same on the dashboard: one notice per moved date, with the reason.
        assert dashboard_changes(client, rita) == [
            "Match 2026: Rank order list deadline changed from 25 Feb 2026 to 4 Mar 2026 "
            "(corrected: NRMP's calendar) (7 Dec 2026) Source"
        ]
        alice_notices = dashboard_changes(client, alice)
        assert len(alice_notices) == 2
        assert all("(corrected: NRMP's calendar)" in notice for notice in alice_notices)
        assert dashboard_changes(client, bob) == []

        # Loading the same release again records nothing and sends nothing.
        release(NEW_RELEASE)
        assert DateChange.objects.count() == 3
        plan()
    with on_day(datetime.date(2026, 12, 8)):
        plan()
    assert [len(changed_mails(user)) for user in (rita, alice, bob)] == [1, 2, 0]


def before_the_correction(shipped: str) -> str:
    """The shipped cycles.toml as it was before the 2026-12-05 correction (the old default
    rules wrote the 2027 and 2028 dates: 30 Nov, 15 Jan, Match Day minus 23 days)."""
    text = re.sub(r"^change_reason = .*\n", "", shipped, flags=re.M)
    for old, new in [
        (
            "nrmp_early_registration_deadline = 2026-01-30",
            "nrmp_early_registration_deadline = 2025-11-30",
        ),
        ("ranking_opens = 2026-02-02", "ranking_opens = 2026-01-15"),
        ("rol_deadline = 2026-03-04", "rol_deadline = 2026-02-25"),
        ("pathway_application_deadline = 2027-01-31\n", ""),
        ("oet_valid_from = 2025-01-01\n", ""),
        (
            "eras_opens = 2026-06-03\n",
            "eras_opens = 2026-06-03\nnrmp_early_registration_deadline = 2026-11-30\n"
            "ranking_opens = 2027-01-15\nrol_deadline = 2027-02-24\n",
        ),
        (
            "year = 2028\n",
            "year = 2028\nnrmp_early_registration_deadline = 2027-11-30\n"
            "ranking_opens = 2028-01-15\nrol_deadline = 2028-02-23\n",
        ),
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


def test_the_shipped_correction_tells_each_member_of_each_moved_date_once(
    db, release, run_worker, client, on_day
):
    """The real release: every cycle's members hear of each of their moved dates, once."""
    from pathways.curated import CONTENT_DIR

    shipped = (CONTENT_DIR / "cycles.toml").read_text()

    def plan() -> None:
        call_command("enqueue_reminders", verbosity=0)
        run_worker()

    moved = {
        2026: {"nrmp_early_registration_deadline", "ranking_opens", "rol_deadline"},
        2027: {
            "nrmp_early_registration_deadline",
            "ranking_opens",
            "rol_deadline",
            "pathway_application_deadline",
            "oet_valid_from",
        },
        2028: {"nrmp_early_registration_deadline", "ranking_opens", "rol_deadline"},
    }
    with on_day(datetime.date(2026, 12, 7)):
        release(before_the_correction(shipped))
        members = {
            year: make_member(f"m{year}@example.com", match_year=year)
            for year in (2026, 2027, 2028, 2029)  # 2029: no cycle yet
        }
        release(shipped)
        recorded: dict[int, set[str]] = {}
        for change in DateChange.objects.select_related("cycle"):
            recorded.setdefault(change.cycle.year, set()).add(change.field)
            if change.field in ("pathway_application_deadline", "oet_valid_from"):
                assert change.reason.startswith("ECFMG's 2027 Pathways ")
                assert change.reason.endswith("; not yet confirmed")
            else:
                assert change.reason.startswith("corrected: NRMP's calendar"), change.reason
        assert recorded == moved
        plan()
        release(shipped)  # loaded again: nothing new
        plan()
        for year, user in members.items():
            count = len(moved.get(year, ()))  # one notice and one email per moved date
            subjects = [m.subject for m in changed_mails(user)]
            assert len(subjects) == len(set(subjects)) == count, (year, subjects)
            assert len(dashboard_changes(client, user)) == count
