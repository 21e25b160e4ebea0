"""`make soak MINUTES=N`: mixed traffic against gunicorn for N minutes, optionally with the
database stopped and started in the middle.

Builds the demo world in a fresh database (PostgreSQL from PORTAL_SOAK_DATABASE_URL, else an
SQLite file in a temporary folder), serves it with gunicorn (2 workers) on loopback as
production does — its cache in a Redis started for the run (Debian's `redis-server`; a
directory when it is missing), so public pages are kept and every write makes them old — and,
at the same time:

- wrk (16 connections) cycles through the pages of every domain — home, places, service map,
  time bank, courtyards, councils, organizations, projects, funds — half of them signed in
  as a resident;
- a writer keeps writing in four domains in turn, each through the real form and signed in
  as the demo person who may do it (WRITES): a resident raises a council request (诉求) and
  asks the time bank for help, the courtyard leader posts a notice with publicity (公示), the
  community worker records a donation to the community fund. Each time it fetches the form
  for its CSRF token (and the fund's one-time token), sends it, and follows the redirect.
  Every write answered 303 is one the portal said it kept.

With ``--outage`` (PostgreSQL only) the server is stopped (``pg_ctl stop -m fast``) a third of
the way in, for ``--outage-seconds``, and started again; the app is not restarted. Give the
cluster's data directory and binaries with --pg-data / --pg-bin (or PORTAL_SOAK_PG_DATA,
PORTAL_SOAK_PG_BIN).

Report: requests, answers by status class, the 5xx, the slowest answer during the outage,
the workers' memory at the start and the end, per kind of write the writes answered as done
against the rows found afterwards, and both ledgers' checks (funds and time bank). The exit
status is 1 when any answer was ≥ 500 other than a 503 during the outage (or a 503 without
the "busy or under maintenance" page), an answer during the outage took longer than
OUTAGE_LATENCY_BUDGET seconds, no write succeeded after it, a kind of write never succeeded,
a write answered as done is missing, a ledger check found a problem, or memory grew more
than 20 %.

    python -m tools.soak --minutes 2
    PORTAL_SOAK_DATABASE_URL='postgresql+psycopg://postgres@/linli_soak?host=/tmp&port=54351' \\
      python -m tools.soak --minutes 3 --outage --pg-data /tmp/soakpg \\
      --pg-bin /usr/lib/postgresql/15/bin
"""

import argparse
import http.client
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import func, select

from tools.bench import fresh_app
from tools.bench_server import REPORT_LUA, Redis, Server, cookies_for, load

READER = "13900000006"  # 张桂芳, a resident of 草堂东路133号院: signed-in reads
RESIDENT = "13900000005"  # 李志鹏, of the same courtyard: council requests, help asked for
LEADER = "13900000002"  # 胡国强, leader of 草堂东路133号院: its notices
WORKER = "13900000001"  # 李晓梅, community worker of 草堂路社区: keeps its fund
COURTYARD = "草堂东路133号院"
FUND = "草堂路社区微基金"
RSS_GROWTH_BUDGET = 0.20
OUTAGE_LATENCY_BUDGET = 5.0  # seconds: "a clear page, not a hang"
WRITER_PAUSE = 0.05
UNAVAILABLE_TITLE = "服务繁忙或正在维护"  # the 503 page's heading, in Chinese (zh-CN browser)
# Hidden fields a form carries and a browser sends back: the CSRF token, and the one-time
# token of forms that must act once however often they are sent (the fund's donation).
HIDDEN_FIELDS = ("csrf_token", "token")

