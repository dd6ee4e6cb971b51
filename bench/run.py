"""``make bench``: the tracker under load as in production, beside a plain-Flask ceiling.

For each database (SQLite, PostgreSQL) and scale (1: the demo; 100: ``flask demo scale
--factor 100 --seed 1`` on top of it) this script

1. prepares the database once and keeps it (``instance/bench/``; PostgreSQL databases
   ``bench_s1``/``bench_s100``): a stamp file records factor, seed, migration head and a
   digest of the code that makes the data; a database whose stamp matches is reused.
   Every run works on a fresh copy of its own (dropped afterwards), so runs do not drift;
2. asks ``bench/fixture.py`` for the ids and tokens the endpoints need;
3. serves the copy with gunicorn (``gunicorn.conf.py``, 2 sync workers, 127.0.0.1,
   ``TRACKER_ENV=production``) once through ``bench/counted.py`` to capture each
   endpoint's response and SQL statement count, then as ``wsgi:app`` for the timed runs;
4. per endpoint runs wrk for ``BENCH_SECONDS`` against the app, then against the ceiling
   (``bench/ceiling.py``: the captured bytes from memory, same gunicorn settings),
   reading the workers' CPU time from ``/proc`` before and after;
5. times the report (HTML and PDF), counts first-visit and repeat-visit bytes and reads
   the workers' peak memory (VmHWM);

runs ``bench/notifications.py`` (digests, delivery against a plain smtplib sender) and
writes ``docs/benchmarks.md``. Settings (environment, or ``make bench VAR=…``):

``BENCH_SCALES`` ("1 100"), ``BENCH_DB`` ("sqlite postgresql"), ``BENCH_SECONDS`` (10),
``BENCH_CONNECTIONS`` (16), ``BENCH_ENDPOINTS`` (comma-separated names; all),
``BENCH_PG_URL`` (postgresql://postgres@127.0.0.1:5432), ``BENCH_SQLITE_S100`` (an existing
scale-100 SQLite file to copy instead of generating one), ``BENCH_MAIL`` (1; 0 skips
the mail figures), ``BENCH_OUTPUT`` (docs/benchmarks.md; "-" writes none), ``BENCH_DIR``
(instance/bench), ``BENCH_INCLUDE`` (comma-separated ``results.json`` files of earlier runs
whose database/scale rows this run does not repeat go into the document too; each run
keeps its own date in ``instance/bench/run-*/``). ``bench/run.py --prepare`` only makes
the databases; ``bench/run.py --document run-…/results.json …`` only writes the document
(``BENCH_NOTES``: remarks for it, separated by ``|``).

Deliberate differences from production: ``TRACKER_MFA_REQUIRED=0``
(the benchmark account logs in with a password only), ``SESSION_COOKIE_SECURE`` stays on
(the script sends the cookie itself over http), the API rate limit is raised so that
wrk measures answers rather than 429s.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ENV = os.environ
SECONDS = float(ENV.get("BENCH_SECONDS") or 10)
CONNECTIONS = int(ENV.get("BENCH_CONNECTIONS") or 16)
THREADS = 2
SCALES = [int(s) for s in (ENV.get("BENCH_SCALES") or "1 100").replace(",", " ").split()]
DATABASES = [("postgresql" if d in {"pg", "postgres"} else d)
             for d in (ENV.get("BENCH_DB") or "sqlite postgresql").replace(",", " ").split()]
ONLY = {n.strip() for n in (ENV.get("BENCH_ENDPOINTS") or "").split(",") if n.strip()}
PG_URL = (ENV.get("BENCH_PG_URL") or "postgresql://postgres@127.0.0.1:5432").rstrip("/")
BENCH_DIR = Path(ENV.get("BENCH_DIR") or ROOT / "instance" / "bench")
OUTPUT = ENV.get("BENCH_OUTPUT") or str(ROOT / "docs" / "benchmarks.md")
SEED = 1
PASSWORD = ENV.get("TRACKER_DEMO_PASSWORD", "oost-nederland-2018")
#: The code whose change makes a cached database stale (with the migration head).
DATA_CODE = ["tracker/demo/scale.py", "tracker/demo/loader.py", "tracker/demo/february_2018.py"]
CLK_TCK = os.sysconf("SC_CLK_TCK")
BROWSER_HEADERS = {"Accept-Encoding": "br, gzip", "Sec-Fetch-Site": "same-origin"}


def log(message: str) -> None:
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", flush=True)


# --- Databases ---------------------------------------------------------------------------------


def keys() -> dict:
    """The server's SECRET_KEY and TRACKER_DATA_KEY, made once per benchmark folder."""
    path = BENCH_DIR / "keys.json"
    if not path.exists():
        from cryptography.fernet import Fernet

        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"SECRET_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode(),
                                    "TRACKER_DATA_KEY": Fernet.generate_key().decode()}))
        path.chmod(0o600)
    return json.loads(path.read_text())


def migration_head() -> str:
    from alembic.script import ScriptDirectory

    return ",".join(sorted(ScriptDirectory(str(ROOT / "migrations")).get_heads()))


def code_digest() -> str:
    digest = hashlib.sha256()
    for name in DATA_CODE:
        digest.update(name.encode() + b"\0" + (ROOT / name).read_bytes())
    return digest.hexdigest()[:16]


def wanted_stamp(scale: int) -> dict:
    return {"factor": scale, "seed": SEED if scale > 1 else None, "head": migration_head(),
            "code": code_digest()}


def stamp_matches(path: Path, want: dict) -> bool:
    """The stamp at ``path`` records the same factor, seed, migration head and code digest."""
    if not path.exists():
        return False
    stamp = json.loads(path.read_text())
    return {k: v for k, v in stamp.items() if k in want} == want


def upgrade_if_only_head_differs(url: str, path: Path, want: dict, logfile: Path) -> bool:
    """A cached database made by the same data code but under an older migration head is
    brought to the head (``flask db upgrade``: what a deployment does to its data) instead
    of being generated again (minutes at scale 100); its stamp records the upgrade."""
    if not path.exists():
        return False
    stamp = json.loads(path.read_text())
    if {k: v for k, v in stamp.items() if k in want and k != "head"} != {
            k: v for k, v in want.items() if k != "head"}:
        return False
    flask_cli(url, "db", "upgrade", logfile=logfile)
    path.write_text(json.dumps({**stamp, "head": want["head"],
                                "upgraded": datetime.now(UTC).isoformat()}))
    return True


def flask_cli(url: str, *args: str, logfile: Path) -> None:
    env = {**ENV, **keys(), "DATABASE_URL": url, "TRACKER_ENV": "development", "FLASK_APP": "wsgi"}
    with logfile.open("a") as out:
        out.write(f"$ flask {' '.join(args)}\n")
        out.flush()
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,  # noqa: S603
                       stdout=out, stderr=subprocess.STDOUT, check=True)


def sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy (WAL included) without writing to the source."""
    target.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()


class Sqlite:
    name = "sqlite"
    label = "SQLite"

    def pristine(self, scale: int) -> Path:
        return BENCH_DIR / f"sqlite-s{scale}.sqlite3"

    def available(self) -> str | None:
        return None

    def url(self, path: Path) -> str:
        return f"sqlite:///{path}"

    def prepare(self, scale: int) -> str:
        """Make (or reuse) the cached database; returns how it was obtained."""
        path, stamp_path = self.pristine(scale), self.pristine(scale).with_suffix(".stamp.json")
        if scale == 100 and ENV.get("BENCH_SQLITE_S100"):
            source = Path(ENV["BENCH_SQLITE_S100"])
            sqlite_copy(source, path)
            return f"kopie van {source}"
        want = wanted_stamp(scale)
        if path.exists() and stamp_matches(stamp_path, want):
            return "hergebruikt (stempel klopt)"
        logfile = BENCH_DIR / f"sqlite-s{scale}.log"
        if path.exists() and upgrade_if_only_head_differs(self.url(path), stamp_path, want,
                                                          logfile):
            return f"hergebruikt, bijgewerkt tot {want['head']}"
        stamp_path.unlink(missing_ok=True)
        began = time.monotonic()
        building = path.with_suffix(".building")
        if scale == 1:
            building.unlink(missing_ok=True)
            flask_cli(self.url(building), "db", "upgrade", logfile=logfile)
            flask_cli(self.url(building), "network", "organisations", logfile=logfile)
            flask_cli(self.url(building), "demo", "load", logfile=logfile)
        else:
            self.prepare(1)
            sqlite_copy(self.pristine(1), building)
            log(f"SQLite schaal {scale} aanmaken (duurt lang; voortgang in {logfile})")
            flask_cli(self.url(building), "demo", "scale", "--factor", str(scale), "--seed",
                      str(SEED), logfile=logfile)
        sqlite_copy(building, path)
        for suffix in ("", "-wal", "-shm"):
            Path(str(building) + suffix).unlink(missing_ok=True)
        stamp_path.write_text(json.dumps({**want, "made": datetime.now(UTC).isoformat(),
                                          "seconds": round(time.monotonic() - began)}))
        return f"aangemaakt in {time.monotonic() - began:.0f} s"

    def working_copy(self, scale: int, workdir: Path) -> str:
        """A copy for this run only (in its own folder: runs never share one)."""
        target = workdir / f"sqlite-s{scale}.sqlite3"
        sqlite_copy(self.pristine(scale), target)
        return self.url(target)

    def discard(self, url: str) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)


class Postgres:
    name = "postgresql"
    label = "PostgreSQL"

    def admin(self):
        import psycopg

        return psycopg.connect(f"{PG_URL}/postgres", autocommit=True, connect_timeout=5)

    def available(self) -> str | None:
        try:
            with self.admin() as conn:
                return None if conn.execute("select 1").fetchone() else "geen antwoord"
        except Exception as error:  # noqa: BLE001 - any failure means: no server to use
            return f"geen PostgreSQL op {PG_URL}: {str(error).strip().splitlines()[0]}"

    def url(self, name: str) -> str:
        return f"{PG_URL}/{name}"

    def exists(self, name: str) -> bool:
        with self.admin() as conn:
            return bool(conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone())

    def recreate(self, name: str, template: str | None = None) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))

    def prepare(self, scale: int) -> str:
        name, stamp_path = f"bench_s{scale}", BENCH_DIR / f"postgresql-s{scale}.stamp.json"
        want = wanted_stamp(scale)
        if self.exists(name) and stamp_matches(stamp_path, want):
            return "hergebruikt (stempel klopt)"
        logfile = BENCH_DIR / f"postgresql-s{scale}.log"
        if self.exists(name) and upgrade_if_only_head_differs(self.url(name), stamp_path, want,
                                                              logfile):
            return f"hergebruikt, bijgewerkt tot {want['head']}"
        stamp_path.unlink(missing_ok=True)
        began = time.monotonic()
        building = f"bench_s{scale}_building"
        if scale == 1:
            self.recreate(building)
            flask_cli(self.url(building), "db", "upgrade", logfile=logfile)
            flask_cli(self.url(building), "network", "organisations", logfile=logfile)
            flask_cli(self.url(building), "demo", "load", logfile=logfile)
        else:
            self.prepare(1)
            self.recreate(building, template="bench_s1")
            log(f"PostgreSQL schaal {scale} aanmaken (duurt lang; voortgang in {logfile})")
            flask_cli(self.url(building), "demo", "scale", "--factor", str(scale), "--seed",
                      str(SEED), logfile=logfile)
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        stamp_path.write_text(json.dumps({**want, "made": datetime.now(UTC).isoformat(),
                                          "seconds": round(time.monotonic() - began)}))
        return f"aangemaakt in {time.monotonic() - began:.0f} s"

    def backends(self, url: str) -> list[int]:
        """The server processes of the connections to the database of ``url``."""
        with self.admin() as conn:
            return [row[0] for row in conn.execute(
                "select pid from pg_stat_activity where datname = %s", (url.rsplit("/", 1)[1],))]

    def working_copy(self, scale: int, workdir: Path) -> str:
        """A copy for this run only (named after the process: runs never share one)."""
        name = f"bench_run_s{scale}_{os.getpid()}"
        self.recreate(name, template=f"bench_s{scale}")
        return self.url(name)

    def discard(self, url: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


# --- Servers and HTTP --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn with the project's gunicorn.conf.py, 2 sync workers on 127.0.0.1."""

    def __init__(self, app: str, env: dict, logdir: Path, tag: str):
        self.port = free_port()
        self.logfile = logdir / f"{tag}.log"
        self.access_log = logdir / f"{tag}.access.log"
        self.env = {**ENV, **env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": "2",
                    "GUNICORN_ACCESS_LOG": str(self.access_log), "GUNICORN_ERROR_LOG": "-"}
        self.app = app

    def start(self) -> Server:
        self.out = self.logfile.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [str(BIN / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), self.app], cwd=ROOT,
            env=self.env, stdout=self.out, stderr=subprocess.STDOUT)
        return self

    def ready(self) -> Server:
        """Wait for an HTTP answer, then for both workers to be idle (app imported)."""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} stopte; zie {self.logfile}")
            try:
                Client(self.port).request("GET", "/healthz", timeout=30)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError(f"gunicorn {self.app} kwam niet op; zie {self.logfile}")
        self.settle()
        return self

    def stop(self) -> None:
        """Quick shutdown (SIGINT): nothing is in flight any more."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)
        self.out.close()

    def __enter__(self) -> Server:
        return self.start().ready()

    def __exit__(self, *exc) -> None:
        self.stop()

    def workers(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.append(int(entry.name))
        return sorted(pids)

    def cpu_seconds(self) -> tuple[list[int], float]:
        pids = self.workers()
        return pids, process_cpu(pids)

    def answered(self) -> int:
        """Requests answered so far: lines in the access log."""
        try:
            with self.access_log.open("rb") as file:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: file.read(1 << 16), b""))
        except FileNotFoundError:
            return 0

    def settle(self, limit: float = 180) -> None:
        """Wait until the workers are idle: no CPU time and no answer for half a second."""
        deadline, last = time.monotonic() + limit, None
        while time.monotonic() < deadline:
            now = (self.cpu_seconds(), self.answered())
            if now == last:
                return
            last = now
            time.sleep(0.5)

    def peak_memory_kb(self) -> int:
        peak = 0
        for pid in self.workers():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
            except OSError:
                pass
        return peak


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    header_bytes: int

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def text(self) -> str:
        body = self.body
        encoding = self.header("Content-Encoding")
        if encoding == "br":
            import brotli

            body = brotli.decompress(body)
        elif encoding == "gzip":
            import gzip

            body = gzip.decompress(body)
        return body.decode("utf-8", "replace")


@dataclass
class Client:
    port: int
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
                timeout: float = 120) -> Reply:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        all_headers = dict(headers or {})
        if self.cookies:
            all_headers["Cookie"] = self.cookie_header()
        conn.request(method, path, body=body, headers=all_headers)
        response = conn.getresponse()
        data = response.read()
        raw = response.getheaders()
        conn.close()
        for name, value in raw:
            if name.lower() == "set-cookie":
                pair = value.split(";", 1)[0]
                key, _, val = pair.partition("=")
                if val:
                    self.cookies[key.strip()] = val.strip()
                else:
                    self.cookies.pop(key.strip(), None)
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + sum(
            len(k) + len(v) + 4 for k, v in raw) + 2
        return Reply(response.status, raw, data, header_bytes)

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|<meta name="csrf-token" content="([^"]+)"')


def csrf_of(text: str) -> str:
    match = CSRF.search(text)
    if not match:
        raise RuntimeError("geen CSRF-token in de pagina")
    return match.group(1) or match.group(2)


def log_in(port: int, email: str) -> tuple[Client, str]:
    client = Client(port)
    page = client.request("GET", "/inloggen")
    form = urllib.parse.urlencode({"csrf_token": csrf_of(page.text()), "email": email,
                                   "password": PASSWORD, "next": ""}).encode()
    reply = client.request("POST", "/inloggen", {"Content-Type": "application/x-www-form-urlencoded"},
                           form)
    if reply.status not in (302, 303):
        raise RuntimeError(f"inloggen als {email} mislukt: {reply.status}")
    page = client.request("GET", "/start")
    return client, csrf_of(page.text())


# --- Endpoints ---------------------------------------------------------------------------------


@dataclass
class Endpoint:
    name: str
    label: str
    path: str
    auth: str = "session"  # session | api | token (the token is in the URL)
    method: str = "GET"


def endpoints(fx: dict) -> list[Endpoint]:
    team, token = fx["team"], fx["rsvp_token"]
    old = (date.fromisoformat(fx["today"]) - timedelta(days=730)).isoformat()
    result = [
        Endpoint("dashboard", "Dashboard", "/"),
        Endpoint("team", "Teampagina (filter open)", f"/teams/{team}?status=open"),
        Endpoint("my_work", "Mijn werk", "/mijn-werk"),
        Endpoint("milestones", "Mijlpalen", "/milestones"),
        Endpoint("milestone_grid", "Mijlpaal met gemeenteraster", f"/milestones/{fx['milestone']}"),
        Endpoint("pilots", "Pilots", "/pilots"),
        Endpoint("status", "Netwerkstatus", "/status"),
        Endpoint("team_status", "Teamstatus", f"/teams/{team}/status"),
        Endpoint("report", "Rapportage (HTML)", "/report"),
        Endpoint("report_old", "Rapportage, peildatum 2 jaar terug", f"/report?peildatum={old}"),
        Endpoint("organiser", "Nieuwe bijeenkomst (organisator)", "/events/new"),
        Endpoint("rsvp", "RSVP-pagina (link)", f"/rsvp/{token}", auth="token"),
        Endpoint("calendar", "Agendafeed (link)", f"/agenda/{fx['calendar_token']}.ics", auth="token"),
        Endpoint("search", "Zoeken", f"/zoeken?q={urllib.parse.quote(fx['search'])}"),
        Endpoint("api", "API: acties (lijst)", "/api/v1/actions", auth="api"),
        # Last: it first adds open actions when the team has too few (bench/fixture.py).
        Endpoint("done", "Gereed/heropenen (htmx POST, afwisselend)", "/actions/{id}/{verb}",
                 method="POST"),
    ]
    if token is None:
        result = [e for e in result if e.name != "rsvp"]
    return [e for e in result if not ONLY or e.name in ONLY]


def request_headers(endpoint: Endpoint, cookie: str, csrf: str, api_token: str) -> dict:
    headers = dict(BROWSER_HEADERS)
    if endpoint.auth == "session":
        headers["Cookie"] = cookie
    if endpoint.auth == "api":
        headers = {"Accept-Encoding": "br, gzip", "Authorization": f"Bearer {api_token}"}
    if endpoint.name == "done":
        headers.update({"HX-Request": "true", "X-CSRFToken": csrf,
                        "Content-Type": "application/x-www-form-urlencoded"})
    return headers


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


LUA_DONE = """
-- Written by bench/run.py: the summary as one JSON line.
done = function(summary, latency, requests)
  io.write(string.format('BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,'
    .. '"p50":%.1f,"p95":%.1f,"p99":%.1f,"mean":%.1f,"max":%.1f,'
    .. '"status_errors":%d,"timeouts":%d,"connect":%d,"read":%d,"write":%d}\\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean, latency.max,
    summary.errors.status, summary.errors.timeout, summary.errors.connect, summary.errors.read,
    summary.errors.write))
