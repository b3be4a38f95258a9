"""Benchmark of the key pages on PostgreSQL at 1,000 and 50,000 proposals, against a bare route, with wrk.

Usage: .venv/bin/python bench/pages.py [--sizes 1000,50000] [--duration 5] [--connections 10] [--keep]
       (BENCH_DATABASE_URL names the PostgreSQL server, default postgresql+psycopg://postgres@127.0.0.1:5432/postgres)

For each size: a fresh database (passerelle_bench_<size>, random_page_cost = 1.1 as for data on SSD or in memory)
is migrated and seeded with `flask demo scale`'s generator (the seeding time is printed), its statistics refreshed
(VACUUM ANALYZE), then gunicorn serves it with deploy/gunicorn.conf.py and two workers on a free 127.0.0.1 port, with
Redis as deployed (BENCH_REDIS_URL, default redis://127.0.0.1:6379/0; the result cache under a key prefix of the
run's own, removed afterwards). PASSERELLE_ENV=development so the session cookie travels over plain HTTP, debug off
as in production; worker recycling off, or a worker booting every second under load would be the p95. The benchmark
signs in through the sign-in form as the people the generator prints (`TWO_FACTOR_REQUIRED_ROLES` is emptied for
the run: the second factor is not what is measured; every signed-in request still checks its session row), and
loads each page with `wrk -t2 -c10 -d5s`, the bare route (/healthz) in the same run.

Printed per page and size: requests per second, the ratio to the bare route, p50 and p95 latency (exact, from
wrk's latency histogram through a Lua done() hook: wrk's --latency table stops at 50/75/90/99), bytes of HTML and
of the page's CSS and JavaScript. Public pages are measured twice: a first visit (200) and a browser revalidating
its copy (If-None-Match, 304). Under wrk the same pages are asked again and again while nothing is written, so
after the first request each comes from the result cache (app/datacache.py): the figures are those of a portal
read much more than written. What a page costs when the data under it has just changed is printed beside them:
SQL statements and milliseconds of one render without the cache, by an in-process app on the same database
(statements counted by an after_cursor_execute listener). Then the issue's targets are checked; p95 growth is
judged on wrk's p95, the render time's growth is printed with it. The machine's load average is printed: other
work on a two-core machine shows in every figure.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

BIN = Path(sys.executable).parent
SECRET = "bench-pages-secret"  # noqa: S105 - a throwaway key for a throwaway server
SEED = 2016
LIMIT_BYTES = 100 * 1024  # HTML, CSS and JavaScript of one page together
SIGNED_IN_SHARE, PUBLIC_SHARE, P95_GROWTH = 0.15, 0.50, 1.5
RANDOM_PAGE_COST = 1.1
LUA = """
done = function(summary, latency, requests)
  io.write(string.format("BENCH p50_us=%d p95_us=%d\\n", latency:percentile(50), latency:percentile(95)))