# Each wrk thread cycles through the paths, signed in for those marked so; every answer's
# status is counted, and the counts of all threads are written to a file at the end (wrk's
# own summary line comes from REPORT_LUA's `done`, which ours calls first).
SOAK_LUA = """
local paths = {%(paths)s}
local signed = {%(signed)s}
local session_cookie = "%(cookie)s"
local threads = {}
local counts_file = "%(counts_file)s"

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
  position = math.random(#paths) - 1
end

request = function()
  position = position %% #paths + 1
  local headers = {}
  if signed[position] then headers["Cookie"] = session_cookie end
  return wrk.format("GET", paths[position], headers)
end

response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

local report_done = done
done = function(summary, latency, requests)
  report_done(summary, latency, requests)
  local out = io.open(counts_file, "w")
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      out:write(string.format("status %%d %%d\\n", status, count))
    end
  end
  local errors = summary.errors
  out:write(string.format("errors %%d %%d %%d %%d\\n", errors.connect, errors.read,
                          errors.write, errors.timeout))
  out:write(string.format("max_ms %%.1f\\n", latency.max / 1000))
  out:close()
end
"""


def demo_paths(app):
    """Pages of every domain in the demo world: (path, signed in as the reader?)."""
    from sqlalchemy import select

    from portal.councils.models import Council, Request
    from portal.courtyards.models import Notice
    from portal.extensions import db
    from portal.funds.models import Fund
    from portal.organizations.models import Organization
    from portal.places.models import Place
    from portal.projects.models import Call, Project
    from portal.servicemap.models import ServicePoint
    from portal.timebank.models import Activity

    def first(model, *where):
        return db.session.scalar(select(model.id).where(*where).order_by(model.id).limit(1))

    with app.app_context():
        courtyard = first(Place, Place.name == "草堂东路133号院")
        community = first(Place, Place.name == "草堂路社区")
        found = {
            "point": first(ServicePoint), "activity": first(Activity),
            "notice": first(Notice), "council": first(Council),
            "request": first(Request, Request.public.is_(True)),
            "organization": first(Organization), "project": first(Project),
            "call": first(Call), "fund": first(Fund),
        }
    paths = [
        ("/", False), ("/", True), ("/places/", False), (f"/places/{community}", False),
        ("/services/", False), ("/timebank/", False), ("/timebank/me", True),
        ("/timebank/help", True), (f"/courtyards/{courtyard}", True),
        ("/councils/", False), ("/councils/requests/mine", True),
        ("/organizations/", False), ("/projects/", False),
        (f"/funds/community/{community}/lists", False),
    ]
    templates = {
        "point": "/services/{}", "activity": "/timebank/activities/{}",
        "notice": "/courtyards/notices/{}", "council": "/councils/{}",
        "request": "/councils/requests/{}", "organization": "/organizations/{}",
        "project": "/projects/{}", "call": "/projects/calls/{}", "fund": "/funds/{}",
    }
    paths += [(templates[name].format(ident), name in ("notice",))
              for name, ident in found.items() if ident is not None]
    return paths


# --- what the writer writes: one entry of WRITES per kind ---

class WriteKind(NamedTuple):
    name: str
    mobile: str  # the demo person who may make this write
    path: str  # its form (GET for the tokens, POST to write), with the demo world's ids
    fields: Callable[[int], dict]  # the form's fields for the n-th write
    rows: Callable[[int, dict], object]  # (writer's id, world) → a count of its rows (select)


def council_request(number):
    return {"category": "amenities", "public": "yes",
            "body": f"压力测试第{number}条：三单元楼道的灯又坏了"}


def council_requests(user_id, world):
    from portal.councils.models import Request

    return select(func.count()).select_from(Request).filter_by(requester_id=user_id)


def help_asked(number):
    return {"title": f"压力测试第{number}条：帮忙把一袋米扛上五楼", "details": "米在单元门口。",
            "hours": "1", "when_text": "周六上午"}


def help_requests(user_id, world):
    from portal.timebank.models import HelpRequest

    return select(func.count()).select_from(HelpRequest).filter_by(requester_id=user_id)


