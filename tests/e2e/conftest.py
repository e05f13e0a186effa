"""Real-browser tests: Debian's chromium driven by Playwright (never a downloaded browser)."""

import os
import shutil
import weakref
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the live server and the ORM
# calls the tests make are ordinary synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


# axe-core 4.14.1 (MPL-2.0), the npm package's axe.min.js vendored beside its LICENSE under
# tests/e2e/vendor/axe-core/: never fetched at test time. The site's Content-Security-Policy
# refuses inline script, so Playwright's add_script_tag(path=...) (an inline <script>) is
# blocked; the file is served instead at a same-origin path that the browser context
# answers itself, and loaded with add_script_tag(url=...), under the site's own policy.
AXE_VERSION = "4.14.1"
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_PATH = "/__axe-core__/axe.min.js"
AXE_IMPACTS = ("serious", "critical")
_axe_contexts: weakref.WeakSet = weakref.WeakSet()


def axe_violations(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands, one line each
    (rule, impact, the elements), for an assertion that lists them all."""
    context = page.context
    if context not in _axe_contexts:
        context.route(
            f"**{AXE_PATH}",
            lambda route: route.fulfill(path=AXE_SCRIPT, content_type="text/javascript"),
        )
        _axe_contexts.add(context)
    # A transition still running (a flashcard's back fading in) would be measured mid-fade,
    # its colours not yet the page's: wait until every animation has finished.
    page.wait_for_function("() => document.getAnimations().every(a => a.playState !== 'running')")
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(url=page.evaluate("location.origin") + AXE_PATH)
    assert page.evaluate("axe.version") == AXE_VERSION
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        f"{page.url}: {v['id']} ({v['impact']}) {v['help']}: "
        + "; ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in found
        if v["impact"] in AXE_IMPACTS
    ]
