"""Real browser: a member searches the catalogue as they type, adds three programs from it
(the button turns into "On your list" in place), overrides one fact on their program's edit
form, and proposes a correction; every new page passes axe and fits 375 px."""

import re

import pytest
from playwright.sync_api import Page, expect

from catalogue.models import FactKind, Institution, Proposal
from tests.e2e.browser import MOBILE, assert_accessible, assert_fits_width, log_in_as
from tests.factories import give_fact, make_catalogue_program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def catalogue():
    metro = Institution.objects.create(name="Metro General Hospital", state="NJ")
    lakeside = Institution.objects.create(name="Lakeside Health", state="OH")
    programs = [
        make_catalogue_program(name=f"Metro {specialty}", specialty=specialty, institution=metro)
        for specialty in ("Internal Medicine", "Pediatrics", "Psychiatry")
    ]
    programs.append(make_catalogue_program(name="Lakeside Family Medicine", institution=lakeside))
    for program in programs:
        give_fact(program, FactKind.J1, "yes")
        give_fact(program, FactKind.STEP2CK_MINIMUM, "220")
    return programs


def test_search_add_three_override_one_and_propose_a_correction(page: Page, live_url, member):
    metro_im = catalogue()[0]
    log_in_as(page, live_url, member)
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_url}/applications/programs/")
    page.get_by_role("link", name="Find in the catalogue").click()
    expect(page.locator(".result-count")).to_contain_text("4 programs")
    page.evaluate("window.notReloaded = true")
    page.locator("#id_q").press_sequentially("metro gen", delay=40)
    results = page.locator("#results")
    expect(results).not_to_contain_text("Lakeside")
    expect(results.locator(".program-card")).to_have_count(3)
    expect(page).to_have_url(re.compile(r"q=metro"))

    add = results.get_by_role("button", name=re.compile("Add to my programs"))
    add.first.focus()  # by keyboard: the button submits the page's one form with htmx
    page.keyboard.press("Enter")
    expect(add).to_have_count(2)
    for left in (1, 0):  # each click swaps its own button for "On your list"
        add.first.click()
        expect(add).to_have_count(left)
    expect(results.get_by_role("link", name=re.compile("On your list"))).to_have_count(3)
    assert page.evaluate("window.notReloaded") is True  # added in place, no reload
    assert member.programs.filter(catalogue__isnull=False).count() == 3

    # Override one fact: the member's own Step 2 CK minimum on their program's edit form.
    results.get_by_role("link", name=re.compile(r"On your list\W+Metro Internal Medicine")).click()
    expect(page.locator("h1")).to_have_text("Metro Internal Medicine")
    expect(page.locator("#catalogue-heading")).to_be_visible()
    expect(page.get_by_text("checked 1 Nov 2026").first).to_be_visible()
    page.get_by_role("link", name="Edit", exact=True).click()
    page.fill("#id_step2ck_minimum", "235")
    page.get_by_role("button", name=re.compile("Save")).click()
    expect(page.locator(".fact-list").first).to_contain_text("Your note: 235")

    # Propose a correction from the catalogue page.
    page.get_by_role("link", name="Metro Internal Medicine").first.click()
    expect(page).to_have_url(f"{live_url}/catalogue/{metro_im.pk}/")
    page.get_by_role("link", name="Propose a correction").click()
    page.select_option("#id_kind", FactKind.H1B)
    page.fill("#id_value", "maybe")
    page.fill("#id_source_url", "https://example.org/metro/visas")
    page.get_by_role("button", name="Send to the curators").click()
    expect(page.locator("#id_value_error")).to_contain_text('Enter "yes", "no" or "unknown".')
    page.fill("#id_value", "yes")
    page.get_by_role("button", name="Send to the curators").click()
    expect(page.get_by_text("Sent to the curators; it changes nothing")).to_be_visible()
    assert Proposal.objects.get(user=member).value == "yes"
    assert errors == []  # no CSP violations or script errors on the way


def test_catalogue_pages_are_accessible_at_375px(page: Page, live_url, member, tmp_path):
    program = catalogue()[0]
    page.set_viewport_size(MOBILE)
    log_in_as(page, live_url, member)
    page.goto(f"{live_url}/catalogue/{program.pk}/")
    page.get_by_role("button", name=re.compile("Add to my programs")).click()
    page.get_by_role("link", name=re.compile("On your list")).click()  # swapped in place
    expect(page).to_have_url(re.compile(r"/applications/programs/\d+/$"))
    mine = page.url
    Proposal.objects.create(
        user=member, program=program, kind=FactKind.NOTE, value="Interviews in person.",
        source_url="https://example.org/metro",
    )  # fmt: skip
    for path in [
        "/catalogue/",
        "/catalogue/?q=metro",
        "/catalogue/?q=zzzz",
        f"/catalogue/{program.pk}/",
        f"/catalogue/{program.pk}/correct/",
        "/catalogue/propose/",
        "/catalogue/proposals/",
        "/applications/programs/",
    ]:
        page.goto(live_url + path)
        assert_accessible(page)
        assert_fits_width(page)
    page.goto(mine)
    assert_accessible(page)
    assert_fits_width(page)
    page.screenshot(path=tmp_path / "catalogue-375.png", full_page=True)