def notice_with_publicity(number):
    from portal.timeutil import local_today

    today = local_today()  # the portal's zone (Asia/Shanghai), as the form checks
    return {"title": f"压力测试第{number}条：院坝改造方案公示",
            "body": "方案见门卫室，欢迎提意见。", "publicity": "y", "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=7)).isoformat()}


def notices_published(user_id, world):
    """His notices that have their publication: a 公示 answered 303 is both rows."""
    from portal.courtyards.models import Notice
    from portal.publicity.models import Publication

    return (select(func.count()).select_from(Notice)
            .join(Publication, (Publication.subject_type == "notice")
                  & (Publication.subject_id == Notice.id))
            .where(Notice.posted_by_id == user_id))


def donation(number):
    return {"amount": "12.50", "donor_name": f"压力测试捐赠人{number}"}


def donations(user_id, world):
    from portal.funds.models import FundTransfer

    return (select(func.count()).select_from(FundTransfer)
            .filter_by(fund_id=world["fund"], kind="donation"))


WRITES = [
    WriteKind("council request", RESIDENT, "/councils/requests/new", council_request,
              council_requests),
    WriteKind("time bank help asked", RESIDENT, "/timebank/help/new", help_asked,
              help_requests),
    WriteKind("courtyard 公示", LEADER, "/courtyards/places/{courtyard}/notices/new",
              notice_with_publicity, notices_published),
    WriteKind("fund donation", WORKER, "/funds/{fund}/donations/new", donation, donations),
]


def demo_world(app):
    """The ids the write forms need, and each writer's user id by mobile number."""
    from portal.accounts.models import User
    from portal.extensions import db
    from portal.funds.models import Fund
    from portal.places.models import Place

    with app.app_context():
        world = {"courtyard": db.session.scalar(select(Place.id).filter_by(name=COURTYARD)),
                 "fund": db.session.scalar(select(Fund.id).filter_by(name=FUND))}
        ids = {mobile: db.session.scalar(select(User.id).filter_by(mobile=mobile))
               for mobile in {READER, *(kind.mobile for kind in WRITES)}}
    return world, ids


def count_rows(app, ids, world):
    """Rows of each kind of write, by its name."""
    from portal.extensions import db

    with app.app_context():
        db.engine.dispose()  # connections from before the outage are gone
        return {kind.name: db.session.scalar(kind.rows(ids[kind.mobile], world))
                for kind in WRITES}


def ledger_problems(app):
    """Both ledgers' own checks: every balance equals its entries (empty lists are good)."""
    from portal.funds import money
    from portal.timebank import ledger

    with app.app_context():
        return {"funds": money.verify(), "time bank": ledger.verify()}


def hidden(page, name):
    """The value of the hidden field ``name`` in ``page``, or None."""
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*\bvalue="([^"]*)"', page)
    return found and found.group(1)


def form_errors(page):
    """The messages of a form's error summary: what a 422 found wrong."""
    summary = re.search(r'class="error-summary".*?</ul>', page, re.S)
    return re.findall(r">([^<>]+)</a>", summary.group(0)) if summary else []


class Browser:
    """One person's browser: keeps cookies, does not follow redirects, times each answer."""

    def __init__(self, port, cookies):
        self.port = port
        self.cookies = dict(cookies)

    def ask(self, method, path, form=None):
        """Return (status, body, Location, seconds); status 0 when the connection failed."""
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                   "Accept-Language": "zh-CN"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, rest = header.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
            return (response.status, text, response.headers.get("Location"),
                    time.monotonic() - started)
        except OSError:
            return 0, "", None, time.monotonic() - started
        finally:
            connection.close()


