"""Fixtures for real-browser tests (helpers live in tests/e2e/browser.py)."""

import pytest


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
