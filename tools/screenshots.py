"""Screenshot the portal in headless Chromium, on a fresh demo database.

    python -m tools.screenshots                 # the README tour into docs/screenshots/
    python -m tools.screenshots --review DIR    # every page at 360/240 px, JS on/off, zh/en
    python -m tools.screenshots --review DIR --only raise,request   # some of them

The review set is for looking at pages before calling UI work done; it is not committed.
"""

import argparse
import os
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]

# (file name, who signs in (demo mobile) or None, path, options): options may choose a
# courtyard (cookie), a width (360 unless said) and a text size (cookie), fill fields
# ({selector: value}) and click a button before the shot.
# A path may name demo objects in braces, "/services/{草堂社区长者食堂}", for their ids.
TOUR = [
    ("home-zh-360", None, "/", {"courtyard": "草堂东路133号院"}),
    ("places-zh-360", None, "/places/?q=草堂", {}),
    ("register-zh-360", None, "/accounts/register", {"courtyard": "草堂东路133号院"}),
    ("counter-slip-zh-360", "13900000001", "/accounts/counter",
     {"fill": {"#mobile": "13712345678", "#name": "刘桂兰"}, "click": "main form button.big"}),
    ("timebank-log-zh-360", "13900000012", "/timebank/me",
     {"click": ["#what-0", "#quick-2"]}),
    ("timebank-approvals-zh-360", "13900000001", "/timebank/approvals", {}),
    ("timebank-star-zh-360", "13900000005", "/timebank/me", {}),
    ("timebank-certificate-zh-360", "13900000005", "/timebank/certificates",
     {"click": ["#issuer-1", "main form button"]}),
    ("services-zh-360", None, "/services/?category=meals", {"courtyard": "草堂东路133号院"}),
    ("service-point-zh-360", None, "/services/{草堂社区长者食堂}",
     {"courtyard": "草堂东路133号院"}),
    ("coverage-zh-360", "13900000001", "/services/coverage/{草堂路社区}", {}),
    ("courtyard-zh-360", "13900000006", "/courtyards/{草堂东路133号院}", {}),
    ("collection-zh-360", "13900000006", "/courtyards/collections/{楼道灯换成哪一种？}", {}),
    ("notice-zh-360", "13900000006", "/courtyards/notices/{车棚翻修和院坝改造方案公示}", {}),
    ("poster-zh-print", "13900000002", "/courtyards/notices/{车棚翻修和院坝改造方案公示}/poster",
     {"width": 794, "print": True}),
    ("leaders-desk-zh-360", "13900000002", "/courtyards/desk", {}),
    ("requests-list-zh-360", None, "/councils/communities/{草堂路社区}/requests", {}),
    ("request-zh-360", "13900000006", "/councils/requests/{停车棚漏雨，充电线乱拉}", {}),
    ("triage-zh-360", "13900000001", "/councils/triage", {}),
    ("meeting-zh-360", "13900000009", "/councils/meetings/{停车棚翻修方案商议}", {}),
    ("decision-zh-360", None, "/councils/decisions/{停车棚翻修和充电桩安装}", {}),
    ("organization-zh-360", None, "/organizations/{常青树社会服务中心}", {}),
    ("project-zh-360", "13900000006", "/projects/{项目_133号院停车棚翻修和充电桩安装}", {}),
    ("call-ranking-zh-360", "13900000001",
     "/projects/calls/{比选_133号院停车棚翻修和充电桩安装}", {}),
    ("fund-zh-360", None, "/funds/{草堂路社区微基金}", {}),
    ("three-lists-zh-360", "13900000001", "/funds/community/{草堂路社区}/lists", {}),
    # The smallest phone, in 特大 text, JavaScript off: what an older resident sees.
    ("home-xlarge-240", "13900000006", "/", {"width": 240, "size": "xlarge"}),
    ("timebank-me-xlarge-240", "13900000005", "/timebank/me", {"width": 240, "size": "xlarge"}),
    ("service-point-xlarge-240", None, "/services/{草堂社区长者食堂}",
     {"courtyard": "草堂东路133号院", "width": 240, "size": "xlarge"}),
    ("courtyard-xlarge-240", "13900000006", "/courtyards/{草堂东路133号院}",
     {"width": 240, "size": "xlarge"}),
    ("collection-xlarge-240", "13900000006", "/courtyards/collections/{楼道灯换成哪一种？}",
     {"width": 240, "size": "xlarge"}),
    ("raise-xlarge-240", "13900000006", "/councils/requests/new",
     {"width": 240, "size": "xlarge"}),
    ("request-xlarge-240", "13900000006", "/councils/requests/{3栋西头院墙开裂}",
     {"width": 240, "size": "xlarge"}),
]