class Writer(threading.Thread):
    """Makes each kind of write in turn through its form, as its own person, until ``stop``
    is set; keeps every answer as (time, kind, what, status, seconds)."""

    def __init__(self, port, forms, sessions, stop):
        super().__init__(daemon=True)
        self.forms = forms  # [(kind, path of its form)]
        # A browser (cookie jar) per kind, signed in as the person who may make it.
        self.browsers = {kind.name: Browser(port, {"session": sessions[kind.mobile]})
                         for kind, _path in forms}
        self.stop = stop
        self.answers = []
        self.done = Counter()  # writes answered 303 by kind: the portal said they were kept
        self.unclear = 0  # 503 answers without the "busy or under maintenance" page
        self.refusals_shown = set()

    def ask(self, kind, what, method, path, form=None):
        status, page, location, seconds = self.browsers[kind.name].ask(method, path, form)
        self.answers.append((time.monotonic(), kind.name, what, status, seconds))
        if status == 503 and UNAVAILABLE_TITLE not in page:
            self.unclear += 1
        return status, page, location

    def run(self):
        number = 0
        while not self.stop.is_set():
            kind, path = self.forms[number % len(self.forms)]
            number += 1
            status, page, _location = self.ask(kind, "form", "GET", path)
            tokens = {name: value for name in HIDDEN_FIELDS
                      if status == 200 and (value := hidden(page, name)) is not None}
            if "csrf_token" not in tokens:
                time.sleep(0.5)  # no form (the database is away?): try again a little later
                continue
            form = {**kind.fields(number), **tokens}
            status, page, location = self.ask(kind, "write", "POST", path, form)
            if status == 303:
                self.done[kind.name] += 1
                # Following the redirect shows (and so clears) the "done" message, which
                # would otherwise pile up in the session cookie.
                self.ask(kind, "read", "GET", urllib.parse.urlsplit(location).path)
            elif status == 422 and kind.name not in self.refusals_shown:
                # A field the soak sends is wrong (or a rule refused it): say which, once.
                self.refusals_shown.add(kind.name)
                print(f"  {kind.name}: the form answered 422: "
                      + "; ".join(form_errors(page) or ["(no error summary)"]), flush=True)
            time.sleep(WRITER_PAUSE)


