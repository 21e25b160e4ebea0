"""Every page reachable from the home page, on the smallest phone we serve, in 特大 text with
JavaScript off, as a resident, a volunteer and a community worker of the demo world:

- the page's own heading starts on the first screen (240 × 320), not below two screens of
  header and menu;
- nothing scrolls sideways;
- no phone number, amount or date (marked ``.unbroken`` in the templates) breaks inside or
  runs off the screen.
"""

from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from portal.demo import DEMO_PASSWORD, seed_demo
from portal.extensions import db
from portal.servicemap.models import ServicePoint
from tests.browser.conftest import close_settled, horizontal_overflow, in_menu, sign_in

WIDTH, HEIGHT = 240, 320
PEOPLE = {"resident": "13900000006", "volunteer": "13900000005", "worker": "13900000001"}
# Files, not pages; and the way out.
SKIP_SUFFIXES = (".csv", ".ics", ".json", ".geojson", ".svg", ".png", ".zip")
MOST_PAGES = 60

MEASURE = """() => {
  const h1 = document.querySelector("main h1, h1");
  // Broken inside (two line boxes), or pushed off the screen on either side.
  const broken = [...document.querySelectorAll(".unbroken")]
    .filter(e => e.getClientRects().length > 1 || e.getBoundingClientRect().left < 0
                 || e.getBoundingClientRect().right > innerWidth)
    .map(e => e.textContent.trim());
  return {h1: h1 ? h1.getBoundingClientRect().top : null, broken: broken};
}"""


def _same_site_paths(page, base):
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(urljoin(base, href))
        if parts.netloc == urlsplit(base).netloc and not parts.path.endswith(SKIP_SUFFIXES):
            paths.append(parts.path)
    return paths


@pytest.fixture
def demo_world(live_server):
    """The demo; returns pages each crawl must include (a meal point's page)."""
    seed_demo()
    meal = db.session.scalar(select(ServicePoint.id).filter_by(name="草堂社区长者食堂"))
    return [f"/services/{meal}"]


@pytest.mark.parametrize("who", list(PEOPLE))
def test_every_page_from_home_fits_the_smallest_phone_in_extra_large_text(
        browser, live_server, demo_world, who):
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  viewport={"width": WIDTH, "height": HEIGHT}, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, PEOPLE[who], DEMO_PASSWORD)
    page.wait_for_url(lambda url: "/accounts/login" not in url)
    in_menu(page, "button", "特大").click()  # saved on the account, as a resident would

    problems, seen, queue = {}, set(), ["/", *demo_world]
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = page.goto(path)
        if response is None or response.status != 200 or "html" not in response.headers.get(
                "content-type", ""):
            continue
        assert "size-xlarge" in page.locator("html").get_attribute("class").split()
        found = page.evaluate(MEASURE)
        wrong = []
        if found["h1"] is None or found["h1"] >= HEIGHT:
            wrong.append(f"h1 starts at {found['h1']} px")
        if horizontal_overflow(page) > 0:
            wrong.append(f"{horizontal_overflow(page)} px sideways")
        if found["broken"]:
            wrong.append(f"broken or cut off: {found['broken']}")
        if wrong:
            problems[path] = wrong
        queue += [p for p in _same_site_paths(page, live_server) if p not in seen]
    close_settled(context, page)
    assert len(seen) >= 10, seen  # the crawl really walked the site
    assert problems == {}
