"""The catalogue in the admin: curators edit facts through set_fact (history, notices), see
the history read-only, cannot delete a program members keep, and act on proposals once."""

import datetime
import html

import pytest
from django.urls import reverse

from catalogue.models import (
    CatalogueProgram,
    Fact,
    FactChange,
    FactKind,
    Institution,
    Origin,
    Proposal,
)
from tests.factories import give_fact, make_catalogue_program, make_member, make_program

pytestmark = pytest.mark.django_db
SOURCE = "https://example.org/program/visas"


def change_url(program) -> str:
    return reverse("admin:catalogue_catalogueprogram_change", args=[program.pk])


def program_form(program, facts: list[dict], new: dict | None = None) -> dict:
    """The program's change form as the admin posts it: the program's fields, its fact rows
    (existing ones by id) and the history inline's empty management form."""
    data = {
        "name": program.name,
        "specialty": program.specialty,
        "institution": program.institution_id,
        "city": program.city,
        "state": program.state,
        "acgme_id": program.acgme_id,
        "nrmp_code": program.nrmp_code,
        "program_url": program.program_url,
        "published": "on" if program.published else "",
        "fact_changes-TOTAL_FORMS": "0",
        "fact_changes-INITIAL_FORMS": "0",
        "fact_changes-MIN_NUM_FORMS": "0",
        "fact_changes-MAX_NUM_FORMS": "1000",
    }
    rows = [*facts, *([new] if new else [])]
    data.update({
        "facts-TOTAL_FORMS": str(len(rows)),
        "facts-INITIAL_FORMS": str(len(facts)),
        "facts-MIN_NUM_FORMS": "0",
        "facts-MAX_NUM_FORMS": "1000",
    })  # fmt: skip
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"facts-{i}-{key}"] = value
        data[f"facts-{i}-program"] = program.pk
    return data


def fact_row(fact: Fact, **changes) -> dict:
    row = {
        "id": fact.pk,
        "kind": fact.kind,
        "value": fact.value,
        "source_url": fact.source_url,
        "checked_on": fact.checked_on.isoformat() if fact.checked_on else "",
    }
    return {**row, **changes}


