"""Real browser: keep three programs, see a fit conflict, move an application through
the pipeline with htmx and without JavaScript, import a 50-row spreadsheet, export it."""

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import Application, Program
from tests.e2e.browser import MOBILE, assert_accessible, assert_fits_width, log_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_program(page: Page, live_url: str, name: str, visas: str) -> None:
    page.goto(f"{live_url}/applications/programs/new/")
    page.fill("#id_name", name)
    page.fill("#id_specialty", "Internal Medicine")
    page.fill("#id_city", "Newark")
    page.select_option("#id_visas", visas)
    page.fill("#id_visas_source", "program website")
    page.fill("#id_visas_found_on", "2026-05-01")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("h1")).to_have_text(name)


def fifty_rows() -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["program_name", "specialty", "city", "state", "visas", "cycle", "status"])
    statuses = ["researching", "applied", "interview_invited", "rejected", "interviewed"]
    for n in range(50):
        writer.writerow(
            [
                f"Imported Program {n:02}",
                "Internal Medicine",
                "Boston",
                "MA",
                "both",
                "2027",
                statuses[n % 5],
            ]
        )
    return out.getvalue()


def test_application_season_in_a_browser(page: Page, browser, live_url, member, tmp_path):
    log_in_as(page, live_url, member)
    errors: list[str] = []
    page.on("console", lambda m: m.type in ("error", "warning") and errors.append(m.text))
    page.set_viewport_size(MOBILE)

    # Three programs; Alice needs a J-1, so the H-1B-only one conflicts.
    add_program(page, live_url, "Harbor H-1B Hospital", "h1b")
    add_program(page, live_url, "Both Visas Medical Center", "both")
    add_program(page, live_url, "Unknown Facts Clinic", "unknown")
    page.goto(f"{live_url}/applications/programs/")
    expect(page.locator(".result-count")).to_contain_text("3 of 3 programs")
    harbor = Program.objects.get(name="Harbor H-1B Hospital")
    conflict = page.locator(f"#program-{harbor.pk}")
    expect(conflict).to_contain_text("You need a J-1; it sponsors H-1B only.")
    assert_fits_width(page)
    assert_accessible(page)

    # Track it in Match 2027, then move it with htmx (no page load).
    conflict.get_by_role("link", name="Harbor H-1B Hospital").click()
    page.get_by_role("button", name="Track in Match 2027").click()
    expect(page.locator("h1")).to_have_text("Applications, Match 2027")
    application = Application.objects.get(program__name="Harbor H-1B Hospital")
    card = page.locator(f"#application-{application.pk}")
    page.evaluate("window.notReloaded = true")
    card.get_by_role("link", name="Change status").click()  # the form, on demand (htmx)
    card.locator("select").select_option("applied")
    card.get_by_role("button", name="Update").click()
    expect(card).to_contain_text("Saved.")
    expect(card.locator(".badge-info")).to_have_text("Applied")
    expect(page.locator('[data-status="applied"]')).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True
    assert_fits_width(page)
    assert_accessible(page)

    # The same step without JavaScript: a plain form post and a redirect.
    no_js = browser.new_context(java_script_enabled=False, viewport=MOBILE)
    plain = no_js.new_page()
    log_in_as(plain, live_url, member)
    plain.goto(f"{live_url}/applications/")
    plain_card = plain.locator(f"#application-{application.pk}")
    plain_card.get_by_role("link", name="Change status").click()  # a page load, form open
    plain_card.locator("select").select_option("interview_invited")
    plain_card.get_by_role("button", name="Update").click()
    expect(plain.locator(".messages")).to_contain_text("Harbor H-1B Hospital: Interview invited.")
    expect(plain.locator(f"#application-{application.pk} .badge-info")).to_have_text(
        "Interview invited"
    )
    no_js.close()
    application.refresh_from_db()
    assert application.status == "interview_invited"
    assert application.history.count() == 3

    # Import a 50-row spreadsheet: preview, then confirm.
    sheet = tmp_path / "my-programs.csv"
    sheet.write_text(fifty_rows(), encoding="utf-8")
    page.goto(f"{live_url}/applications/import/")
    assert_accessible(page)
    page.set_input_files("#id_file", str(sheet))
    page.get_by_role("button", name="Check the file").click()
    expect(page.locator("#preview-heading")).to_contain_text("my-programs.csv")
    expect(page.get_by_text("50 rows ready.")).to_be_visible()
    assert Program.objects.filter(user=member).count() == 3
    assert_fits_width(page)
    page.get_by_role("button", name="Import 50 rows").click()
    expect(page.locator(".messages")).to_contain_text("50 programs added, 0 updated")
    expect(page.locator(".result-count")).to_contain_text("51 applications · page 1 of 3")
    assert_fits_width(page)

    # Export and compare with what was imported.
    page.goto(f"{live_url}/applications/import/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    exported = download_info.value.path().read_text(encoding="utf-8-sig")
    exported_rows = {row["program_name"]: row for row in csv.DictReader(io.StringIO(exported))}
    for row in csv.DictReader(io.StringIO(fifty_rows())):
        got = exported_rows[row["program_name"]]
        for column in ["specialty", "city", "state", "visas", "cycle", "status"]:
            assert got[column] == row[column], (row["program_name"], column)
    assert len(exported_rows) == 53
    assert errors == []


def test_a_semicolon_csv_with_a_bom_imports_and_exports_back_intact(
    page: Page, live_url, member, tmp_path
):
    """Excel in Cairo or Paris: 'CSV UTF-8' separated by ';' with a byte-order mark."""
    log_in_as(page, live_url, member)
    sheet = tmp_path / "programmes.csv"
    sheet.write_bytes(
        "\ufeffprogram_name;specialty;city;cycle;status;application_notes\r\n"
        "مستشفى جامعة القاهرة;Internal Medicine;Cairo;2027;interview_invited;مقابلة 🎉\r\n"
        "Hôpital Lariboisière;Pediatrics;Paris, France;2027;applied;Très bien\r\n".encode()
    )
    page.goto(f"{live_url}/applications/import/")
    page.set_input_files("#id_file", str(sheet))
    page.get_by_role("button", name="Check the file").click()
    preview = page.locator("section[aria-labelledby=preview-heading]")
    expect(preview).to_contain_text("separated by semicolons (;), with a UTF-8 byte-order mark")
    expect(preview).to_contain_text("(Interview invited)")
    assert_accessible(page)
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.locator(".messages")).to_contain_text("2 programs added")

    page.goto(f"{live_url}/applications/import/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    raw = download_info.value.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel on Windows reads it as UTF-8
    rows = {r["city"]: r for r in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))}
    assert rows["Cairo"]["program_name"] == "مستشفى جامعة القاهرة"
    assert rows["Cairo"]["application_notes"] == "مقابلة 🎉"
    assert rows["Paris, France"]["program_name"] == "Hôpital Lariboisière"
    assert rows["Paris, France"]["application_notes"] == "Très bien"