end
"""

#: The done/undo POST: each wrk thread cycles through its own half of the open actions
#: (16 each), alternating done and reopen per action with the version that follows from
#: the previous click; with 8 connections per thread the previous click on a row has been
#: answered before the next one is sent. An uncompressed answer is also read back (the
#: row's version and button), so a 409 would heal itself; a compressed one cannot be read
#: here, so every non-2xx answer shows up in the table.
LUA_TOGGLE = """
local all_actions = {%(actions)s}
local headers = {%(headers)s}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("slot", counter)
end
init = function(args)
  mine, state, order, next_index = {}, {}, {}, 0
  for i, pair in ipairs(all_actions) do
    if (i %% %(threads)d) == (slot - 1) then
      table.insert(order, pair[1])
      state[pair[1]] = {verb = "done", version = pair[2]}
    end
  end
end
request = function()
  next_index = next_index %% #order + 1
  local id = order[next_index]
  local s = state[id]
  local body = "version=" .. s.version .. "&next=%%2F"
  local verb = s.verb
  -- What the row will show once this succeeds; an answer that can be read corrects it.
  s.verb = (verb == "done") and "reopen" or "done"
  s.version = s.version + 1
  return wrk.format("POST", "/actions/" .. id .. "/" .. verb, headers, body)
end
response = function(status, response_headers, body)
  local id = tonumber(string.match(body, 'id="actie%%-(%%d+)"'))
  local version = tonumber(string.match(body, 'name="version" value="(%%d+)"'))
  if id and version and state[id] then
    state[id].version = version
    if string.find(body, "/reopen", 1, true) then state[id].verb = "reopen" else state[id].verb = "done" end
  end
