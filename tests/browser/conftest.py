"""Browser fixtures: the portal served on a free local port, Debian's Chromium driven by
Playwright, pages with JavaScript on or off, and axe-core run inside the page."""

import os

import pytest

from tests.live_server import serving

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium tries to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
# The rules axe runs: everything it has for WCAG 2.2 A/AA and best practice, plus the AAA
# contrast rule (7:1), which the design asks of body text.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"color-contrast-enhanced": {"enabled": True}, "target-size": {"enabled": True}},
}


def pytest_collection_modifyitems(items):
    for item in items:
        if "/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(app):
    """The test app served by a real HTTP server in a thread; yields its base URL."""
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _new_page(browser, live_server, javascript, width, locale):
    context = browser.new_context(
        base_url=live_server, java_script_enabled=javascript,
        viewport={"width": width, "height": 800}, locale=locale,
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


def close_settled(context, page):
    """Let the last navigation finish (its favicon and scripts too) before closing, so no
    request is still in flight when the next test starts."""
    try:
        page.wait_for_load_state("load", timeout=5_000)
    finally:
        context.close()


@pytest.fixture(params=[False, True], ids=["js-off", "js-on"])
def page(request, browser, live_server):
    """A phone-sized page (360 px), once with JavaScript off and once with it on."""
    context, page = _new_page(browser, live_server, request.param, 360, "zh-CN")
    page.javascript = request.param
    yield page
    close_settled(context, page)


@pytest.fixture
def js_page(browser, live_server):
    """A phone-sized page with JavaScript on (for axe and htmx checks)."""
    context, page = _new_page(browser, live_server, True, 360, "zh-CN")
    page.javascript = True
    yield page
    close_settled(context, page)


@pytest.fixture
def narrow_page(browser, live_server):
    """A 240 px wide page with JavaScript off: the smallest basic phone we serve."""
    context, page = _new_page(browser, live_server, False, 240, "zh-CN")
    page.javascript = False
    yield page
    close_settled(context, page)


def axe_violations(page):
    """Run axe-core in ``page``; return its violations as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] if isinstance(node["target"][0], str) else str(node["target"])
                    for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def axe_pages(page, urls, label=""):
    """Open each of ``urls`` and run axe-core; return {label + url: violations} for those
    with any."""
    found = {}
    for url in urls:
        page.goto(url)
        violations = axe_violations(page)
        if violations:
            found[label + url] = violations
    return found


def horizontal_overflow(page):
    """How many CSS pixels the page is wider than the viewport (0 means no sideways scroll)."""
    return page.evaluate(
        "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


def in_menu(page, role, name, **kwargs):
    """The control called ``name`` in the site menu; on a phone the 菜单 link opens it first."""
    opener = page.locator(".menu-link")
    if opener.is_visible():
        opener.click()
    return page.locator("#menu").get_by_role(role, name=name, **kwargs)


def sign_in(page, mobile, password):
    """Sign in through the real form, as a person would, and wait for the portal's answer.

    Signed in: the address has left /accounts/login and the menu offers "Sign out", which
    only a signed-in page does; the next step acts on that page, not on the form still
    being sent. Refused (a wrong password, a test that expects one): the login form comes
    back with its error summary. Returns whether the person is now signed in.
    """
    page.goto("/accounts/login")
    page.locator("#mobile").fill(mobile)
    page.locator("#password").fill(password)
    page.locator("main form button").click()
    signed_in = page.locator('#menu form[action$="/accounts/logout"]')
    refused = page.locator("main .error-summary")
    signed_in.or_(refused).first.wait_for(state="attached")
    if refused.count():
        return False
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    page.wait_for_load_state("load")
    return True
