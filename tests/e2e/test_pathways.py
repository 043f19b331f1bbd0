"""Real browser: record exam results on the dashboard, with and without JavaScript."""

import datetime

import pytest
from playwright.sync_api import expect

from pathways.models import Progress
from tests.e2e.browser import MOBILE, log_in
from tests.factories import record

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("javascript", [True, False], ids=["htmx", "no-js"])
def test_record_step1_and_step2ck_on_the_dashboard(
    browser, live_url, member, password, javascript, curated
):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    log_in(page, live_url, member.email, password)
    page.wait_for_url(f"{live_url}/roadmap/")
    for slug in ["eligible-school", "intealth-account", "ecfmg-application"]:
        record(member, slug, status="done")
    page.goto(f"{live_url}/roadmap/")
    if javascript:
        page.evaluate("window.notReloaded = true")

    next_steps = page.locator("#next-steps")
    overall = page.get_by_test_id("progress-overall")
    expect(next_steps).to_contain_text("Pass USMLE Step 1")
    expect(overall).to_contain_text("3 of 25")
    tested = (datetime.date.today() - datetime.timedelta(days=30)).isoformat()

    def open_form(slug: str, category: str):
        """Open the milestone as a member would: its section (whose rows load then, or are a
        page of their own without JavaScript), its row, then the form."""
        row = page.locator(f"#row-{slug}")
        if not row.is_visible():
            page.locator(".roadmap-section > summary", has_text=category).click()
            if not javascript:
                page.get_by_role("link", name=f"Show your {category} milestones").click()
        if row.get_attribute("open") is None:
            row.locator("summary").first.click()
        if javascript:
            return row  # htmx loads the form into the row
        row.get_by_role("link", name="Record progress").click()
        return page  # the milestone's own progress page

    form = open_form("step-1", "Exams")
    form.get_by_label("Status").select_option("done")
    form.get_by_label("Result").select_option("passed")
    form.get_by_label("Attempts so far").fill("1")
    form.get_by_label("Completed on").fill(tested)
    form.get_by_role("button", name="Save").click()

    row = page.locator("#row-step-1")
    expect(row.locator(".status-badge")).to_have_text("Done")
    if not javascript:  # saved, back on the section's page: the dashboard shows the rest
        expect(page.locator("#messages")).to_contain_text("Saved: Pass USMLE Step 1.")
        page.get_by_role("link", name="Back to your dashboard").click()
    expect(overall).to_contain_text("4 of 25")
    expect(next_steps).not_to_contain_text("Pass USMLE Step 1")

    form = open_form("step-2-ck", "Exams")
    form.get_by_label("Status").select_option("done")
    form.get_by_label("Score").fill("245")
    form.get_by_label("Attempts so far").fill("1")
    form.get_by_label("Completed on").fill(tested)
    form.get_by_role("button", name="Save").click()

    row = page.locator("#row-step-2-ck")
    expect(row.locator(".row-facts")).to_contain_text("Score: 245")
    expect(row.locator(".row-facts")).to_contain_text("Passed")
    if not javascript:
        page.get_by_role("link", name="Back to your dashboard").click()
    expect(overall).to_contain_text("5 of 25")
    expect(next_steps).not_to_contain_text("Pass USMLE Step 2 CK")
    expect(page.locator("#alerts")).to_contain_text("Pass USMLE Step 2 CK: 245 passes")

    # A rejected score shows its error next to the field and leaves the saved one alone.
    form = open_form("step-2-ck", "Exams")
    form.get_by_label("Score").fill("999")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("A USMLE score is between 1 and 300.")).to_be_visible()
    assert Progress.objects.get(user=member, milestone__slug="step-2-ck").score == 245

    if javascript:
        assert page.evaluate("window.notReloaded") is True
    context.close()


def test_record_a_2019_pass_directly_and_see_it_stop_counting(
    page, live_url, member, password, curated
):
    """No prerequisite blocks recording what happened; ECFMG's window then follows it."""
    log_in(page, live_url, member.email, password)
    page.wait_for_url(f"{live_url}/roadmap/")
    page.locator(".roadmap-section > summary", has_text="Exams").click()
    row = page.locator("#row-step-1")
    row.locator("summary").first.click()
    row.get_by_label("Status").select_option("done")
    row.get_by_label("Result").select_option("passed")
    row.get_by_label("Completed on").fill("2019-03-15")
    row.get_by_role("button", name="Save").click()
    expect(row.locator(".status-badge")).to_have_text("To retake")
    expect(row.locator(".row-facts")).to_contain_text("stopped counting on 15 Mar 2026")
    saved = Progress.objects.get(user=member, milestone__slug="step-1")
    assert saved.completed_date == datetime.date(2019, 3, 15) and saved.status == "done"
    page.reload()
    expect(page.locator("#alerts")).to_contain_text("closed on 15 Mar 2026")


def test_a_save_that_changes_which_milestones_apply_reloads_the_page(
    page, live_url, member, password, curated
):
    """A former Step 2 CS pass from June 2019 stopped counting in June 2026 (Step 2 CK came in
    April 2026, after the 2019 Step 1's window had closed), so the OET applies; dating Step 1
    in 2020 puts every exam inside the CS pass's seven years: it counts again, the OET no
    longer applies, rows go, and the page is built again rather than patched. At 375 px."""
    from accounts.models import Profile

    Profile.objects.filter(user=member).update(
        graduation_year=2017, has_step2cs=True, step2cs_passed_on=datetime.date(2019, 6, 1)
    )
    record(member, "step-1", status="done", outcome="passed", attempts=1,
           completed_date=datetime.date(2019, 3, 15))  # fmt: skip
    record(member, "step-2-ck", status="done", outcome="passed", score=250, attempts=1,
           completed_date=datetime.date(2026, 4, 1))  # fmt: skip
    page.set_viewport_size(MOBILE)
    log_in(page, live_url, member.email, password)
    page.wait_for_url(f"{live_url}/roadmap/")
    page.evaluate("window.notReloaded = true")
    page.locator(".roadmap-section > summary", has_text="Exams").click()
    expect(page.locator("#row-oet")).to_be_visible()  # the CS pass no longer counts
    row = page.locator("#row-step-1")
    row.locator("summary").first.click()
    row.get_by_label("Completed on").fill("2020-01-10")
    with page.expect_navigation():  # HX-Refresh: the page is loaded again
        row.get_by_role("button", name="Save").click()
    assert page.evaluate("window.notReloaded") is None
    page.locator(".roadmap-section > summary", has_text="Exams").click()
    expect(page.locator("#row-step-1 .status-badge")).to_have_text("Done")
    expect(page.locator("#row-oet")).to_have_count(0)
    assert Progress.objects.get(user=member, milestone__slug="step-1").completed_date == (
        datetime.date(2020, 1, 10)
    )