end
"""


def lua_script(endpoint: Endpoint, headers: dict, actions: list, workdir: Path) -> Path:
    path = workdir / f"{endpoint.name}.lua"
    if endpoint.name == "done":
        text = LUA_TOGGLE % {
            "actions": ", ".join(f"{{{a}, {v}}}" for a, v in actions),
            "headers": ", ".join(f"[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()),
            "threads": THREADS}
        # The ceiling's answer is always the same row: the parse is the same work.
    else:
        text = (f"wrk.method = {lua_string(endpoint.method)}\n"
                + "".join(f"wrk.headers[{lua_string(k)}] = {lua_string(v)}\n"
                          for k, v in headers.items()))
    path.write_text(text + LUA_DONE)
    return path


def wrk(port: int, path: str, script: Path, seconds: float) -> dict:
    command = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency",
               "--timeout", "30s", "-s", str(script), f"http://127.0.0.1:{port}{path}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(ln for ln in out.splitlines() if ln.startswith("BENCHJSON "))
    figures = json.loads(line.removeprefix("BENCHJSON "))
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def process_cpu(pids) -> float:
    """utime + stime of ``pids`` in seconds (a process that is gone counts 0)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / CLK_TCK


def timed(server: Server, port: int, path: str, script: Path, backends=None) -> dict:
    """wrk against ``server``; CPU per request = the workers' CPU time from before the run
    until they are idle again, divided by the requests they answered (their access log),
    so requests still queued when wrk stops are counted with the CPU they cost.
    ``backends``: a function giving the PostgreSQL server processes of the app's
    connections, whose CPU is reported beside (``db_cpu_ms``)."""
    server.settle()
    pids_before, cpu_before = server.cpu_seconds()
    db_before = {pid: process_cpu([pid]) for pid in backends()} if backends else {}
    answered_before = server.answered()
    figures = wrk(port, path, script, SECONDS)
    server.settle()
    pids_after, cpu_after = server.cpu_seconds()
    answered = max(server.answered() - answered_before, 1)
    figures["answered"] = answered
    figures["cpu_ms"] = (cpu_after - cpu_before) * 1000 / answered
    if backends:
        db_after = {pid: process_cpu([pid]) for pid in backends()}
        used = sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items())
        figures["db_cpu_ms"] = used * 1000 / answered
    figures["workers_restarted"] = pids_before != pids_after
    return figures


# --- One database at one scale -----------------------------------------------------------------


def server_env(url: str, port_hint: int | None = None) -> dict:
    return {**keys(), "DATABASE_URL": url, "TRACKER_ENV": "production", "TRACKER_MFA_REQUIRED": "0",
            "TRACKER_BASE_URL": "http://127.0.0.1", "TRACKER_API_RATE_LIMIT": "1000000 per minute",
            "MAIL_SUPPRESS_SEND": "1", "TRACKER_SECURITY_LOG_TO_STDERR": "1"}


def fixture(url: str, *args: str):
    env = {**ENV, **server_env(url)}
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "fixture.py"), *args],  # noqa: S603
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def capture(port: int, fx: dict, eps: list[Endpoint]) -> tuple[dict, dict, str, str]:
    """One request per endpoint (after a warm-up): status, bytes, SQL statements, the body."""
    client, csrf = log_in(port, fx["email"])
    cookie = client.cookie_header()
    found, ceiling = {}, {}
    for endpoint in eps:
        try:
            headers = request_headers(endpoint, cookie, csrf, fx["api_token"])
            if endpoint.name == "done":
                action, version = fx["actions"][0]
                replies = []
                for verb in ("done", "reopen", "done", "reopen"):
                    body = f"version={version}&next=%2F".encode()
                    reply = Client(port).request("POST", f"/actions/{action}/{verb}", headers, body)
                    match = re.search(r'name="version" value="(\d+)"', reply.text())
                    version = int(match.group(1)) if match else version
                    replies.append(reply)
                fx["actions"][0][1] = version
                reply, key = replies[2], "POST *"
            else:
                Client(port).request(endpoint.method, endpoint.path, headers)
                reply, key = Client(port).request(endpoint.method, endpoint.path, headers), None
            plain_headers = {k: v for k, v in headers.items() if k != "Accept-Encoding"}
            if endpoint.name == "done":
                plain_size = len(reply.text().encode())
            else:
                plain_size = len(Client(port).request(endpoint.method, endpoint.path, plain_headers).body)
            found[endpoint.name] = {"status": reply.status, "bytes": len(reply.body),
                                    "plain_bytes": plain_size, "sql": reply.header("X-Bench-SQL"),
                                    "encoding": reply.header("Content-Encoding") or "—"}
            kept = {k: v for k, v in reply.headers if k.lower() in {
                "content-type", "content-encoding", "vary", "cache-control", "hx-trigger"}}
            ceiling[key or f"{endpoint.method} {endpoint.path}"] = {
                "status": reply.status, "headers": kept, "body": base64.b64encode(reply.body).decode()}
        except (OSError, http.client.HTTPException) as error:
            # A page that outlives gunicorn's worker timeout: recorded, not measured.
            found[endpoint.name] = {"status": f"fout: {type(error).__name__}", "bytes": 0,
                                    "plain_bytes": 0, "sql": None, "encoding": "—", "failed": True}
    return found, ceiling, cookie, csrf


ASSET = re.compile(r'<(?:link|script|img)\b[^>]*?(?:href|src)="(/static/[^"]+)"')
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


def page_bytes(port: int, cookie: str) -> dict:
    """Bytes of a first visit (dashboard and every static file it needs) and of a later
    navigation (the page, plus the static files a cache may not keep), with headers."""
    client = Client(port, {k: v for k, v in (p.split("=", 1) for p in cookie.split("; "))})
    page = client.request("GET", "/", BROWSER_HEADERS)
    html = page.text()
    assets, seen, cacheable = [], set(), {}
    queue = list(dict.fromkeys(ASSET.findall(html)))
    total_assets = 0
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        reply = Client(port).request("GET", path, BROWSER_HEADERS)
        size = reply.header_bytes + len(reply.body)
        total_assets += size
        control = (reply.header("Cache-Control") or "").lower()
        cacheable[path] = (reply.status == 200 and "no-store" not in control and "no-cache" not in control
                           and re.search(r"max-age=[1-9]", control) is not None)
        assets.append((path, size, reply.status))
        if path.split("?")[0].endswith(".css"):
            for ref in CSS_URL.findall(reply.text()):
                if ref.startswith("data:"):
                    continue
                queue.append(urllib.parse.urljoin(path, ref).split("#")[0])
    page_size = page.header_bytes + len(page.body)
    later = page_size + sum(size for path, size, _ in assets if not cacheable[path])
    return {"first": page_size + total_assets, "later": later, "page": page_size,
            "assets": len(assets), "uncached": sorted(p for p in cacheable if not cacheable[p])}