class Outage(threading.Thread):
    """Stops PostgreSQL after ``after`` seconds and starts it again ``seconds`` later."""

    def __init__(self, pg_bin, pg_data, after, seconds):
        super().__init__(daemon=True)
        self.pg_ctl = str(Path(pg_bin) / "pg_ctl")
        self.pg_data = pg_data
        self.after, self.seconds = after, seconds
        self.stopped_at = self.started_at = None
        self.failure = None

    def command(self, *words):
        command = [self.pg_ctl, "-D", self.pg_data, *words]
        owner = pwd.getpwuid(os.stat(self.pg_data).st_uid).pw_name
        if os.geteuid() == 0 and owner != "root":  # the cluster runs as its owner
            command = ["runuser", "-u", owner, "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    def server_options(self):
        """The options the server was started with (port, socket folder …), to start it the
        same way: pg_ctl keeps them in postmaster.opts."""
        words = shlex.split(Path(self.pg_data, "postmaster.opts").read_text())[1:]
        if "-D" in words:
            at = words.index("-D")
            del words[at:at + 2]
        return shlex.join(words)

    def run(self):
        time.sleep(self.after)
        try:
            options = self.server_options()
            self.command("stop", "-m", "fast", "-w")
            self.stopped_at = time.monotonic()
            print(f"  PostgreSQL stopped; starting it again in {self.seconds} s", flush=True)
            time.sleep(self.seconds)
            self.command("start", "-w", "-o", options, "-l", str(Path(self.pg_data) / "log"))
            self.started_at = time.monotonic()
            print("  PostgreSQL started", flush=True)
        except (subprocess.SubprocessError, OSError) as error:
            self.failure = str(error)


def drain(pipe, path):
    """Copy the server's error log to ``path``: unread, the pipe fills and the workers stop
    at their next log line (the outage logs one for each 503)."""
    with open(path, "wb") as out:
        try:
            for line in iter(pipe.readline, b""):
                out.write(line)
                out.flush()
        except (ValueError, OSError):  # the pipe was closed when the server stopped
            pass


def logged(path):
    """What the server's log says: the outage's lines and any traceback."""
    text = Path(path).read_text(errors="replace") if Path(path).exists() else ""
    lines = text.splitlines()
    # Each traceback's log line and the exception it ended with, once each.
    kinds = Counter()
    for at, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            said = lines[at - 1][:160] if at else ""
            end = next((later for later in lines[at + 1:] if not later.startswith(" ")), "")
            kinds[f"{said} → {end[:160]}"] += 1
    return {"unavailable": text.count("Database unavailable"),
            "tracebacks": sum(kinds.values()), "kinds": kinds}


def read_counts(path):
    statuses, errors, max_ms = Counter(), [0, 0, 0, 0], 0.0
    if not Path(path).exists():
        raise RuntimeError("wrk wrote no counts: it failed or was stopped")
    for line in Path(path).read_text().splitlines():
        words = line.split()
        if words[0] == "status":
            statuses[int(words[1])] += int(words[2])
        elif words[0] == "errors":
            errors = [int(w) for w in words[1:]]
        elif words[0] == "max_ms":
            max_ms = float(words[1])
    return statuses, errors, max_ms


def by_class(statuses):
    classes = Counter()
    for status, count in statuses.items():
        classes[f"{status // 100}xx" if status else "no answer"] += count
    return classes


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--outage", action="store_true",
                        help="stop PostgreSQL for a while a third of the way in")
    parser.add_argument("--outage-seconds", type=int, default=20)
    parser.add_argument("--pg-data", default=os.environ.get("PORTAL_SOAK_PG_DATA"))
    parser.add_argument("--pg-bin", default=os.environ.get("PORTAL_SOAK_PG_BIN", ""))
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    url_base = os.environ.get("PORTAL_SOAK_DATABASE_URL")
    if args.outage and not (url_base and url_base.startswith("postgresql") and args.pg_data):
        sys.exit("--outage needs PostgreSQL: PORTAL_SOAK_DATABASE_URL and --pg-data "
                 "(PORTAL_SOAK_PG_DATA), with --pg-bin where pg_ctl is")
    seconds = max(10, int(args.minutes * 60))
    with tempfile.TemporaryDirectory() as tmp:
        url = url_base or f"sqlite:///{tmp}/soak.db"
        database = "postgresql" if url.startswith("postgresql") else "sqlite"
        print(f"building the demo world on {database} …", flush=True)
        app = fresh_app(url, tmp)
        with app.app_context():
            from portal.demo import seed_demo

            seed_demo()
        paths = demo_paths(app)
        world, ids = demo_world(app)
        by_id = cookies_for(app, [("", who, "", None) for who in ids.values()])
        sessions = {mobile: by_id[who] for mobile, who in ids.items()}
        forms = [(kind, kind.path.format(**world)) for kind in WRITES]
        rows_before = count_rows(app, ids, world)
        redis = Redis(tmp)
        env = dict(os.environ, PORTAL_DATABASE_URL=url, PORTAL_SECRET_KEY="bench",
                   PORTAL_INSTANCE_PATH=tmp, PORTAL_RATELIMIT_STORAGE_URI="memory://",
                   PORTAL_CACHE_URL=redis.url)
        server = Server("wsgi:app", env)
        server_log = Path(tmp, "gunicorn.log")
        threading.Thread(target=drain, args=(server.process.stderr, server_log),
                         daemon=True).start()
        try:
            report = soak(server, paths, sessions, forms, seconds, args, tmp)
        finally:
            server.stop()
            redis.stop()
        report["log"] = logged(server_log)
        rows_after = count_rows(app, ids, world)
        report["rows"] = {name: rows_after[name] - rows_before[name] for name in rows_after}
        report["ledgers"] = ledger_problems(app)
    return conclude(report, database, args)


