"""`make bench-server`: the main pages under a real server and a real load generator.

For 1 % and 100 % of the city (tools/citygen*.py), builds the database, serves it with
gunicorn (2 workers) on loopback, and loads each main page with wrk (Debian's `wrk`), 16
connections, anonymous or signed in, asking for compressed responses as a phone does. A bare
Flask "hello" under the same gunicorn gives the floor. Per page: requests a second, p50 / p95 /
p99 latency, bytes on the wire per response, the ratio to the floor, and growth (p50 at 100 %
÷ p50 at 1 %). The table is written to bench/results/<date>-<database>-<cores>cores.md.

The portal runs as production does: its cache (``PORTAL_CACHE_URL``) in a Redis started for the
run (Debian's `redis-server`; a directory when it is missing), so public pages asked by
visitors who are not signed in are kept (portal/pagecache.py); the table says which pages
were served kept.

Budgets (the exit status is 1 when one is broken): p95 ≤ 50 ms at city scale; growth ≤ 1.3×;
database pages ≥ 0.15 of the floor's requests a second, the home page ≥ 0.3.

    python -m tools.bench_server                       # SQLite
    PORTAL_BENCH_DATABASE_URL=postgresql+psycopg://… python -m tools.bench_server
    python -m tools.bench_server --seconds 5 --only 0.01 --domains councils
"""

import argparse
import datetime
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

from tools.bench import BUDGET_GROWTH, BUDGET_P95_MS, DOMAINS, fresh_app, populate

ROOT = Path(__file__).resolve().parent.parent
CONNECTIONS = 16
WORKERS = 2
FLOOR_SHARE = 0.15
HOME_FLOOR_SHARE = 0.3
# wrk's summary, written by its Lua `done` hook as one line we can read back.
REPORT_LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format("LINLI %d %d %d %.3f %.3f %.3f %d %d\\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
"""
FLOOR_APP = '''
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
'''


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving ``app_path`` on a free loopback port until stopped."""

    def __init__(self, app_path, env, cwd=ROOT):
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--bind",
             f"127.0.0.1:{self.port}", "--log-level", "warning", app_path],
            cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(self.process.stderr.read().decode()) from None
                time.sleep(0.2)

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def rss_kb(self):
        """Resident memory of the master and its workers, in KB (from /proc)."""
        pids = [self.process.pid] + [
            int(p) for p in subprocess.run(["pgrep", "-P", str(self.process.pid)],
                                           capture_output=True, text=True).stdout.split()]
        total = 0
        for pid in pids:
            status = Path(f"/proc/{pid}/status")
            if status.exists():
                found = re.search(r"VmRSS:\s+(\d+)", status.read_text())
                total += int(found.group(1)) if found else 0
        return total

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)
        self.process.stderr.close()


def load(url, seconds, cookies, script):
    """Run wrk against ``url``; return a dict of what it measured."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "-s", script,
               "-H", "Accept-Encoding: gzip, br"]
    if cookies:
        command += ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
    url = urllib.parse.quote(url, safe=":/?=&%")  # wrk takes ASCII URLs only
    output = subprocess.run(command + [url], capture_output=True, text=True,
                            check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("LINLI "))
    requests, duration, size, p50, p95, p99, bad_status, broken = line.split()[1:]
    requests = int(requests)
    return {"rps": requests / (int(duration) / 1e6), "p50": float(p50), "p95": float(p95),
            "p99": float(p99), "bytes": int(size) / max(1, requests),
            "errors": int(bad_status) + int(broken)}


def cookies_for(app, pages):
    """The session cookie of each signed-in user of ``pages``, signed with the app's key."""
    from portal.accounts.models import User
    from portal.extensions import db

    serializer = app.session_interface.get_signing_serializer(app)
    with app.app_context():
        return {who: serializer.dumps({"_user_id": db.session.get(User, who).get_id(),
                                       "_fresh": True})
                for _label, who, _path, _courtyard in pages if who}


class Redis:
    """A throw-away redis-server on a free loopback port, or None for its URL if missing."""

    def __init__(self, folder):
        self.process = None
        self.url = f"file://{folder}/cache"
        if shutil.which("redis-server"):
            port = _free_port()
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", folder],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.url = f"redis://127.0.0.1:{port}/0"
            for _ in range(50):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.1)

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=30)


