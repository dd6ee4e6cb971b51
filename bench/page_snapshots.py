"""Save or compare the HTML of the pages issue 15 makes leaner (team page, team status,
the done/undo click), so a speed-up can be shown to answer the same bytes.

Run: ``.venv/bin/python bench/page_snapshots.py save DIR`` before a change and
``.venv/bin/python bench/page_snapshots.py compare DIR`` after it (exit status 1 and a
unified diff of the first differences when any answer changed).

Each run loads the demo network into a fresh SQLite file (or ``DATABASE_URL``, an empty
database you may wipe) with the clock stopped at :data:`FROZEN`, logs in as the
beheerder, the demo coordinator and the lezer, and asks each of them for every address in
:func:`requests_for`; the clicks run last, in a fixed order, so the database they see is
the same every run. Saved per request: the status, the headers that steer htmx
(``HX-Trigger``, ``Vary``, ``Location``, ``Content-Type``) and the body, with the CSRF
token (it differs per session) replaced by a placeholder.
"""

from __future__ import annotations

import difflib
import os
import re
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import time_machine  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.request_cpu import CSRF, PASSWORD, build_app  # noqa: E402
from config import normalise_database_url  # noqa: E402
from tracker.actions.models import Action  # noqa: E402
from tracker.enums import ActionStatus  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.network.models import Team  # noqa: E402

#: A Wednesday morning in Dutch winter time: the demo's dates fall around it the same way
#: every run.
FROZEN = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)
USERS = ("beheerder@example.org", "coordinator@example.org", "lezer@example.org")
#: The coordinator's team (the benchmark's), one with a sub-team, that sub-team, one more.
TEAMS = ("verwarde-personen", "ondermijning", "hennep", "jeugd")
FILTERS = ("", "?status=open", "?status=actief&sort=eigenaar", "?sort=-datum&pagina=2",
           "?due=te-laat", "?q=pilot&sort=titel", "?owner=geen&sort=status",
           "?status=gereed")
TOKEN = re.compile(rb'(name="csrf_token" (?:type="hidden" )?value=")[^"]+(")')
META_TOKEN = re.compile(rb'("X-CSRFToken": ")[^"]+(")')
HEADERS = ("Content-Type", "HX-Trigger", "Vary", "Location")


def _normalised(response) -> bytes:
    body = response.get_data()
    body = TOKEN.sub(rb"\1CSRF\2", body)
    body = META_TOKEN.sub(rb"\1CSRF\2", body)
    head = [f"{response.status_code}".encode()]
    head += [f"{h}: {response.headers[h]}".encode() for h in HEADERS if h in response.headers]
    return b"\n".join(head) + b"\n\n" + body


def _login(client, email: str) -> str:
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    page = client.get("https://localhost/inloggen").get_data(as_text=True)
    answer = client.post("https://localhost/inloggen", data={
        "email": email, "password": PASSWORD, "csrf_token": CSRF.search(page).group(1),
        "next": ""})
    assert answer.status_code == 303, (email, answer.status_code)
    home = client.get("https://localhost/").get_data(as_text=True)
    found = CSRF.search(home) or re.search(r'name="csrf-token" content="([^"]+)"', home)
    return found.group(1)


def snapshots() -> dict[str, bytes]:
    """Every answer by a readable name (user, method, address, htmx or not)."""
    tmp = tempfile.TemporaryDirectory()
    url = os.environ.get("DATABASE_URL")
    url = normalise_database_url(url) if url else f"sqlite:///{tmp.name}/snap.sqlite3"
    result: dict[str, bytes] = {}
    with time_machine.travel(FROZEN, tick=False):
        app = build_app(url)
        base = "https://localhost"
        clients = {}
        for email in USERS:
            client = app.test_client()
            clients[email] = (client, _login(client, email))
        for email, (client, _token) in clients.items():
            user = email.split("@")[0]
            for slug in TEAMS:
                for flt in FILTERS:
                    path = f"/teams/{slug}{flt}"
                    result[f"{user} GET {path}"] = _normalised(client.get(base + path))
                    fragment = client.get(base + path, headers={
                        "HX-Request": "true", "HX-Target": "acties-lijst"})
                    result[f"{user} GET {path} htmx"] = _normalised(fragment)
                path = f"/teams/{slug}/status"
                result[f"{user} GET {path}"] = _normalised(client.get(base + path))
        with app.app_context():
            team_id = db.session.scalar(select(Team.id).where(Team.slug == TEAMS[0]))
            rows = db.session.execute(
                select(Action.id, Action.version).where(
                    Action.team_id == team_id,
                    Action.status.in_([ActionStatus.OPEN, ActionStatus.BEZIG]))
                .order_by(Action.id).limit(3)).all()
            db.session.remove()
        for email in USERS[:2]:
            client, token = clients[email]
            user = email.split("@")[0]
            action_id, version = rows[USERS.index(email)]
            htmx = {"HX-Request": "true", "X-CSRFToken": token}
            steps = [("done", version, htmx), ("reopen", version + 1, htmx),
                     ("done", version + 1, htmx),  # stale: 409 with the current row
                     ("done", version + 2, {"X-CSRFToken": token}),  # no htmx: 303
                     ("reopen", version + 3, htmx)]
            for n, (verb, sent, headers) in enumerate(steps):
                answer = client.post(f"{base}/actions/{action_id}/{verb}", headers=headers,
                                     data={"next": f"/teams/{TEAMS[0]}?status=open",
                                           "version": sent})
                result[f"{user} POST {n} {verb} v{sent} {'htmx' if 'HX-Request' in headers else ''}"] = (
                    _normalised(answer))
        # The lezer may not click (403), and the rows after the clicks.
        client, token = clients[USERS[2]]
        answer = client.post(f"{base}/actions/{rows[0].id}/done", data={"version": 1},
                             headers={"HX-Request": "true", "X-CSRFToken": token})
        result["lezer POST done"] = _normalised(answer)
        client = clients[USERS[1]][0]
        result["coordinator GET after clicks"] = _normalised(
            client.get(f"{base}/teams/{TEAMS[0]}"))
    return result


def _file(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name) + ".txt"


def main() -> int:
    mode, folder = sys.argv[1], Path(sys.argv[2])
    taken = snapshots()
    if mode == "save":
        folder.mkdir(parents=True, exist_ok=True)
        for name, body in taken.items():
            (folder / _file(name)).write_bytes(body)
        print(f"{len(taken)} antwoorden bewaard in {folder}")
        return 0
    differ = 0
    for name, body in taken.items():
        saved = (folder / _file(name)).read_bytes()
        if saved != body:
            differ += 1
            if differ <= 3:
                sys.stdout.writelines(difflib.unified_diff(
                    saved.decode().splitlines(True), body.decode().splitlines(True),
                    f"bewaard/{name}", f"nu/{name}", n=1))
    print(f"{len(taken)} antwoorden, {differ} anders")
    return 1 if differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
