"""The interactive docs work in a real browser, offline: Swagger UI executes a request, ReDoc renders.

Debian's Chromium (`apt-get install -y chromium`), driven by Playwright; Playwright never downloads a browser.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import BrowserContext, Page, Request, Response, sync_playwright

from tests.paths import REPO_ROOT

pytestmark = pytest.mark.e2e

ROOT = REPO_ROOT
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1"}
# What Chromium reports for a request our Content-Security-Policy stopped before it was sent.
BLOCKED_BY_CSP = {"csp", "net::ERR_BLOCKED_BY_CSP"}
# ReDoc's standalone bundle hard-codes its logo on this CDN; the CSP blocking it is expected.
MAY_BE_BLOCKED = {"cdn.redoc.ly"}
TIMEOUT_MS = 15_000


def is_local(url: str) -> bool:
    """True for the app's own URLs (and data:/blob: URLs, which never touch the network)."""
    parts = urlsplit(url)
    return parts.scheme not in {"http", "https"} or parts.hostname in LOCAL_HOSTS


class NetworkLog:
    """Every response, failed request and uncaught page error the browser saw."""

    def __init__(self) -> None:
        self.response_urls: list[str] = []
        self.failed: list[str] = []
        self.blocked_urls: list[str] = []
        self.page_errors: list[str] = []

    def on_response(self, response: Response) -> None:
        self.response_urls.append(response.url)

    def on_request_failed(self, request: Request) -> None:
        if request.failure in BLOCKED_BY_CSP:
            self.blocked_urls.append(request.url)
        else:
            self.failed.append(f"{request.method} {request.url}: {request.failure}")

    def on_page_error(self, error: Exception) -> None:
        self.page_errors.append(str(error))

    def assert_stayed_on_the_app(self) -> None:
        """Nothing failed but what the CSP was meant to block, and every answer came from the app."""
        assert self.failed == [], "requests failed"
        unexpected_blocks = [url for url in self.blocked_urls if urlsplit(url).hostname not in MAY_BE_BLOCKED]
        assert unexpected_blocks == [], "the Content-Security-Policy blocked part of the page itself"
        off_host = [url for url in self.response_urls if not is_local(url)]
        assert off_host == [], "the browser got answers from outside the app (a request reached the network)"
        assert self.page_errors == [], "uncaught errors in the page"


@pytest.fixture(scope="module")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[BrowserContext]:
    """Debian's Chromium with a fresh profile; a missing browser fails the test (CI installs it)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's Chromium with `apt-get update && apt-get install -y chromium` "
            "(Playwright must not download its own browser).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            user_data_dir=tmp_path / "chromium-profile",
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 1600},
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def network() -> NetworkLog:
    return NetworkLog()


@pytest.fixture
def page(browser: BrowserContext, network: NetworkLog) -> Page:
    browser.on("response", network.on_response)
    browser.on("requestfailed", network.on_request_failed)
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.on("pageerror", network.on_page_error)
    return page


def test_swagger_ui_try_it_out_creates_a_contact(
    live_server: str, page: Page, network: NetworkLog, screenshots: Path
) -> None:
    page.goto(f"{live_server}/docs", wait_until="networkidle")
    operation = page.locator("#operations-contacts-createContact")

    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()  # the request body is the schema's example
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for()
    operation.screenshot(path=screenshots / "swagger-ui-create-contact.png")

    assert status.inner_text().strip() == "201"
    body = operation.locator(".live-responses-table .response-col_description pre").first.inner_text()
    assert '"name": "Ada Lovelace"' in body
    assert any(urlsplit(url).path == "/contacts" for url in network.response_urls), "Execute never reached the app"
    network.assert_stayed_on_the_app()


def test_redoc_lists_the_operations_without_leaving_the_app(
    live_server: str, page: Page, network: NetworkLog, screenshots: Path
) -> None:
    page.goto(f"{live_server}/redoc", wait_until="networkidle")
    heading = page.locator("h2", has_text="Create a contact").first
    heading.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "redoc-create-contact.png")

    for summary in ("Create a contact", "List and search contacts", "Change some fields of a contact"):
        assert page.locator("h2", has_text=summary).count() >= 1, f"ReDoc does not show {summary!r}"
    network.assert_stayed_on_the_app()  # the CDN logo is blocked in the browser, never fetched