def soak(server, paths, sessions, forms, seconds, args, tmp):
    reader = {"session": sessions[READER]}
    preflight, broken = Counter(), []
    for _round in range(3):  # every page once per worker and then some: warm caches
        for path, signed in paths:
            status = Browser(server.port, reader if signed else {}).ask("GET", path)[0]
            preflight[status] += 1
            if status != 200:
                broken.append(f"{path} ({'signed in' if signed else 'visitor'}): {status}")
    if broken:
        print("  pages not answering 200 before the soak:\n    "
              + "\n    ".join(sorted(set(broken))), flush=True)
    rss_start = server.rss_kb()
    counts_file = str(Path(tmp, "counts.txt"))
    script = str(Path(tmp, "soak.lua"))
    Path(script).write_text(REPORT_LUA + SOAK_LUA % {
        "paths": ", ".join(f'"{urllib.parse.quote(p, safe="/?=&")}"' for p, _s in paths),
        "signed": ", ".join("true" if s else "false" for _p, s in paths),
        "cookie": f"session={reader['session']}", "counts_file": counts_file})
    print(f"soaking for {seconds} s: {len(paths)} pages under wrk, one writer of "
          + ", ".join(kind.name for kind, _path in forms)
          + (f", PostgreSQL stopped for {args.outage_seconds} s" if args.outage else ""),
          flush=True)
    stop = threading.Event()
    writer = Writer(server.port, forms, sessions, stop)
    outage = (Outage(args.pg_bin, args.pg_data, seconds / 3, args.outage_seconds)
              if args.outage else None)
    memory = [(0, rss_start)]
    started = time.monotonic()
    loaded = {}
    wrk = threading.Thread(target=lambda: loaded.update(
        load(server.base + "/", seconds, {}, script)), daemon=True)
    wrk.start()
    writer.start()
    if outage:
        outage.start()
    while wrk.is_alive():
        wrk.join(timeout=30)
        memory.append((round(time.monotonic() - started), server.rss_kb()))
    stop.set()
    writer.join(timeout=60)
    if outage:
        outage.join(timeout=120)
    statuses, socket_errors, max_ms = read_counts(counts_file)
    return {"loaded": loaded, "statuses": statuses, "socket_errors": socket_errors,
            "max_ms": max_ms, "writer": writer, "outage": outage, "memory": memory,
            "preflight": preflight, "rss": (rss_start, server.rss_kb())}