def serve(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def build_demo_app(instance):
    os.environ["PORTAL_INSTANCE_PATH"] = instance
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo import seed_demo
    from portal.extensions import db

    app = create_app({"DATABASE_URL": f"sqlite:///{instance}/shots.db", "SECRET_KEY": "shots",
                      "LOGIN_LIMIT_PER_ADDRESS": "1000 per minute",
                      "LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS": "1000 per minute"})
    with app.app_context():
        upgrade()
        world = seed_demo()
        names = {name: getattr(obj, "id", None) for name, obj in world.items()}
        # Notices and collections by title, for paths like "/courtyards/notices/{停水通知}".
        from portal.councils.models import Decision, Meeting, Request
        from portal.courtyards.models import Collection, Notice

        for model in (Notice, Collection, Request, Meeting, Decision):
            names.update({row.title: row.id for row in db.session.scalars(db.select(model))})
        # A project is named like the decision it came from: "项目_<title>".
        from portal.funds.models import Fund
        from portal.projects.models import Call, Project

        names.update({f"项目_{p.title}": p.id for p in db.session.scalars(db.select(Project))})
        names.update({f"比选_{c.project.title}": c.id
                      for c in db.session.scalars(db.select(Call))})
        names.update({f.name: f.id for f in db.session.scalars(db.select(Fund))})
        db.session.remove()
    return app, names


def review_pages(ids):
    """Every page worth looking at: (name, who, path)."""
    c = ids["草堂东路133号院"]
    pages = [
        ("home", None, "/"), ("places", None, "/places/?q=草堂"),
        ("community", None, f"/places/{ids['草堂路社区']}"), ("courtyard", None, f"/places/{c}"),
        ("organization", None, f"/organizations/{ids['常青树社会服务中心']}"),
        ("login", None, "/accounts/login"), ("register", None, "/accounts/register"),
        ("first-login", None, "/accounts/first-login"), ("not-found", None, "/nowhere"),
        ("profile", "13900000006", "/accounts/profile"),
        ("work", "13900000001", "/accounts/work"), ("counter", "13900000001", "/accounts/counter"),
        ("people", "13900000001", "/accounts/people?q=张"),
        ("roles", "13900000001", f"/accounts/roles/place/{c}"),
    ]
    cleanup, haircut = ids["草堂东路133号院 院落大扫除"], ids["周末助老理发"]
    pages += [
        ("timebank", None, "/timebank/"), ("activity", None, f"/timebank/activities/{haircut}"),
        ("timebank-mine", "13900000011", "/timebank/me"),
        ("timebank-mine-star", "13900000005", "/timebank/me"),
        ("timebank-history", "13900000005", "/timebank/me/history"),
        ("timebank-gift", "13900000005", "/timebank/gift"),
        ("timebank-help", "13900000005", "/timebank/help"),
        ("timebank-rewards", "13900000005", "/timebank/rewards"),
        ("timebank-certificates", "13900000005", "/timebank/certificates"),
        ("timebank-branch", None, f"/timebank/branch/{ids['青羊区']}"),
        ("timebank-approvals", "13900000001", "/timebank/approvals"),
        ("timebank-roster", "13900000001", f"/timebank/activities/{cleanup}/roster"),
        ("timebank-new-activity", "13900000001", "/timebank/activities/new"),
        ("timebank-desk", "13900000001", f"/timebank/community/{ids['草堂路社区']}"),
        ("timebank-rewards-manage", "13900000001",
         f"/timebank/community/{ids['草堂路社区']}/rewards"),
    ]
    community, shed = ids["草堂路社区"], ids["停车棚漏雨，充电线乱拉"]
    pages += [
        ("councils", "13900000006", "/councils/"),
        ("requests-list", None, f"/councils/communities/{community}/requests"),
        ("raise", "13900000006", "/councils/requests/new"),
        ("request", "13900000006", f"/councils/requests/{shed}"),
        ("request-overdue", None, f"/councils/requests/{ids['3栋西头院墙开裂']}"),
        ("request-guided", "13900000009", f"/councils/requests/{ids['厨房水管漏水，想找人修']}"),
        ("my-requests", "13900000006", "/councils/requests/mine"),
        ("triage", "13900000001", "/councils/triage"),
        ("handle", "13900000001", f"/councils/requests/{ids['院门口共享单车乱停']}/handle"),
        ("meeting-held", "13900000009", f"/councils/meetings/{ids['停车棚翻修方案商议']}"),
        ("meeting-next", "13900000003", f"/councils/meetings/{ids['楼道清理和电瓶车管理']}"),
        ("decision", None, f"/councils/decisions/{ids['停车棚翻修和充电桩安装']}"),
        ("messages", "13900000006", "/messages"),
        ("organizations", None, "/organizations/"),
        ("organization-incubating", None, f"/organizations/{ids['草堂蜀绣传习社']}"),
        ("project", "13900000006", f"/projects/{ids['项目_133号院停车棚翻修和充电桩安装']}"),
        ("call", "13900000001", f"/projects/calls/{ids['比选_133号院停车棚翻修和充电桩安装']}"),
        ("fund", None, f"/funds/{ids['草堂路社区微基金']}"),
        ("fund-worker", "13900000001", f"/funds/{ids['草堂路社区微基金']}"),
        ("three-lists", "13900000001", f"/funds/community/{community}/lists"),
    ]
    extra = os.environ.get("SHOTS_EXTRA")  # "name|who|path;…" for pages of other domains
    for item in filter(None, (extra or "").split(";")):
        name, who, path = item.split("|")
        pages.append((name, who or None, path))
    return pages


def sign_in(page, mobile):
    page.goto("/accounts/login")
    page.locator("#mobile").fill(mobile)
    page.locator("#password").fill("linli2026")
    page.locator("main form button").click()


def shoot(base_url, jobs, out, ids=None):
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        for name, who, path, width, javascript, locale, courtyard_id, options in jobs:
            # The smallest phones are shown as their first two screens, not the whole page.
            height = 640 if width <= 240 else 800
            context = browser.new_context(base_url=base_url, java_script_enabled=javascript,
                                          viewport={"width": width, "height": height},
                                          locale="zh-CN" if locale == "zh" else "en-GB")
            if courtyard_id:
                context.add_cookies([{"name": "courtyard", "value": str(courtyard_id),
                                      "url": base_url}])
            if options.get("size"):
                context.add_cookies([{"name": "size", "value": options["size"], "url": base_url}])
            page = context.new_page()
            if who:
                sign_in(page, who)
                if options.get("size"):  # the account's own setting wins over the cookie
                    page.locator(".menu-link").click()
                    page.locator(f"#menu button[value={options['size']}]").click()
            if options.get("print"):
                page.emulate_media(media="print")
            page.goto(path.format_map(ids or {}))
            for selector, value in options.get("fill", {}).items():
                page.locator(selector).fill(value)
            clicks = options.get("click", [])
            for selector in [clicks] if isinstance(clicks, str) else clicks:
                page.locator(selector).click()
            page.screenshot(path=str(out / f"{name}.png"), full_page=width > 240)
            context.close()
        browser.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--review", metavar="DIR", help="write the review matrix into DIR")
    parser.add_argument("--only", type=lambda text: set(text.split(",")),
                        help="review these pages only (names from review_pages, comma-separated)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        app, ids = build_demo_app(instance)
        server = serve(app)
        base_url = f"http://127.0.0.1:{server.server_port}"
        if args.review:
            jobs = [(f"{name}-{lang}-{width}-{'js' if js else 'nojs'}", who, path, width, js,
                     lang, ids["草堂东路133号院"], {})
                    for name, who, path in review_pages(ids)
                    if not args.only or name in args.only
                    for lang in ("zh", "en") for width in (360, 240) for js in (False, True)
                    if not (width == 240 and js) and not (lang == "en" and width == 240)]
            shoot(base_url, jobs, Path(args.review), ids)
        else:
            jobs = [(name, who, path, options.get("width", 360), False, "zh",
                     ids.get(options.get("courtyard")), options)
                    for name, who, path, options in TOUR]
            shoot(base_url, jobs, ROOT / "docs" / "screenshots", ids)
        server.shutdown()


if __name__ == "__main__":
    main()