def report_times(port: int, cookie: str, repeat: int, url: str, workdir: Path) -> dict:
    """Seconds for one request of the report page and of its PDF (median of ``repeat``).

    A big network's PDF is made in the background (``tracker.report.renders``): then the
    PDF's request answers with a page offering it; this asks for it (the page's POST),
    runs the ``report-renders`` job as the scheduler would (``flask jobs run``) and times
    that, and checks that the PDF's request then serves the file. ``pdf.seconds`` is the
    time to make the PDF either way; ``pdf.request_seconds`` what a request waited.
    """
    client = Client(port, {k: v for k, v in (p.split("=", 1) for p in cookie.split("; "))})
    result = {}
    for name, path, runs in (("html", "/report", repeat), ("pdf", "/report.pdf", repeat)):
        seconds, status, reply = [], None, None
        for _ in range(runs):
            began = time.perf_counter()
            try:
                reply = client.request("GET", path, BROWSER_HEADERS, timeout=300)
                status = reply.status
            except (TimeoutError, OSError) as error:
                status = f"fout: {error}"
                break
            seconds.append(time.perf_counter() - began)
        result[name] = {"seconds": statistics.median(seconds) if seconds else None, "status": status,
                        "mode": "verzoek"}
        if name == "pdf" and reply is not None and reply.status in (200, 202) and (
                reply.header("Content-Type") or "").startswith("text/html"):
            result[name] = background_pdf(client, reply, url, workdir, seconds)
    return result


def background_pdf(client: Client, page: Reply, url: str, workdir: Path,
                   request_seconds: list[float]) -> dict:
    """Ask for the PDF on its page, make it with the job, fetch it; the job's seconds."""
    text = page.text()
    peildatum = re.search(r'name="peildatum" value="([0-9-]+)"', text)
    if peildatum is None:
        return {"seconds": None, "mode": "achtergrond", "status": "geen aanvraagformulier",
                "request_seconds": None}
    form = urllib.parse.urlencode({"csrf_token": csrf_of(text), "peildatum": peildatum.group(1),
                                   "formaat": "pdf"}).encode()
    asked = client.request("POST", "/report/bestanden",
                           {"Content-Type": "application/x-www-form-urlencoded"}, form)
    began = time.perf_counter()
    flask_cli(url, "jobs", "run", "report-renders", logfile=workdir / "report-renders.log")
    made = time.perf_counter() - began
    served = client.request("GET", "/report.pdf", BROWSER_HEADERS, timeout=300)
    ok = served.status == 200 and served.header("Content-Type") == "application/pdf"
    return {"seconds": made if ok else None, "mode": "achtergrond",
            "status": served.status if ok else f"niet gemaakt (POST {asked.status}, "
                                                 f"daarna {served.status})",
            "request_seconds": statistics.median(request_seconds) if request_seconds else None,
            "bytes": len(served.body) if ok else None}


def run_one(database, scale: int, rundir: Path) -> dict:
    log(f"{database.label} schaal {scale}: database voorbereiden")
    how = database.prepare(scale)
    workdir = rundir / f"{database.name}-s{scale}"
    workdir.mkdir(parents=True, exist_ok=True)
    url = database.working_copy(scale, workdir)
    env = server_env(url)
    with contextlib.ExitStack() as stack:
        stack.callback(database.discard, url)  # runs last, after the servers stopped
        # Both servers start while the fixture is read; the ceiling follows the capture.
        counted = Server("bench.counted:app", env, workdir, "counted").start()
        stack.callback(counted.stop)
        app = Server("wsgi:app", env, workdir, "app").start()
        stack.callback(app.stop)
        fx = fixture(url)
        eps = endpoints(fx)
        log(f"{database.label} schaal {scale} ({how}): {fx['counts']}; vastleggen en SQL tellen")
        captured, ceiling_file, _, _ = capture(counted.ready().port, fx, eps)
        counted.stop()
        (workdir / "ceiling.json").write_text(json.dumps(ceiling_file))
        ceiling = Server("bench.ceiling:app", {"BENCH_CEILING_FILE": str(workdir / "ceiling.json")},
                         workdir, "ceiling").start()
        stack.callback(ceiling.stop)
        app.ready()
        ceiling.ready()
        results = {}
        for endpoint in eps:
            if captured[endpoint.name].get("failed"):
                results[endpoint.name] = {"label": endpoint.label, "app": None, "ceiling": None,
                                          **captured[endpoint.name]}
                log(f"  {endpoint.name:<15} niet gemeten: {captured[endpoint.name]['status']}")
                continue
            if endpoint.name == "done":
                fx["actions"] = fixture(url, "actions")
            client, csrf = log_in(app.port, fx["email"])
            headers = request_headers(endpoint, client.cookie_header(), csrf, fx["api_token"])
            script = lua_script(endpoint, headers, fx["actions"], workdir)
            path = "/" if endpoint.name == "done" else endpoint.path
            backends = (lambda: database.backends(url)) if database.name == "postgresql" else None
            app_figures = timed(app, app.port, path, script, backends)
            ceiling_figures = timed(ceiling, ceiling.port, path, script)
            results[endpoint.name] = {"label": endpoint.label, "app": app_figures,
                                      "ceiling": ceiling_figures, **captured[endpoint.name]}
            a, c = app_figures, ceiling_figures
            log(f"  {endpoint.name:<15} {a['rps']:8.1f} req/s  p99 {a['p99'] / 1000:7.1f} ms"
                f"  cpu {a['cpu_ms']:7.1f} ms  (plafond {c['rps']:7.1f} req/s,"
                f" cpu {c['cpu_ms']:5.2f} ms)  sql {captured[endpoint.name]['sql']}")
        memory = app.peak_memory_kb()
        ceiling_memory = ceiling.peak_memory_kb()
        client, _ = log_in(app.port, fx["email"])
        cookie = client.cookie_header()
        wire = page_bytes(app.port, cookie)
        wanted = not ONLY or "report" in ONLY
        report = report_times(app.port, cookie, 3 if scale == 1 else 1, url, workdir) if wanted else {}
        memory_after_report = app.peak_memory_kb()
    log(f"  bytes eerste bezoek {wire['first']}, later {wire['later']}; rapport {report}; "
        f"piekgeheugen worker {memory} kB")
    return {"database": database.name, "label": database.label, "scale": scale, "how": how,
            "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "seconds": SECONDS,
            "commit": commit(),
            "load": os.getloadavg()[0],
            "counts": fx["counts"], "endpoints": results, "wire": wire, "report": report,
            "memory_kb": memory, "memory_after_report_kb": memory_after_report,
            "ceiling_memory_kb": ceiling_memory}


