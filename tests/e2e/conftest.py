"""Helpers for real-browser tests: console watching, axe checks, logging in."""

import pytest
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


@pytest.fixture
def console_messages(page):
    """Collect console errors and warnings (CSP violations land here) and page errors."""
    messages: list[str] = []
    page.on(
        "console",
        lambda msg: (
            messages.append(f"{msg.type}: {msg.text}") if msg.type in ("error", "warning") else None
        ),
    )
    page.on("pageerror", lambda exc: messages.append(f"pageerror: {exc}"))
    return messages


def log_in(page, live_url: str, email: str, password: str) -> None:
    page.goto(live_url + "/accounts/login/")
    page.fill("#id_login", email)
    page.fill("#id_password", password)
    page.get_by_role("button", name="Sign In", exact=True).click()
    page.wait_for_load_state()
