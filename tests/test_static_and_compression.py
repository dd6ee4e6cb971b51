"""Static files (fingerprinted, cached for a year, no cookie, no SQL) and compressed responses."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli
import pytest
from flask import Flask, Response, stream_with_context, url_for
from sqlalchemy import select

from tests.conftest import csrf_token_for
from tests.factories import create_action
from tracker import create_app
from tracker.actions.models import Action
from tracker.actions.rules import OPEN_STATUSES
from tracker.auth.models import User
from tracker.extensions import db
from tracker.network.models import Team

IMMUTABLE = "public, max-age=31536000, immutable"
STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _static_files(app: Flask) -> dict[str, bytes]:
    """Every file of the static folder by its name there, read from disk."""
    folder = Path(app.static_folder)
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def _static_url(app: Flask, name: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=name)


def _decoded(response) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    if encoding == "br":
        return brotli.decompress(response.data)
    if encoding == "gzip":
        return gzip.decompress(response.data)
    assert encoding is None, encoding
    return response.data


# --- Fingerprinted names ------------------------------------------------------------------


def test_every_static_file_has_a_url_with_its_content_hash_cached_for_a_year(app, client):
    files = _static_files(app)
    assert {"css/app.css", "css/theme.css", "js/drafts.js", "img/favicon.svg"} <= set(files)
    for name, content in files.items():
        url = _static_url(app, name)
        stem, dot, suffix = name.rpartition(".")
        digest = hashlib.sha256(content).hexdigest()[:12]
        assert url == f"/static/{stem}.{digest}.{suffix}", (name, url)
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.data == content  # no Accept-Encoding: the file as it is
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["ETag"].startswith('W/"')
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in response.headers
        assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
        assert "Set-Cookie" not in response.headers
    assert _static_url(app, "css/app.css").endswith(".css")
    assert (client.get(_static_url(app, "css/app.css")).headers["Content-Type"]
            == "text/css; charset=utf-8")


def test_pages_link_only_fingerprinted_static_urls(demo, app, client, login):
    manifest = {_static_url(app, name) for name in _static_files(app)}
    for path in ("/inloggen", "/start"):
        if path == "/start":
            login(_user("coordinator@example.org"))
        html = client.get(path).get_data(as_text=True)
        urls = STATIC_URL.findall(html)
        assert len(urls) >= 5, html[:500]
        assert set(urls) <= manifest, set(urls) - manifest


def test_plain_and_outdated_names_still_work_with_a_short_cache(app, client):
    content = (Path(app.static_folder) / "css" / "app.css").read_bytes()
    current = client.get(_static_url(app, "css/app.css"))
    plain = client.get("/static/css/app.css")
    assert plain.status_code == 200 and plain.data == content
    assert plain.headers["Cache-Control"] == "no-cache"
    assert plain.headers["ETag"] == current.headers["ETag"]
    outdated_digest = "0" * 12 if "0" * 12 not in current.request.path else "1" * 12
    outdated = client.get(f"/static/css/app.{outdated_digest}.css")
    assert outdated.status_code == 200 and outdated.data == content
    assert outdated.headers["Cache-Control"] == "no-cache"
    # The browser revalidates with the ETag: nothing is sent again.
    again = client.get("/static/css/app.css", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Cache-Control"] == "no-cache"
    changed = client.get("/static/css/app.css", headers={"If-None-Match": 'W/"something-else"'})
    assert changed.status_code == 200 and changed.data == content


def test_unknown_files_methods_and_head(app, client):
    missing = client.get("/static/css/bestaat-niet.css")
    assert missing.status_code == 404
    assert missing.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/static/../config.py").status_code == 404
    url = _static_url(app, "js/drafts.js")
    refused = client.post(url)
    assert refused.status_code == 405 and refused.headers["Allow"] == "GET, HEAD"
    head = client.head(url)
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) == len(client.get(url).data)


def test_static_files_for_a_logged_in_user_set_no_cookie_and_run_no_sql(
        demo, app, client, login, count_queries):
    login(_user("coordinator@example.org"))
    # The same client on a page: SQL runs and the session cookie is refreshed, so the
    # counter and the cookie check below do see what a static request would do.
    with count_queries() as page_counter:
        page = client.get("/start")
    assert page.status_code == 200
    assert page_counter.count > 0 and "Set-Cookie" in page.headers
    url = _static_url(app, "css/theme.css")
    etag = client.get(url).headers["ETag"]
    requests = [
        (url, {}),
        (url, {"Accept-Encoding": "gzip, br"}),
        (url, {"If-None-Match": etag}),
        ("/static/css/theme.css", {}),
        ("/static/css/bestaat-niet.css", {}),
    ]
    for path, headers in requests:
        with count_queries() as counter:
            response = client.get(path, headers=headers)
        assert counter.count == 0, (path, counter.statements)
        assert "Set-Cookie" not in response.headers, path
        assert "no-store" not in response.headers.get("Cache-Control", ""), path
    # The session still works afterwards (nothing was cleared by the static requests).
    assert client.get("/start").status_code == 200


# --- Compression of static files ----------------------------------------------------------


@pytest.mark.parametrize(("accept", "expected"), [
    ("gzip, deflate, br, zstd", "br"),
    ("gzip", "gzip"),
    ("br", "br"),
    ("gzip;q=1.0, br;q=0.5", "gzip"),
    ("*", "br"),
    ("br;q=0, gzip;q=0", None),
    ("identity", None),
    ("", None),
])
def test_static_files_are_compressed_as_the_client_accepts(app, client, accept, expected):
    name = "css/vendor/utrecht-component-library-9.0.4.css"
    content = (Path(app.static_folder) / name).read_bytes()
    response = client.get(_static_url(app, name), headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    assert response.headers.get("Content-Encoding") == expected
    assert "Accept-Encoding" in response.headers["Vary"]
    assert _decoded(response) == content
    assert int(response.headers["Content-Length"]) == len(response.data)
    if expected:
        assert len(response.data) < len(content) / 10  # 400 KB of CSS: under 40 KB
        assert response.headers["Cache-Control"] == IMMUTABLE


def test_tiny_static_files_are_not_compressed(app, client):
    name = "img/favicon.svg"
    size = (Path(app.static_folder) / name).stat().st_size
    assert size < app.config["COMPRESS_MIN_SIZE"]
    response = client.get(_static_url(app, name), headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in response.headers
    assert "Vary" not in response.headers
    assert response.headers["Content-Type"].startswith("image/svg+xml")


def test_a_conditional_request_for_a_compressed_file_gets_304(app, client):
    url = _static_url(app, "js/htmx-2.0.8.min.js")
    first = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    again = client.get(url, headers={"Accept-Encoding": "gzip",
                                     "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


# --- Compression of dynamic responses -----------------------------------------------------


def test_pages_are_compressed_and_still_not_stored(demo, client, login):
    login(_user("coordinator@example.org"))
    plain = client.get("/start")
    compressed = client.get("/start", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain.headers
    assert compressed.headers["Content-Encoding"] == "br"
    html = _decoded(compressed).decode()
    assert "Werk van mijn teams" in html and len(html) > 2 * len(compressed.data)
    assert compressed.headers["Cache-Control"] == "no-store"
    vary = compressed.headers["Vary"]
    assert "Accept-Encoding" in vary and "HX-Request" in vary and "Sec-Fetch-Site" in vary
    gzipped = client.get("/start", headers={"Accept-Encoding": "gzip"})
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert "Werk van mijn teams" in _decoded(gzipped).decode()


def test_requests_started_by_another_site_are_not_compressed(demo, client, login):
    """BREACH: a page another site made the browser ask for has no length to measure."""
    login(_user("coordinator@example.org"))
    for site in ("cross-site", "same-site"):
        response = client.get("/start", headers={"Accept-Encoding": "gzip, br",
                                                 "Sec-Fetch-Site": site})
        assert response.status_code == 200
        assert "Content-Encoding" not in response.headers
        assert "Werk van mijn teams" in response.get_data(as_text=True)
        assert "Sec-Fetch-Site" in response.headers["Vary"]
    for site in ("same-origin", "none"):
        response = client.get("/start", headers={"Accept-Encoding": "gzip, br",
                                                 "Sec-Fetch-Site": site})
        assert response.headers["Content-Encoding"] == "br"


def test_htmx_fragments_and_the_done_post_work_compressed(demo, client, login):
    login(_user("coordinator@example.org"))
    accept = {"Accept-Encoding": "br, gzip", "HX-Request": "true"}
    fragment = client.get("/teams/verwarde-personen?status=actief",
                          headers={**accept, "HX-Target": "acties-lijst"})
    assert fragment.status_code == 200
    assert fragment.headers["Content-Encoding"] == "br"
    html = _decoded(fragment).decode()
    assert "<html" not in html and "<tr" in html
    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    action = db.session.scalars(select(Action).where(
        Action.team_id == team.id, Action.status.in_(OPEN_STATUSES)).order_by(Action.id)).first()
    done = client.post(f"/actions/{action.id}/done", headers=accept, data={
        "version": action.version, "csrf_token": csrf_token_for(client)})
    assert done.status_code == 200
    row = _decoded(done).decode()
    assert row.lstrip().startswith("<tr") and "Ongedaan maken" in row
    assert "actions-changed" in done.headers["HX-Trigger"]


def test_csv_and_calendar_downloads_are_compressed_to_the_same_bytes(demo, app, client, login):
    team = db.session.scalar(select(Team).where(Team.slug == "verwarde-personen"))
    for n in range(30):
        create_action(team, title=f"Afspraak {n} met de gemeenten over de aanpak")
    db.session.commit()
    login(_user("coordinator@example.org"))
    path = "/teams/verwarde-personen/actions.csv"
    plain = client.get(path)
    gzipped = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert plain.status_code == gzipped.status_code == 200
    assert len(plain.data) >= app.config["COMPRESS_MIN_SIZE"]
    assert gzipped.headers["Content-Encoding"] == "gzip"
    assert _decoded(gzipped) == plain.data
    assert gzipped.headers["Content-Disposition"] == plain.headers["Content-Disposition"]

    html = client.post("/agenda/link", data={"csrf_token": csrf_token_for(client)}).get_data(
        as_text=True)
    feed = re.search(r'value="http://localhost(/agenda/[^"]+\.ics)"', html).group(1)
    calendar_client = app.test_client()  # a calendar program: no session
    plain_feed = calendar_client.get(feed)
    compressed_feed = calendar_client.get(feed, headers={"Accept-Encoding": "gzip, br"})
    assert compressed_feed.headers["Content-Encoding"] == "br"
    assert _decoded(compressed_feed).split(b"DTSTAMP")[0] == plain_feed.data.split(b"DTSTAMP")[0]
    assert b"BEGIN:VCALENDAR" in _decoded(compressed_feed)


def test_tiny_and_already_compressed_responses_are_left_alone(demo, client, login):
    health = client.get("/healthz", headers={"Accept-Encoding": "gzip, br"})
    assert health.status_code == 200 and len(health.data) < 1024
    assert "Content-Encoding" not in health.headers
    login(_user("coordinator@example.org"))
    word = client.get("/report.docx", headers={"Accept-Encoding": "gzip, br"})
    assert word.status_code == 200, word.status_code
    assert word.data[:2] == b"PK"  # a zip, not compressed a second time
    assert "Content-Encoding" not in word.headers
    excel = client.get("/teams/verwarde-personen/actions.xlsx",
                       headers={"Accept-Encoding": "gzip, br"})
    assert excel.status_code == 200 and excel.data[:2] == b"PK"
    assert "Content-Encoding" not in excel.headers


def test_streamed_responses_are_compressed_chunk_by_chunk(database_url):
    """No route streams today; the setting that would serve one is checked on an app
    built by the same factory, with one streaming route added."""
    streaming_app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": database_url})
    lines = [f"regel;{n};{'x' * 40}\n".encode() for n in range(500)]

    @streaming_app.get("/stroom.csv")
    def stroom():
        return Response(stream_with_context(iter(lines)), mimetype="text/csv")

    stroom.required_permission = "public"
    client = streaming_app.test_client()
    for accept, encoding in (("gzip", "gzip"), ("br, gzip", "br"), ("", None)):
        response = client.get("/stroom.csv", headers={"Accept-Encoding": accept})
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == encoding
        assert response.is_streamed
        assert _decoded(response) == b"".join(lines)