def conclude(report, database, args):
    writer, outage = report["writer"], report["outage"]
    statuses = report["statuses"] + Counter(status for *_w, status, _s in writer.answers)
    failures = []
    if outage is not None and outage.failure:
        failures.append(f"the outage could not be staged: {outage.failure}")
    window = None
    if outage is not None and outage.stopped_at:
        # From a little before the stop (requests under way when it came) to a little after
        # the start (the first connections are being made again).
        window = (outage.stopped_at - 2, (outage.started_at or time.monotonic()) + 3)

    def in_outage(moment):
        return window is not None and window[0] <= moment <= window[1]

    during = [(what, status, secs) for moment, _kind, what, status, secs in writer.answers
              if in_outage(moment)]
    after = [status for moment, _kind, what, status, _s in writer.answers
             if window is not None and moment > window[1] and what == "write"]
    bad = {status: count for status, count in statuses.items()
           if status >= 500 and not (status == 503 and window is not None)}
    writer_5xx_outside = [status for moment, *_w, status, _s in writer.answers
                          if status >= 500 and not in_outage(moment)]
    if bad:
        failures.append(f"answers ≥ 500: {bad}")
    if writer_5xx_outside:
        failures.append(f"{len(writer_5xx_outside)} writer answers ≥ 500 outside the outage")
    if report["preflight"].get(500):
        failures.append("pages answered 500 before the soak")
    if writer.unclear:
        failures.append(f"{writer.unclear} 503 answers without the Chinese 503 page")
    # Per kind of write: answered 303 against rows found (more rows is no loss: a write
    # committed as the database went away may have been answered with an error).
    lost = {name: writer.done[name] - found for name, found in report["rows"].items()}
    for name, missing in lost.items():
        if not writer.done[name]:
            failures.append(f"no {name} write succeeded")
        if missing > 0:
            failures.append(f"{missing} {name} writes answered as done are missing")
    for ledger, problems in report["ledgers"].items():
        if problems:
            failures.append(f"the {ledger} ledger check found {len(problems)} problems")
    rss_start, rss_end = report["rss"]
    growth = (rss_end - rss_start) / max(1, rss_start)
    if growth > RSS_GROWTH_BUDGET:
        failures.append(f"memory grew {growth:.0%}")
    slowest_during = max((secs for _w, _s, secs in during), default=0.0)
    if window is not None:
        if slowest_during > OUTAGE_LATENCY_BUDGET:
            failures.append(f"an answer during the outage took {slowest_during:.1f} s")
        if not any(status == 303 for status in after):
            failures.append("no write succeeded after the database came back")
    # wrk's timeouts (> 2 s) are reported, not failed on: on a busy machine a queue of 16
    # connections can wait that long with nothing wrong. A hang in the outage is caught above.

    loaded = report["loaded"]
    classes = by_class(statuses)
    lines = [
        f"Soak on {database}, {args.minutes:g} min, gunicorn 2 workers, {os.cpu_count()} cores"
        + (f", PostgreSQL stopped for {args.outage_seconds} s" if window else ""),
        f"  requests: {sum(statuses.values())} (wrk {loaded.get('rps', 0):.0f} req/s, "
        f"p50 {loaded.get('p50', 0):.1f} ms, p99 {loaded.get('p99', 0):.1f} ms, "
        f"max {report['max_ms']:.0f} ms; writer {len(writer.answers)})",
        "  by status class: " + ", ".join(f"{k} {v}" for k, v in sorted(classes.items())),
        f"  5xx: {sum(v for k, v in statuses.items() if k >= 500)} "
        f"({', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()) if k >= 500) or 'none'})",
        "  wrk socket errors (connect/read/write/timeout): "
        + "/".join(str(n) for n in report["socket_errors"]),
        f"  memory (RSS of master + workers): {rss_start // 1024} MB at the start, "
        f"{rss_end // 1024} MB at the end ({growth:+.0%}); samples: "
        + ", ".join(f"{t}s {kb // 1024}MB" for t, kb in report["memory"]),
        "  writes (answered 303 / rows found / answers to the writes):",
        *(f"    {name}: {writer.done[name]} / {found} / "
          + ", ".join(f"{status}: {count}" for status, count in sorted(Counter(
              status for _m, kind, what, status, _s in writer.answers
              if kind == name and what == "write").items()))
          for name, found in report["rows"].items()),
        f"  writes lost: {sum(max(0, missing) for missing in lost.values())}",
        "  ledger checks: " + ", ".join(
            f"{ledger} {'ok' if not problems else f'{len(problems)} problems'}"
            for ledger, problems in report["ledgers"].items()),
        *(f"    {ledger}: {problem}" for ledger, problems in report["ledgers"].items()
          for problem in problems[:5]),
        f"  server log: {report['log']['unavailable']} \"database unavailable\" lines, "
        f"{report['log']['tracebacks']} tracebacks",
        *(f"    {count} × {kind}" for kind, count in report["log"]["kinds"].items()),
    ]
    if window is not None:
        during_statuses = Counter(status for _w, status, _s in during)
        lines += [
            f"  during the outage (writer): {dict(sorted(during_statuses.items()))}, "
            f"slowest {slowest_during * 1000:.0f} ms",
            f"  writes after it: {Counter(after)}",
        ]
    lines.append("  verdict: " + ("; ".join(failures) if failures else "all good"))
    print("\n".join(lines), flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
