"""Helpers for real-browser tests: axe checks, width checks, logging in."""

from axe_playwright_python.sync_playwright import Axe

MOBILE = {"width": 375, "height": 812}
# WCAG 2.2 level A and AA rules (axe-core tags).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}

_axe = Axe()


def assert_accessible(page) -> None:
    """Run axe-core in the page; fail with a readable list of violations."""
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    details = [
        f"{v['id']} ({v['impact']}): {v['help']} -> "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in v["nodes"][:5])
        for v in violations
    ]
    assert not violations, f"{page.url}:\n" + "\n".join(details)


def assert_fits_width(page) -> None:
    """Nothing scrolls sideways at the current viewport width."""
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} is {overflow}px wider than the viewport"


def log_in(page, live_url: str, email: str, password: str) -> None:
    page.goto(live_url + "/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_load_state()


def log_in_as(page, live_url: str, user) -> None:
    """Log the browser in without the form: a session cookie made by Django's test client."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_url}])