end
"""


@dataclass
class Page:
    name: str
    path: str
    who: str | None  # the sign-in role, None for an anonymous visitor, "bare" for the stack's limit
    revalidate: bool = False


@dataclass
class Result:
    page: Page
    status: int
    rps: float
    p50_ms: float
    p95_ms: float
    errors: int
    queries: int | None
    render_ms: float | None
    html: int
    assets: int
    ratio: float = 0.0


@dataclass
class Run:
    size: int
    seed_seconds: float
    rows: int
    results: list[Result] = field(default_factory=list)
    load: tuple[float, float] = (0.0, 0.0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _admin_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def fresh_database(size: int) -> str:
    url = make_url(_admin_url())
    name = f"passerelle_bench_{size}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
        # Data on SSD or in memory, as on any current host: random reads cost little more than sequential ones.
        # With the default (4) the planner scans a whole table rather than look up a call's rows by index.
        connection.execute(text(f'ALTER DATABASE "{name}" SET random_page_cost = {RANDOM_PAGE_COST}'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(database: str) -> None:
    admin = create_engine(make_url(_admin_url()), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(database).database}" WITH (FORCE)'))
    admin.dispose()


def _app(database: str):
    from app import create_app
    from config import DevelopmentConfig

    return create_app(DevelopmentConfig, DATABASE_URL=database, SECRET_KEY=SECRET, DEBUG=False,
                      TWO_FACTOR_REQUIRED_ROLES=())


def seed(database: str, size: int):
    """Migrate and load the scale data; returns (what was loaded, seconds the load took)."""
    from app import db, scaledata
    from tests.databases import migrate

    migrate(database)
    app = _app(database)
    with app.app_context():
        started = time.perf_counter()
        loaded = scaledata.load(size, seed=SEED)
        db.commit()
        seconds = time.perf_counter() - started
        scaledata.analyze()
    from app.db import get_database

    get_database(app).engine.dispose()
    return loaded, seconds


def pages_for(loaded) -> list[Page]:
    return [
        Page("bare route (/healthz)", "/healthz", "bare"),
        Page("calls list", "/calls/", None),
        Page("calls list, revalidated", "/calls/", None, revalidate=True),
        Page("showcase", "/showcase/", None),
        Page("showcase, revalidated", "/showcase/", None, revalidate=True),
        Page("proposal page", f"/proposals/{loaded.proposal_id}", "coordinator"),
        Page("reviewer's queue", "/reviews/", "reviewer"),
        Page("ranking table", f"/decisions/calls/{loaded.reviewing_call_id}", "funder"),
        Page("coordinator's dashboard", "/dashboard", "coordinator"),
        Page("funder's dashboard", "/dashboard", "funder"),
    ]


def _redis_url() -> str:
    return os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def cache_prefix(size: int) -> str:
    return f"passerelle-bench-{size}-{os.getpid()}:"


def forget_cache(prefix: str) -> None:
    from redis import Redis

    client = Redis.from_url(_redis_url())
    keys = list(client.scan_iter(match=prefix + "*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def start_server(database: str, port: int, log: Path, prefix: str) -> subprocess.Popen:
    # As deployed: PostgreSQL and Redis (jobs, rate limits, the result cache under its own key prefix).
    env = {**os.environ, "PASSERELLE_ENV": "development", "SECRET_KEY": SECRET, "DATABASE_URL": database,
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2", "GUNICORN_LOG_LEVEL": "warning",
           "TWO_FACTOR_REQUIRED_ROLES": "", "FLASK_APP": "app", "REDIS_URL": _redis_url(),
           "CACHE_KEY_PREFIX": prefix}
    # Worker recycling off for the measurement (the command line overrides the file): at the bare route's ~1,700
    # requests a second, max_requests=2000 restarts a worker every second and its boot becomes the p95.
    server = subprocess.Popen([str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "--max-requests", "0",
                               "app:create_app(DEBUG=False)"],
                              cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.2)
    stop_server(server)
    raise RuntimeError(f"gunicorn did not start; see {log}")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()


def sign_in(base: str, email: str, password: str) -> str:
    """The Cookie header of a browser that signed in through the form."""
    browser = requests.Session()
    form = browser.get(f"{base}/signin", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    answer = browser.post(f"{base}/signin", data={"csrf_token": token, "email": email, "password": password},
                          timeout=30, allow_redirects=False)
    if answer.status_code != 302:
        raise RuntimeError(f"signing in as {email} answered {answer.status_code}")
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in browser.cookies)


def assets_bytes(base: str, html: str) -> int:
    """The page's own stylesheets and scripts."""
    links = re.findall(r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"', html)
    links += re.findall(r'<script[^>]+src="([^"]+)"', html)
    return sum(len(requests.get(base + link if link.startswith("/") else link, timeout=30).content)
               for link in links)


def count_statements(database: str, path: str, cookie: str | None) -> tuple[int, float]:
    """The page rendered by an in-process app on the same database without the result cache: its SQL statements
    (counted by an after_cursor_execute listener) and its time in milliseconds, what a visit costs when the data
    under the page has just changed."""
    from app.db import get_database

    app = _app(database)
    engine = get_database(app).engine
    client = app.test_client()
    for pair in (cookie or "").split("; ") if cookie else []:
        name, value = pair.split("=", 1)
        client.set_cookie(name, value)  # the test client's own jar: a raw Cookie header would be replaced
    first = client.get(path)  # connections and compiled statements warm, as in a running worker
    if first.status_code != 200:
        raise RuntimeError(f"{path} answered {first.status_code} in process")
    counts, times = [], []
    for _ in range(3):  # the fewest of three: a session row is touched (UPDATE, COMMIT) once a minute, not per page
        statements = []
        listener = lambda *_args, found=statements: found.append(1)  # noqa: E731
        event.listen(engine, "after_cursor_execute", listener)
        started = time.perf_counter()
        try:
            client.get(path)
        finally:
            times.append((time.perf_counter() - started) * 1000)
            event.remove(engine, "after_cursor_execute", listener)
        counts.append(len(statements))
    engine.dispose()
    return min(counts), sorted(times)[1]


def _duration_ms(text_value: str) -> float:
    return int(text_value) / 1000


def wrk(url: str, headers: dict[str, str], duration: int, connections: int, script: Path) -> dict:
    # A slow answer is latency, not an error: wrk's own timeout (2 s) would drop it from the percentiles.
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "--latency", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    percentiles = re.search(r"BENCH p50_us=(\d+) p95_us=(\d+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return {"rps": rps, "p50": _duration_ms(percentiles.group(1)), "p95": _duration_ms(percentiles.group(2)),
            "errors": (int(errors.group(1)) if errors else 0)
            + (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0)}


def measure(size: int, args, script: Path) -> Run:
    from app import scaledata

    database = fresh_database(size)
    print(f"\n== {size:,} proposals: seeding {make_url(database).database} ...", flush=True)
    loaded, seconds = seed(database, size)
    run = Run(size=size, seed_seconds=seconds, rows=sum(loaded.rows.values()))
    print(f"   seeded {run.rows:,} rows in {seconds:.1f} s", flush=True)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    log = Path(tempfile.gettempdir()) / f"bench-pages-{size}.log"
    prefix = cache_prefix(size)
    server = start_server(database, port, log, prefix)
    try:
        cookies = {sign.role: sign_in(base, sign.email, scaledata.PASSWORD) for sign in loaded.sign_ins
                   if sign.role in ("coordinator", "funder", "reviewer")}
        load_before = os.getloadavg()[0]
        for page in pages_for(loaded):
            cookie = cookies.get(page.who) if page.who not in (None, "bare") else None
            headers = {"Cookie": cookie} if cookie else {}
            # As wrk sends it (no User-Agent), so a redirect to the sign-in page would show here.
            first = requests.get(base + page.path, headers={**headers, "User-Agent": None}, timeout=60,
                                 allow_redirects=False)
            status, html = first.status_code, first.text
            if page.revalidate:
                headers["If-None-Match"] = first.headers.get("ETag", '"none"')
                status = requests.get(base + page.path, headers={**headers, "User-Agent": None}, timeout=60,
                                      allow_redirects=False).status_code
            timed = wrk(base + page.path, headers, args.duration, args.connections, script)
            queries, render_ms = (None, None) if page.who == "bare" else count_statements(database, page.path,
                                                                                           cookie)
            result = Result(page=page, status=status, rps=timed["rps"], p50_ms=timed["p50"], p95_ms=timed["p95"],
                            errors=timed["errors"], queries=queries, render_ms=render_ms, html=len(first.content),
                            assets=0 if page.who == "bare" else assets_bytes(base, html))
            run.results.append(result)
            print(f"   {page.name:<26} {status} {timed['rps']:>8.0f} req/s  p95 {timed['p95']:>7.1f} ms", flush=True)
        run.load = (load_before, os.getloadavg()[0])
    finally:
        stop_server(server)
        forget_cache(prefix)
        if not args.keep:
            drop_database(database)
    bare = run.results[0].rps
    for result in run.results:
        result.ratio = result.rps / bare if bare else 0.0
    return run


def table(run: Run) -> None:
    print(f"\n{run.size:,} proposals ({run.rows:,} rows seeded in {run.seed_seconds:.1f} s); load average "
          f"{run.load[0]:.1f} before the pages, {run.load[1]:.1f} after")
    print(f"{'page':<26}{'status':>7}{'req/s':>9}{'ratio':>8}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}"
          f"{'render ms':>10}{'HTML B':>9}{'CSS+JS B':>10}{'total KB':>10}{'errors':>8}")
    for r in run.results:
        queries = "-" if r.queries is None else str(r.queries)
        render = "-" if r.render_ms is None else f"{r.render_ms:.1f}"
        print(f"{r.page.name:<26}{r.status:>7}{r.rps:>9.0f}{r.ratio:>8.1%}{r.p50_ms:>9.2f}{r.p95_ms:>9.2f}"
              f"{queries:>9}{render:>10}{r.html:>9,}{r.assets:>10,}{(r.html + r.assets) / 1024:>10.1f}{r.errors:>8}")


def verdicts(runs: list[Run]) -> bool:
    """Each target of the issue, per page, with the figures it was judged on."""
    print("\nTargets")
    ok = True

    def check(passed: bool, line: str) -> None:
        nonlocal ok
        ok = ok and passed
        print(f"  {'PASS' if passed else 'FAIL'}  {line}")

    for run in runs:
        for r in run.results[1:]:
            share = PUBLIC_SHARE if r.page.who is None else SIGNED_IN_SHARE
            check(r.ratio >= share, f"{run.size:>6,}  {r.page.name:<26} throughput {r.ratio:.1%} of the bare route "
                                    f"(target {share:.0%})")
            check(r.html + r.assets < LIMIT_BYTES, f"{run.size:>6,}  {r.page.name:<26} "
                                                   f"{(r.html + r.assets) / 1024:.1f} KB of HTML, CSS and JS "
                                                   f"(target under {LIMIT_BYTES // 1024} KB)")
            check(r.errors == 0 and r.status in (200, 304), f"{run.size:>6,}  {r.page.name:<26} answered "
                                                              f"{r.status}, {r.errors} errors under load")
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        for a, b in zip(small.results[1:], large.results[1:], strict=True):
            render = (f"; one render without the cache {a.render_ms:.1f} -> {b.render_ms:.1f} ms, "
                      f"x{b.render_ms / a.render_ms:.2f}" if a.render_ms and b.render_ms else "")
            check(b.p95_ms <= P95_GROWTH * a.p95_ms,
                  f"{b.page.name:<26} p95 {b.p95_ms:.1f} ms at {large.size:,} vs {a.p95_ms:.1f} ms at "
                  f"{small.size:,}: x{b.p95_ms / a.p95_ms:.2f} (target x{P95_GROWTH} at most){render}")
            check(a.queries == b.queries, f"{b.page.name:<26} {a.queries} queries at {small.size:,}, {b.queries} at "
                                          f"{large.size:,} (target: the same)")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,50000", help="proposals per run, comma-separated")
    parser.add_argument("--duration", type=int, default=5, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=10, help="wrk's open connections")
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at start; wrk -t2 -c{args.connections} "
          f"-d{args.duration}s; gunicorn with 2 workers; seed {SEED}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(LUA)
        script = Path(handle.name)
    try:
        runs = [measure(int(size), args, script) for size in args.sizes.split(",")]
    finally:
        script.unlink()
    for run in runs:
        table(run)
    return 0 if verdicts(runs) else 1


if __name__ == "__main__":
    sys.exit(main())
