"""Browser tests: Chromium driven by Playwright (sync API) against pytest-django's live_server.

Playwright's sync API runs an event loop in this thread, and Django refuses ORM calls from a thread
with a running loop unless told it is safe (FIELDNOTES: Browser tests). It is safe here: the loop only
talks to the browser process, and the ORM calls are ours, in order.
"""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.browser import screenshot
from tests.services import require_chromium

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator["object"]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def plain_static(settings):
    """live_server serves static files from the finders; without a collectstatic run the manifest
    storage (on when DATABASE_URL is set and DEBUG is off) would make every page a 500."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def page(browser, live_server, transactional_db, plain_static, request: pytest.FixtureRequest):
    """A fresh browser context per test (own cookies), a laptop-sized window; a screenshot on failure."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        screenshot(tab, f"{request.node.name}-FAILED")
    context.close()


@pytest.fixture
def shoot(page, request: pytest.FixtureRequest):
    """`shoot()` saves var/screenshots/<test name>.png; `shoot("step")` → <test name>-step.png;
    `shoot(of=other_page)` takes another browser's page instead of `page`."""

    def take(step: str = "", *, of=None) -> Path:
        return screenshot(of or page, request.node.name + (f"-{step}" if step else ""))

    return take


@pytest.fixture
def another_page(browser, live_server, plain_static, request: pytest.FixtureRequest):
    """A second browser (its own cookies): a second user working at the same time."""
    contexts = []

    def open_page():
        context = browser.new_context(viewport={"width": 1366, "height": 900}, base_url=live_server.url)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