def mail_figures(databases) -> list[dict]:
    figures = []
    for database in databases:
        env = {**ENV}
        if database.name == "postgresql":
            database.recreate("bench_mail")
            env["BENCH_DATABASE_URL"] = database.url("bench_mail")
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            env["BENCH_JSON"] = out.name
            log(f"{database.label}: bench/notifications.py")
            done = subprocess.run([sys.executable, str(ROOT / "bench" / "notifications.py")], cwd=ROOT,  # noqa: S603
                                  env=env, capture_output=True, text=True)
            print(done.stdout.strip())
            try:
                figures.append({**json.loads(Path(out.name).read_text()), "label": database.label,
                                "returncode": done.returncode})
            except ValueError:
                figures.append({"label": database.label, "error": (done.stderr or done.stdout)[-500:]})
    return figures


# --- The document ------------------------------------------------------------------------------


def fmt(value, digits=1) -> str:
    if value is None:
        return "—"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\u2009").replace(".", ",")


def ratio(a, b) -> str:
    return fmt(a / b, 2) if a is not None and b else "—"


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    memory = next((int(ln.split()[1]) for ln in Path("/proc/meminfo").read_text().splitlines()
                   if ln.startswith("MemTotal")), 0)
    return f"{os.cpu_count()} cores ({cpu}), {memory / 1024 / 1024:.0f} GiB, {platform.platform()}"