def test_an_accepted_correction_reaches_every_keeper_once_and_nobody_else(
    page: Page, live_url, member, other_member, curator, curated
):
    """Issue 19's story to its end: Alice proposes a correction in the browser, a curator
    accepts it, the worker runs; Alice and Bob (who keep the program) each get one notice
    and one email, Carol (who keeps another program) nothing; Alice sees hers on her
    dashboard."""
    from django.core import mail
    from django.core.management import call_command

    from accounts.models import Notice
    from catalogue import proposals
    from tests.factories import make_member, make_program

    metro_im, _, _, lakeside = catalogue()
    give_fact(metro_im, FactKind.H1B, "no")
    make_program(member, name=metro_im.name, specialty=metro_im.specialty, catalogue=metro_im)
    make_program(other_member, name="Our first choice", catalogue=metro_im)
    carol = make_member("carol@example.com")
    make_program(carol, name=lakeside.name, catalogue=lakeside)

    log_in_as(page, live_url, member)
    page.goto(f"{live_url}/catalogue/{metro_im.pk}/correct/")
    page.select_option("#id_kind", FactKind.H1B)
    page.fill("#id_value", "yes")
    page.fill("#id_source_url", "https://example.org/metro/h1b-2027")
    page.get_by_role("button", name="Send to the curators").click()
    expect(page.get_by_text("Sent to the curators; it changes nothing")).to_be_visible()
    page.goto(f"{live_url}/roadmap/")
    expect(page.locator("#notices li")).to_have_count(0)  # nothing until a curator accepts

    proposal = Proposal.objects.get(user=member)
    assert proposals.accept(proposal, curator) is True
    assert proposals.accept(proposal, curator) is False  # a second click changes nothing
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)
    call_command("enqueue_reminders", verbosity=0)  # the daily run adds nothing more
    call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)

    def told(user) -> tuple[int, int]:
        emails = [m for m in mail.outbox if m.to == [user.email] and "Changed: " in m.subject]
        return Notice.objects.filter(user=user).count(), len(emails)

    assert [told(user) for user in (member, other_member, carol)] == [(1, 1), (1, 1), (0, 0)]
    page.reload()
    notices = page.locator("#notices")
    expect(notices).to_contain_text(metro_im.name)
    expect(notices).to_contain_text("H-1B sponsorship")
    assert_accessible(page)


def test_add_to_my_programs_without_javascript(browser, live_url, member):
    """Each card's button submits the results' one form (its CSRF token) to its own address:
    a plain POST that lands on the member's new program."""
    programs = catalogue()
    context = browser.new_context(java_script_enabled=False, viewport=MOBILE)
    page = context.new_page()
    log_in_as(page, live_url, member)
    page.goto(f"{live_url}/catalogue/?q=lakeside")
    page.get_by_role("button", name=re.compile("Add to my programs")).click()
    expect(page.locator("h1")).to_have_text("Lakeside Family Medicine")
    expect(page).to_have_url(re.compile(r"/applications/programs/\d+/$"))
    assert member.programs.get().catalogue == programs[-1]
    page.goto(f"{live_url}/catalogue/?q=lakeside")
    expect(page.get_by_role("link", name=re.compile("On your list"))).to_have_count(1)
    context.close()


def test_the_search_page_and_its_fragment_are_valid_html(member, tmp_path):
    from django.test import Client

    from tests.e2e.test_valid_html import FRAGMENT_PAGE, vnu_errors
    from tests.factories import make_program

    metro_im = catalogue()[0]
    make_program(member, name=metro_im.name, specialty=metro_im.specialty, catalogue=metro_im)
    client = Client()
    client.force_login(member)
    page = client.get("/catalogue/?q=metro&state=NY")
    fragment = client.get("/catalogue/?q=metro", headers={"HX-Request": "true"})
    assert page.content.count(b'form="keep-form"') == 2 and b"On your list" in page.content
    pages = {"search": page.content, "fragment": FRAGMENT_PAGE % fragment.content}
    assert vnu_errors(pages, tmp_path) == []