def test_every_season_page_is_accessible_at_375px_and_rank_moves_by_keyboard(
    page: Page, live_url, member
):
    import datetime

    from applications import curated
    from applications.models import Interview, Letter
    from tests.factories import make_application, make_program

    curated.load(force=False)
    apps = [
        make_application(member, make_program(member, name=name), status="interviewed")
        for name in ["Alpha Program", "Bravo Program"]
    ]
    Interview.objects.create(
        user=member,
        application=apps[0],
        date=datetime.date(2026, 11, 10),
        start_time=datetime.time(9),
        time_zone="America/New_York",
        duration_minutes=120,
    )
    Interview.objects.create(
        user=member,
        application=apps[1],
        date=datetime.date(2026, 11, 10),
        start_time=datetime.time(9),
        time_zone="America/Chicago",
    )
    Letter.objects.create(user=member, writer="Dr Rao").applications.add(apps[0])
    log_in_as(page, live_url, member)
    page.set_viewport_size(MOBILE)
    for path in [
        "/applications/",
        f"/applications/a/{apps[0].pk}/",
        f"/applications/programs/{apps[0].program.pk}/",
        f"/applications/programs/{apps[0].program.pk}/edit/",
        "/applications/interviews/",
        "/applications/letters/",
        "/applications/rank/",
        "/applications/costs/?estimate=eras-token",
        "/applications/import/",
    ]:
        page.goto(live_url + path)
        assert_fits_width(page)
        assert_accessible(page)
    page.goto(f"{live_url}/applications/interviews/")
    expect(page.locator(".alert-danger").first).to_contain_text("Clash:")

    # Move Bravo up with the keyboard only.
    page.goto(f"{live_url}/applications/rank/")
    down = page.locator(f"#rank-{apps[0].pk}").get_by_role("button", name=re.compile("^Down"))
    down.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".rank-list li").first).to_contain_text("Bravo Program")
    expect(page.locator(".rank-list li .rank-place").first).to_have_text("1")


def test_an_interview_in_a_daylight_saving_gap_and_an_ambiguous_hour(page: Page, live_url, member):
    """New York, 2026: 02:30 on 8 March never happens; 01:30 on 1 November happens twice."""
    from applications.interviews import interval
    from applications.models import Interview
    from tests.factories import make_application, make_program

    application = make_application(member, make_program(member, name="Daylight Program"))
    log_in_as(page, live_url, member)
    page.set_viewport_size(MOBILE)
    page.goto(f"{live_url}/applications/interviews/?cycle=2027")
    add = page.locator("section[aria-labelledby=add-interview-heading]")
    page.select_option("#id_application", str(application.pk))
    page.fill("#id_date", "2026-03-08")
    page.fill("#id_start_time", "02:30")
    page.fill("#id_time_zone", "America/New_York")
    page.get_by_role("button", name="Add").click()
    expect(add).to_contain_text("02:30 does not exist on 8 March 2026 in America/New_York")
    assert not Interview.objects.exists()

    page.fill("#id_date", "2026-11-01")
    page.fill("#id_start_time", "01:30")
    page.get_by_role("button", name="Add").click()
    expect(add).to_contain_text("01:30 happens twice on 1 November 2026")
    assert_accessible(page)
    assert not Interview.objects.exists()
    page.get_by_label("The second time, after the clocks go back").check()
    page.get_by_role("button", name="Add").click()
    expect(page.locator(".messages")).to_contain_text("Added the interview with Daylight Program")
    expect(page.locator("main")).to_contain_text("(the second 01:30, after the clocks go back)")
    start, _ = interval(Interview.objects.get())
    assert (start.hour, start.minute) == (6, 30)  # 01:30 EST is 06:30 UTC