def commit() -> str:
    git = shutil.which("git") or "git"
    try:
        head = subprocess.run([git, "rev-parse", "--short", "HEAD"], cwd=ROOT,  # noqa: S603
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run([git, "status", "--porcelain", "--untracked-files=no"],  # noqa: S603
                               cwd=ROOT, capture_output=True, text=True).stdout.strip()
        return head + (" (met lokale wijzigingen)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "onbekend"


def find(runs, database, scale):
    return next((r for r in runs if r["database"] == database and r["scale"] == scale), None)


def targets(runs: list[dict], mail: list[dict]) -> list[tuple[str, str, str]]:
    """(target, achieved, verdict) for each target of issue 15."""
    rows = []
    runs = [{**r, "endpoints": {n: e for n, e in r["endpoints"].items() if e.get("app")}} for r in runs]

    def verdict(ok) -> str:
        return "—" if ok is None else ("gehaald" if ok else "**gemist**")

    for db in ("sqlite", "postgresql"):
        s1 = find(runs, db, 1)
        scaled = max((r for r in runs if r["database"] == db and r["scale"] > 1),
                     key=lambda r: r["scale"], default=None)
        label = "SQLite" if db == "sqlite" else "PostgreSQL"
        big = f"schaal {scaled['scale']}" if scaled else ""
        if scaled and scaled["scale"] != 100:
            big += " (het doel noemt schaal 100)"
        s100 = scaled
        if s1 and s100:
            shared = [n for n in s1["endpoints"] if n in s100["endpoints"]]
            worst = min(((s100["endpoints"][n]["app"]["rps"] / s1["endpoints"][n]["app"]["rps"], n)
                         for n in shared if s1["endpoints"][n]["app"]["rps"]), default=None)
            if worst:
                rows.append((f"{label}: doorvoer {big} ≥ 0,85 × schaal 1 op elk eindpunt",
                             f"laagste {fmt(worst[0], 2)} ({worst[1]})", verdict(worst[0] >= 0.85)))
            worst = min(((s1["endpoints"][n]["app"]["cpu_ms"] / s100["endpoints"][n]["app"]["cpu_ms"], n)
                         for n in shared if s100["endpoints"][n]["app"]["cpu_ms"]), default=None)
            if worst:
                rows.append((f"{label}: hetzelfde in worker-CPU (CPU schaal 1 ÷ CPU {big}; minder "
                             "gevoelig voor een drukke machine)",
                             f"laagste {fmt(worst[0], 2)} ({worst[1]})", verdict(worst[0] >= 0.85)))
            sql_changed = [n for n in shared if s1["endpoints"][n]["sql"] != s100["endpoints"][n]["sql"]]
            rows.append((f"{label}: SQL-statements per verzoek gelijk op schaal 1 en {big}",
                         ", ".join(f"{n} {s1['endpoints'][n]['sql']}→{s100['endpoints'][n]['sql']}"
                                   for n in sql_changed) or "overal gelijk", verdict(not sql_changed)))
        if s100:
            worst = max((s100["endpoints"][n]["app"]["cpu_ms"], n) for n in s100["endpoints"])
            rows.append((f"{label}: geen verzoek boven 1 s worker-CPU op {big}",
                         f"hoogste {fmt(worst[0])} ms ({worst[1]})", verdict(worst[0] < 1000)))
            for name, what in (("team", "teampagina"), ("done", "gereed-POST")):
                e = s100["endpoints"].get(name)
                if e:
                    rows.append((f"{label}: p99 < 150 ms bij {CONNECTIONS} verbindingen, {what} ({big})",
                                 f"{fmt(e['app']['p99'] / 1000)} ms", verdict(e["app"]["p99"] < 150_000)))
            report = s100["report"]
            if report:
                html, pdf = report["html"]["seconds"], report["pdf"]["seconds"]
                rows.append((f"{label}: rapport geschaald netwerk ({big}), HTML < 2 s", f"{fmt(html, 2)} s",
                             verdict(html is not None and html < 2)))
                how = (" (op de achtergrond gemaakt)" if report["pdf"].get("mode") == "achtergrond"
                       else "")
                rows.append((f"{label}: rapport geschaald netwerk ({big}), PDF < 20 s",
                             f"{fmt(pdf, 1)} s{how}", verdict(pdf is not None and pdf < 20)))
                if report["pdf"].get("mode") == "achtergrond":
                    asked = report["pdf"]["request_seconds"]
                    rows.append((f"{label}: PDF-verzoek geschaald netwerk ({big}) binnen de worker-timeout",
                                 f"{fmt(asked, 2)} s (pagina die het bestand aanbiedt)",
                                 verdict(asked is not None and asked < 1)))
        if s1:
            for names, floor in ((("team", "dashboard", "status", "team_status"), 0.10), (("done",), 0.20)):
                for name in names:
                    e = s1["endpoints"].get(name)
                    if e and e["app"]["cpu_ms"]:
                        value = e["ceiling"]["cpu_ms"] / e["app"]["cpu_ms"]
                        rows.append((
                            f"{label}: worker-CPU plafond ÷ app ≥ {fmt(floor, 2)}, {name} (schaal 1)",
                            fmt(value, 3), verdict(value >= floor)))
            rows.append((f"{label}: eerste bezoek < 100 KB", f"{fmt(s1['wire']['first'] / 1024)} KB",
                         verdict(s1["wire"]["first"] < 100 * 1024)))
            rows.append((f"{label}: latere navigatie < 20 KB", f"{fmt(s1['wire']['later'] / 1024)} KB",
                         verdict(s1["wire"]["later"] < 20 * 1024)))
    for scale in sorted({r["scale"] for r in runs}):
        sq, pg = find(runs, "sqlite", scale), find(runs, "postgresql", scale)
        if sq and pg:
            worst = min(((pg["endpoints"][n]["app"]["rps"] / sq["endpoints"][n]["app"]["rps"], n)
                         for n in sq["endpoints"] if n in pg["endpoints"]
                         and sq["endpoints"][n]["app"]["rps"]), default=None)
            if worst:
                rows.append((f"PostgreSQL ≥ 0,75 × SQLite op elke pagina (schaal {scale})",
                             f"laagste {fmt(worst[0], 2)} ({worst[1]})", verdict(worst[0] >= 0.75)))
            def total(run, name):
                figures = run["endpoints"][name]["app"]
                return figures["cpu_ms"] + figures.get("db_cpu_ms", 0)

            worst = min(((total(sq, n) / total(pg, n), n) for n in sq["endpoints"]
                         if n in pg["endpoints"] and total(pg, n)), default=None)
            if worst:
                rows.append((f"Hetzelfde in CPU (SQLite-workers ÷ PostgreSQL-workers plus hun "
                             f"PostgreSQL-processen, schaal {scale})",
                             f"laagste {fmt(worst[0], 2)} ({worst[1]})", verdict(worst[0] >= 0.75)))
    for m in mail:
        if "ratio" in m:
            floor = 0.8 if m["database"] == "sqlite" else 0.6
            rows.append((f"{m['label']}: bezorging ≥ {fmt(floor, 1)} × smtplib-plafond", fmt(m["ratio"], 2),
                         verdict(m["ratio"] >= floor)))
            rows.append((f"{m['label']}: digests in de wachtrij < 10 s ({m['recipients']} ontvangers)",
                         f"{fmt(m['digest_seconds'], 2)} s", verdict(m["digest_seconds"] < 10)))
    return rows


def document(runs: list[dict], mail: list[dict], notes: list[str], started: datetime) -> str:
    load = os.getloadavg()
    lines = [
        "# Benchmarks",
        "",
        "Geschreven door `make bench` (`bench/run.py`); niet met de hand bewerken, opnieuw draaien.",
        "",
        f"- Datum: {started.strftime('%Y-%m-%d %H:%M')} UTC; commit {commit()}",
        f"- Machine: {machine()}",
        f"- Belasting (load average 1/5/15 min) aan het eind: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f}",
        f"- wrk {THREADS} threads, {CONNECTIONS} verbindingen, per eindpunt en per server zo lang als "
        "bij de run staat; gunicorn `gunicorn.conf.py`, 2 sync workers, 127.0.0.1, "
        "`TRACKER_ENV=production`",
        "- Runs in dit bestand: " + ("; ".join(
            f"{r['label']} schaal {r['scale']} ({r['how']}; {r.get('when', '?')}, commit "
            f"{r.get('commit', '?')}, "
            f"{fmt(r.get('seconds', SECONDS), 0)} s per eindpunt, load {fmt(r.get('load'), 1)})"
            for r in runs) or "geen"),
        "",
        "Hoe gemeten: per eindpunt eerst de app, direct daarna het *plafond*: dezelfde bytes "
        "(vastgelegd antwoord, zelfde statuscode en Content-Encoding) uit het geheugen van een "
        "kale Flask-app (`bench/ceiling.py`) op dezelfde gunicorn-instellingen. Worker-CPU = "
        "utime+stime van de twee workers (`/proc/<pid>/stat`) van voor de run tot ze weer stil zijn, "
        "÷ beantwoorde verzoeken (access log); bij PostgreSQL staat de CPU van de "
        "PostgreSQL-processen van de verbindingen van de app erachter (`+ … PG`). "
        "SQL = statements van één verzoek, geteld in een aparte eerste ronde (`bench/counted.py`), "
        "niet tijdens de metingen. Bytes = body zoals verstuurd met `Accept-Encoding: br, gzip` "
        "(tussen haakjes: zonder compressie). Latenties in ms (wrk `--latency`). "
        "De gereed-POST wisselt gereed en heropenen af over eigen acties per wrk-thread, met "
        "htmx-kopregels en het CSRF-token. Afwijkingen van productie: geen tweede factor voor "
        "het benchmark-account (`TRACKER_MFA_REQUIRED=0`), API-limiet opgehoogd, mail onderdrukt.",
        "",
    ]
    busiest = max([r.get("load") or 0 for r in runs] + [load[0]])
    if busiest > (os.cpu_count() or 1):
        lines += [f"**Let op:** de machine was tijdens de metingen zwaar belast (load tot {fmt(busiest, 1)} "
                  f"op {os.cpu_count()} cores, door andere processen). Verzoeken per seconde en latenties "
                  "meten dan vooral de wachtrij voor de CPU; de worker-CPU per verzoek (gemeten per "
                  "proces) en de verhoudingen daarvan zijn de bruikbare cijfers. Herhaal op een rustige "
                  "machine voor doorvoer en p99.", ""]
    lines += ["## Doelen (issue 15)", "", "| Doel | Bereikt | Oordeel |", "| --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in targets(runs, mail)] or ["| — | — | — |"]
    lines.append("")
    for run in runs:
        lines += [f"## {run['label']}, schaal {run['scale']}", "",
                  f"Database: {run['how']}; {run['counts']['actions']} acties, {run['counts']['users']} "
                  f"personen, {run['counts']['events']} bijeenkomsten. Piekgeheugen per worker (VmHWM): "
                  f"{fmt(run['memory_kb'] / 1024)} MB na de eindpunten, "
                  f"{fmt(run['memory_after_report_kb'] / 1024)} MB na ook de PDF "
                  f"(plafond {fmt(run['ceiling_memory_kb'] / 1024)} MB).", "",
                  "| Eindpunt | Status | req/s | p50 | p95 | p99 | CPU/verzoek (ms) | SQL | Bytes | "
                  "Plafond req/s | CPU plafond (ms) | req/s ÷ plafond | CPU plafond ÷ app | "
                  "÷ schaal 1 | PG ÷ SQLite |",
                  "| --- | --- |" + " ---: |" * 13]
        base = find(runs, run["database"], 1) if run["scale"] != 1 else None
        sqlite_run = find(runs, "sqlite", run["scale"]) if run["database"] == "postgresql" else None
        for name, e in run["endpoints"].items():
            a, c = e["app"], e["ceiling"]
            if a is None:
                lines.append(f"| {e['label']} | {e['status']} |" + " — |" * 13)
                continue
            errors = a["status_errors"] + a["timeouts"]
            status = f"{e['status']}" + (f", {errors} fout" if errors else "") + (
                ", worker herstart" if a["workers_restarted"] else "")
            scale_ratio = ratio(a["rps"], base["endpoints"][name]["app"]["rps"]) if base and \
                (base["endpoints"].get(name) or {}).get("app") else "—"
            pg_ratio = ratio(a["rps"], sqlite_run["endpoints"][name]["app"]["rps"]) if sqlite_run and \
                (sqlite_run["endpoints"].get(name) or {}).get("app") else "—"
            lines.append(
                f"| {e['label']} | {status} | {fmt(a['rps'])} | {fmt(a['p50'] / 1000)} | "
                f"{fmt(a['p95'] / 1000)} | {fmt(a['p99'] / 1000)} | {fmt(a['cpu_ms'])}"
                f"{' + ' + fmt(a['db_cpu_ms']) + ' PG' if 'db_cpu_ms' in a else ''} | {e['sql'] or '—'} | "
                f"{e['bytes']} ({e['plain_bytes']}) | {fmt(c['rps'])} | {fmt(c['cpu_ms'], 2)} | "
                f"{ratio(a['rps'], c['rps'])} | {ratio(c['cpu_ms'], a['cpu_ms'])} | {scale_ratio} | "
                f"{pg_ratio} |")
        wire = run["wire"]
        uncached = f" (niet te cachen: {', '.join(wire['uncached'])})" if wire["uncached"] else ""
        lines += ["", "Bytes over de lijn (kopregels meegeteld, br): eerste bezoek van het dashboard "
                      f"{fmt(wire['first'] / 1024)} KB (pagina {fmt(wire['page'] / 1024)} KB + "
                      f"{wire['assets']} statische bestanden), latere navigatie "
                      f"{fmt(wire['later'] / 1024)} KB{uncached}."]
        if run["report"]:
            r = run["report"]
            lines.append(f"Rapport, één verzoek tegelijk (mediaan): HTML {fmt(r['html']['seconds'], 2)} s "
                         f"(status {r['html']['status']}), PDF {fmt(r['pdf']['seconds'], 2)} s "
                         f"(status {r['pdf']['status']}).")
        lines.append("")
    if mail:
        lines += ["## Mail (`bench/notifications.py`)", "",
                  "| Database | Digests | In de wachtrij (s) | Bezorgd/s | smtplib-plafond/s "
                  "| Bezorging ÷ plafond |",
                  "| --- | ---: | ---: | ---: | ---: | ---: |"]
        for m in mail:
            if "ratio" in m:
                lines.append(f"| {m['label']} | {m['digests_queued']} | {fmt(m['digest_seconds'], 2)} | "
                             f"{fmt(m['delivery_rate'], 0)} | {fmt(m['ceiling_rate'], 0)} | "
                             f"{fmt(m['ratio'], 2)} |")
            else:
                lines.append(f"| {m['label']} | fout: {m['error'][-120:]!r} | | | | |")
        lines.append("")
    notes = notes + [n.strip() for n in (ENV.get("BENCH_NOTES") or "").split("|") if n.strip()]
    if notes:
        lines += ["## Opmerkingen", ""] + [f"- {n}" for n in notes] + [""]
    return "\n".join(lines)


def summary(runs: list[dict], mail: list[dict]) -> None:
    print()
    for a, b, c in targets(runs, mail):
        print(f"{c.replace('*', ''):<9} {a}: {b}")


def prepare_only() -> int:
    """``bench/run.py --prepare``: make or check the cached databases, measure nothing."""
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for name in DATABASES:
        database = Sqlite() if name == "sqlite" else Postgres()
        missing = database.available()
        if missing:
            log(f"{database.label} overgeslagen: {missing}")
            continue
        for scale in SCALES:
            log(f"{database.label} schaal {scale}: {database.prepare(scale)}")
    return 0


def document_only(paths: list[str]) -> int:
    """``bench/run.py --document A/results.json B/results.json …``: the document from runs
    made earlier, nothing measured; runs of the same database and scale are joined (a later
    file wins per endpoint)."""
    runs, mail, notes = [], [], []
    for path in paths:
        data = json.loads(Path(path).read_text())
        for run in data["runs"]:
            earlier = find(runs, run["database"], run["scale"])
            if earlier:  # two runs of parts of the endpoints (BENCH_ENDPOINTS): one table
                runs.remove(earlier)
                run = {**run, "endpoints": {**earlier["endpoints"], **run["endpoints"]},
                       "report": run["report"] or earlier["report"],
                       "memory_kb": max(run["memory_kb"], earlier["memory_kb"]),
                       "when": f"{earlier.get('when', '?')} en {run.get('when', '?')}",
                       "load": max(run.get("load") or 0, earlier.get("load") or 0)}
            runs.append(run)
        mail = [m for m in mail if m["label"] not in {n["label"] for n in data["mail"]}] + data["mail"]
        notes += data["notes"]
    runs.sort(key=lambda r: (r["database"] != "sqlite", r["scale"]))
    started = min((datetime.strptime(r["when"][:20], "%Y-%m-%d %H:%M UTC").replace(tzinfo=UTC)
                   for r in runs if r.get("when")), default=datetime.now(UTC))
    Path(OUTPUT).write_text(document(runs, mail, notes, started))
    log(f"geschreven: {OUTPUT}")
    summary(runs, mail)
    return 0


def main() -> int:
    if "--prepare" in sys.argv[1:]:
        return prepare_only()
    if sys.argv[1:2] == ["--document"]:
        return document_only(sys.argv[2:])
    started = datetime.now(UTC)
    if shutil.which("wrk") is None:
        print("wrk ontbreekt: `apt-get install wrk` (make bench doet dat zelf)", file=sys.stderr)
        return 2
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    rundir = BENCH_DIR / f"run-{started.strftime('%Y%m%dT%H%M%S')}"
    rundir.mkdir()
    notes, runs, used = [], [], []
    for name in DATABASES:
        database = Sqlite() if name == "sqlite" else Postgres()
        missing = database.available()
        if missing:
            notes.append(f"{database.label} overgeslagen: {missing}.")
            log(notes[-1])
            continue
        used.append(database)
        for scale in SCALES:
            try:
                runs.append(run_one(database, scale, rundir))
            except Exception as error:  # noqa: BLE001 - one failed run must not lose the others
                notes.append(f"{database.label} schaal {scale} mislukt: {error!r} (logboeken in {rundir}).")
                log(notes[-1])
    mail = mail_figures(used) if ENV.get("BENCH_MAIL", "1") != "0" else []
    (rundir / "results.json").write_text(json.dumps({"runs": runs, "mail": mail, "notes": notes}))
    for earlier in (ENV.get("BENCH_INCLUDE") or "").split(","):
        # Runs of an earlier results.json that this run did not repeat (same database and scale).
        if earlier.strip():
            old = json.loads(Path(earlier.strip()).read_text())
            runs = [r for r in old["runs"] if not find(runs, r["database"], r["scale"])] + runs
            mail = mail or old["mail"]
            notes = [n + f" (uit {Path(earlier).parent.name})" for n in old["notes"]] + notes
    runs.sort(key=lambda r: (r["database"] != "sqlite", r["scale"]))
    if OUTPUT != "-":
        Path(OUTPUT).write_text(document(runs, mail, notes, started))
        log(f"geschreven: {OUTPUT}")
    summary(runs, mail)
    return 0 if runs else 1


if __name__ == "__main__":
    sys.exit(main())