def kept(url, cookies):
    """Whether the portal answered ``url`` with a kept page (after the warm-up)."""
    import urllib.request

    request = urllib.request.Request(urllib.parse.quote(url, safe=":/?=&%"), headers={
        "Accept-Encoding": "gzip, br",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    with urllib.request.urlopen(request) as response:
        return response.headers.get("X-Linli-Page") == "kept"


def measure(url, instance, scale, domains, seconds, script):
    app = fresh_app(url, instance)
    pages = populate(app, scale, domains)
    sessions = cookies_for(app, pages)
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()
    redis = Redis(instance)
    env = dict(os.environ, PORTAL_DATABASE_URL=url, PORTAL_SECRET_KEY="bench",
               PORTAL_INSTANCE_PATH=instance, PORTAL_RATELIMIT_STORAGE_URI="memory://",
               PORTAL_CACHE_URL=redis.url)
    server = Server("wsgi:app", env)
    results = {}
    try:
        rss_start = server.rss_kb()
        # A fresh worker answers its first requests in seconds (imports, templates,
        # catalogues): give both workers that time before the first page is timed.
        load(server.base + "/", 5, {}, script)
        for label, who, path, courtyard in pages:
            cookies = {}
            if who:
                cookies["session"] = sessions[who]
            if courtyard:
                cookies["courtyard"] = str(courtyard)
            load(server.base + path, 2, cookies, script)  # warm the workers' caches
            results[label] = load(server.base + path, seconds, cookies, script)
            results[label]["kept"] = kept(server.base + path, cookies)
            print(f"  {label}: {results[label]['rps']:.0f} req/s, "
                  f"p95 {results[label]['p95']:.1f} ms", flush=True)
        rss_end = server.rss_kb()
    finally:
        server.stop()
        redis.stop()
    return results, (rss_start, rss_end)


def floor(seconds, script):
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "floor.py").write_text(FLOOR_APP)
        server = Server("floor:app", dict(os.environ), cwd=folder)
        try:
            load(server.base + "/", 1, {}, script)
            return load(server.base + "/", seconds, {}, script)
        finally:
            server.stop()


def table(measured, scales, floor_rps):
    """The Markdown table, and the budgets broken."""
    last = scales[-1]
    lines = [
        "| page | kept | req/s | p50 ms | p95 ms | p99 ms | bytes | of floor | growth p50 |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    broken = []
    for label, result in measured[last].items():
        share = result["rps"] / floor_rps
        growth = ""
        if len(scales) == 2 and label in measured[scales[0]]:
            ratio = result["p50"] / max(0.001, measured[scales[0]][label]["p50"])
            growth = f"{ratio:.2f}×"
            if ratio > BUDGET_GROWTH:
                broken.append(f"{label}: grew {ratio:.2f}×")
        if result["p95"] > BUDGET_P95_MS:
            broken.append(f"{label}: p95 {result['p95']:.1f} ms")
        needed = HOME_FLOOR_SHARE if label.startswith("home") else FLOOR_SHARE
        if share < needed:
            broken.append(f"{label}: {share:.2f} of the floor (budget {needed})")
        if result["errors"]:
            broken.append(f"{label}: {result['errors']} errors")
        lines.append(f"| {label} | {'yes' if result['kept'] else ''} | {result['rps']:.0f} | "
                     f"{result['p50']:.1f} | "
                     f"{result['p95']:.1f} | {result['p99']:.1f} | {result['bytes']:.0f} | "
                     f"{share:.2f} | {growth} |")
    return lines, broken


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", type=float, help="one scale only (e.g. 1.0)")
    parser.add_argument("--seconds", type=int, default=10, help="load per page")
    parser.add_argument("--domains", type=lambda text: text.split(","), default=DOMAINS)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    scales = [args.only] if args.only else [0.01, 1.0]
    url_base = os.environ.get("PORTAL_BENCH_DATABASE_URL")
    measured, memory = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        script = str(Path(tmp, "report.lua"))
        Path(script).write_text(REPORT_LUA)
        hello = floor(args.seconds, script)
        print(f"floor (bare Flask under the same gunicorn): {hello['rps']:.0f} req/s")
        for scale in scales:
            url = url_base or f"sqlite:///{tmp}/bench-{scale}.db"
            print(f"scale {scale}: {url.split('@')[-1]}", flush=True)
            measured[scale], memory[scale] = measure(url, tmp, scale, args.domains,
                                                     args.seconds, script)
    database = "postgresql" if url_base and url_base.startswith("postgresql") else "sqlite"
    lines, broken = table(measured, scales, hello["rps"])
    cores = os.cpu_count()
    header = [
        f"# Linli under gunicorn ({WORKERS} workers), {database}, {cores} cores — "
        f"{datetime.date.today().isoformat()}",
        "",
        f"wrk, {CONNECTIONS} connections, {args.seconds} s a page, `Accept-Encoding: gzip, br`;"
        f" scale {scales[-1]} of the city"
        + (f", growth against {scales[0]}" if len(scales) == 2 else "") + ". "
        f"Floor (bare Flask \"hello\" under the same server): {hello['rps']:.0f} req/s. "
        f"Workers' memory at {scales[-1]}: {memory[scales[-1]][0] // 1024} MB before, "
        f"{memory[scales[-1]][1] // 1024} MB after. "
        "\"kept\": served as a kept page (portal/pagecache.py; anonymous visitors, cache in "
        "Redis).",
        "",
    ]
    footer = ["", "Over budget: " + ("; ".join(broken) if broken else "nothing")]
    text = "\n".join(header + lines + footer) + "\n"
    print()
    print(text)
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    target = results / f"{datetime.date.today().isoformat()}-{database}-{cores}cores.md"
    target.write_text(text)
    print(f"written to {target.relative_to(ROOT)}")
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