def test_a_curators_edit_goes_through_set_fact(curator_client, curator,
                                               django_capture_on_commit_callbacks):  # fmt: skip
    program = make_catalogue_program()
    fact = give_fact(program, FactKind.J1, "no") and Fact.objects.get(program=program)
    new = {"kind": FactKind.STEP2CK_MINIMUM, "value": " 0220 ", "source_url": SOURCE,
           "checked_on": "2026-11-20"}  # fmt: skip
    data = program_form(program, [fact_row(fact, value="Yes")], new)
    with django_capture_on_commit_callbacks() as callbacks:
        response = curator_client.post(change_url(program), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    announced = [c for c in callbacks if "announce" in getattr(c, "__qualname__", "")]
    assert len(announced) == 2  # each change announced once the save commits
    j1 = Fact.objects.get(program=program, kind=FactKind.J1)
    assert (j1.value, j1.checked_by, j1.origin, j1.manual) == ("yes", curator, Origin.CURATOR, True)
    step2 = Fact.objects.get(program=program, kind=FactKind.STEP2CK_MINIMUM)
    assert step2.value == "220" and step2.checked_on == datetime.date(2026, 11, 20)
    history = FactChange.objects.filter(program=program).order_by("pk")
    assert [(c.kind, c.old_value, c.new_value, c.changed_by) for c in history] == [
        (FactKind.J1, "", "no", None),
        (FactKind.J1, "no", "yes", curator),
        (FactKind.STEP2CK_MINIMUM, "", "220", curator),
    ]
    page = curator_client.get(change_url(program)).content.decode()
    assert "History of the facts" in page  # the inline's heading (capfirst of its plural)
    assert 'name="fact_changes-0-new_value"' not in page  # read-only


@pytest.mark.parametrize(
    "row,field,message",
    [
        ({"value": "maybe"}, "value", 'Enter "yes", "no" or "unknown".'),
        ({"value": "yes", "source_url": ""}, "source_url", "needs the page it comes from"),
        ({"value": "yes", "checked_on": ""}, "checked_on", "needs the date it was checked"),
        ({"value": "yes", "source_url": "javascript:alert(1)"}, "source_url", "valid URL"),
    ],
)
def test_a_bad_fact_is_refused_next_to_its_field(curator_client, row, field, message):
    program = make_catalogue_program()
    new = {"kind": FactKind.H1B, "value": "", "source_url": SOURCE, "checked_on": "2026-11-20"}
    response = curator_client.post(change_url(program), program_form(program, [], {**new, **row}))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert message in " ".join(formset.forms[0].errors.get(field, [])), formset.errors
    assert not Fact.objects.filter(program=program).exists()
    assert not FactChange.objects.exists()


def test_a_second_row_of_the_same_kind_is_refused(curator_client):
    program = make_catalogue_program()
    give_fact(program, FactKind.J1, "no")
    fact = Fact.objects.get(program=program)
    new = {"kind": FactKind.J1, "value": "yes", "source_url": SOURCE, "checked_on": "2026-11-20"}
    response = curator_client.post(
        change_url(program), program_form(program, [fact_row(fact)], new)
    )
    assert response.status_code == 200
    assert Fact.objects.get(program=program).value == "no"


def test_a_program_members_keep_cannot_be_deleted_and_nobody_is_named(curator_client):
    program = make_catalogue_program()
    make_program(make_member("keeper@example.com"), name="Secret list name", catalogue=program)
    url = reverse("admin:catalogue_catalogueprogram_delete", args=[program.pk])
    page = curator_client.get(url).content.decode()
    assert "1 program on members&#x27; lists keeps this entry" in page or (
        "1 program on members' lists keeps this entry" in html.unescape(page)
    )
    assert "Secret list name" not in page and "keeper@example.com" not in page
    response = curator_client.post(url, {"post": "yes"})
    assert response.status_code in (200, 302)
    assert CatalogueProgram.objects.filter(pk=program.pk).exists()


def test_a_program_nobody_keeps_can_be_deleted_with_its_history(curator_client):
    program = make_catalogue_program()
    give_fact(program, FactKind.J1, "yes")
    url = reverse("admin:catalogue_catalogueprogram_delete", args=[program.pk])
    assert "Are you sure" in curator_client.get(url).content.decode()
    assert curator_client.post(url, {"post": "yes"}).status_code == 302
    assert not CatalogueProgram.objects.filter(pk=program.pk).exists()
    assert not FactChange.objects.exists()


def test_the_history_and_facts_pages_need_no_more_than_view(curator_client):
    program = make_catalogue_program()
    give_fact(program, FactKind.J1, "yes")
    assert curator_client.get(reverse("admin:catalogue_factchange_changelist")).status_code == 200
    change = FactChange.objects.get()
    url = reverse("admin:catalogue_factchange_change", args=[change.pk])
    page = curator_client.get(url).content.decode()
    assert 'name="new_value"' not in page  # view only


# --- Proposals -------------------------------------------------------------------------


def correction(member, program, **fields) -> Proposal:
    defaults = {"kind": FactKind.H1B, "value": "yes", "source_url": SOURCE}
    return Proposal.objects.create(user=member, program=program, **{**defaults, **fields})


def new_program_proposal(member, **fields) -> Proposal:
    defaults = {
        "name": "Example Community IM",
        "specialty": "Internal Medicine",
        "institution_name": "Example Community Hospital",
        "city": "Troy",
        "state": "NY",
        "source_url": SOURCE,
    }
    return Proposal.objects.create(user=member, **{**defaults, **fields})


def proposal_url(proposal) -> str:
    return reverse("admin:catalogue_proposal_change", args=[proposal.pk])


def proposal_form(proposal, **changes) -> dict:
    fields = ["value", "curator_note"] if proposal.is_correction else [
        "value", "institution_name", "name", "specialty", "city", "state", "acgme_id",
        "nrmp_code", "curator_note"]  # fmt: skip
    return {**{f: getattr(proposal, f) for f in fields}, **changes}


def test_the_review_queue_lists_open_proposals_oldest_first_without_their_authors(
    curator_client, member
):
    program = make_catalogue_program(name="Queue IM")
    first = correction(member, program, value="<b>yes</b>")
    second = new_program_proposal(member)
    Proposal.objects.create(
        user=member, program=program, kind=FactKind.J1, value="no", source_url=SOURCE,
        status=Proposal.Status.REJECTED,
    )  # fmt: skip
    page = curator_client.get(reverse("curation-review")).content.decode()
    section = page[page.index('id="proposals"') :]
    assert section.index(first.get_admin_url()) < section.index(second.get_admin_url())
    assert "Correction" in section and "New program" in section and "H-1B sponsorship" in section
    assert "&lt;b&gt;yes&lt;/b&gt;" in section and SOURCE in section
    assert member.email not in section
    assert section.count("<tr>") == 3  # the header and two open ones


def test_accepting_a_correction_changes_the_fact_once(
    curator_client, curator, member, django_capture_on_commit_callbacks
):
    program = make_catalogue_program()
    give_fact(program, FactKind.H1B, "no")
    proposal = correction(member, program, value="yes")
    data = {**proposal_form(proposal, value=" Yes "), "_accept": "Accept"}
    with django_capture_on_commit_callbacks() as callbacks:
        response = curator_client.post(proposal_url(proposal), data)
        again = curator_client.post(proposal_url(proposal), data)  # a double click
    assert response.status_code == 302 and again.status_code == 302
    assert len(callbacks) == 1
    fact = Fact.objects.get(program=program, kind=FactKind.H1B)
    assert (fact.value, fact.origin, fact.source_url, fact.checked_by) == (
        "yes", Origin.PROPOSAL, SOURCE, curator
    )  # fmt: skip
    proposal.refresh_from_db()
    assert proposal.status == "accepted" and proposal.reviewed_by == curator
    assert proposal.reviewed_at is not None
    assert FactChange.objects.filter(program=program, new_value="yes").count() == 1


def test_a_bad_edited_value_is_refused_and_nothing_changes(curator_client, member):
    program = make_catalogue_program()
    proposal = correction(member, program, value="yes")
    data = {**proposal_form(proposal, value="perhaps"), "_accept": "Accept"}
    response = curator_client.post(proposal_url(proposal), data)
    assert response.status_code == 200
    assert 'Enter "yes", "no" or "unknown".' in html.unescape(response.content.decode())
    proposal.refresh_from_db()
    assert proposal.status == "open" and proposal.value == "yes"
    assert not Fact.objects.exists()


def test_accepting_a_new_program_creates_it_and_its_institution(curator_client, member):
    Institution.objects.create(name="Example Community Hospital", state="NY")
    proposal = new_program_proposal(member, acgme_id="1401234567")
    data = {**proposal_form(proposal, name="Example Community IM Residency"), "_accept": "1"}
    assert curator_client.post(proposal_url(proposal), data).status_code == 302
    program = CatalogueProgram.objects.get(acgme_id="1401234567")
    assert program.name == "Example Community IM Residency"
    assert Institution.objects.count() == 1 and program.institution.state == "NY"
    assert Proposal.objects.get().status == "accepted"


def test_a_new_program_with_a_taken_acgme_id_is_refused_next_to_the_field(curator_client,
                                                                          member):  # fmt: skip
    make_catalogue_program(acgme_id="1401234567")
    proposal = new_program_proposal(member, acgme_id="1401234567")
    data = {**proposal_form(proposal), "_accept": "1"}
    response = curator_client.post(proposal_url(proposal), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["acgme_id"] == [
        "Another catalogue program has this ACGME program ID."
    ]
    assert CatalogueProgram.objects.count() == 1 and Institution.objects.count() == 1
    assert Proposal.objects.get().status == "open"


def test_rejecting_needs_a_note_and_records_it(curator_client, curator, member):
    proposal = correction(member, make_catalogue_program())
    response = curator_client.post(proposal_url(proposal), {**proposal_form(proposal),
                                                            "_reject": "1"})  # fmt: skip
    assert response.status_code == 200
    assert "Say why it is rejected" in response.content.decode()
    data = {**proposal_form(proposal, curator_note="The source says no."), "_reject": "1"}
    assert curator_client.post(proposal_url(proposal), data).status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.curator_note, proposal.reviewed_by) == (
        "rejected", "The source says no.", curator
    )  # fmt: skip
    assert not Fact.objects.exists()


def test_the_accept_action_accepts_open_ones_once(curator_client, member):
    program = make_catalogue_program()
    proposals = [correction(member, program, kind=kind) for kind in (FactKind.J1, FactKind.H1B)]
    data = {"action": "accept_selected", "_selected_action": [p.pk for p in proposals]}
    url = reverse("admin:catalogue_proposal_changelist")
    assert curator_client.post(url, data).status_code == 302
    assert curator_client.post(url, data).status_code == 302
    assert set(Proposal.objects.values_list("status", flat=True)) == {"accepted"}
    assert FactChange.objects.count() == 2


@pytest.mark.parametrize("count", [2, 6])
def test_the_review_queue_costs_the_same_for_any_number_of_proposals(
    curator_client, member, count, django_assert_num_queries
):
    program = make_catalogue_program()
    for n in range(count):
        correction(member, program, value="yes" if n % 2 else "no")
        new_program_proposal(member, name=f"New IM {n}")
    curator_client.get(reverse("curation-review"))  # the session's and permissions' first load
    # session, user, authenticators (the admin's second-factor gate), the user's and the
    # group's permissions, Match cycles, rules, milestones, resources, open proposals with
    # their programs
    with django_assert_num_queries(10):
        page = curator_client.get(reverse("curation-review")).content.decode()
    assert page.count("New IM ") == count


@pytest.mark.parametrize("changes", [1, 5])
def test_a_programs_page_costs_the_same_for_any_length_of_history(
    curator_client, curator, changes, django_assert_num_queries
):
    program = make_catalogue_program()
    for n in range(changes):
        give_fact(program, FactKind.STEP1_MINIMUM, str(200 + n), by=curator)
        give_fact(program, FactKind.J1, "yes" if n % 2 else "no", by=curator)
    curator_client.get(change_url(program))
    # session, user, second factor (the admin's gate, asked twice), the program, the user's
    # and the group's permissions, the history with its programs and curators, the facts
    # with theirs, the institutions for the institution field
    with django_assert_num_queries(10):
        assert curator_client.get(change_url(program)).status_code == 200
