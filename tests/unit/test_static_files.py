"""tracker.static_files on a folder of its own: names, refresh, what is compressed."""

from __future__ import annotations

import gzip
import hashlib
import os
import time

from werkzeug.test import Client

from tracker.static_files import IMMUTABLE, REVALIDATE, StaticFiles, fingerprinted_name


def _not_found(environ, start_response):
    start_response("418 I'm a teapot", [])
    return [b"app"]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def test_fingerprinted_names():
    digest = "0123456789abcdef" * 4
    assert fingerprinted_name("css/app.css", digest) == "css/app.0123456789ab.css"
    assert fingerprinted_name("js/htmx-2.0.8.min.js", digest) == "js/htmx-2.0.8.min.0123456789ab.js"
    assert fingerprinted_name("LICENSE", digest) == "LICENSE.0123456789ab"


def test_only_the_prefix_is_served_and_hidden_files_are_not(tmp_path):
    (tmp_path / "a.css").write_text("body { color: black }")
    (tmp_path / ".secret").write_text("nee")
    files = StaticFiles(tmp_path, "/static")
    assert set(files.manifest) == {"a.css"}
    client = Client(files.wrap(_not_found))
    assert client.get("/elders").status_code == 418  # the app's own
    assert client.get("/static/.secret").status_code == 404
    response = client.get("/static/" + files.url_name("a.css"))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert files.url_name("b.css") == "b.css"  # unknown: left as asked


def test_an_edited_file_gets_a_new_name_with_autorefresh(tmp_path):
    css = tmp_path / "css" / "app.css"
    css.parent.mkdir()
    css.write_bytes(b"a { color: red }")
    files = StaticFiles(tmp_path, autorefresh=True)
    fixed = StaticFiles(tmp_path)
    old = files.url_name("css/app.css")
    assert old == f"css/app.{_digest(b'a { color: red }')}.css"
    css.write_bytes(b"a { color: blue }")
    stat = css.stat()
    os.utime(css, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    (tmp_path / "css" / "new.css").write_bytes(b"p {}")
    time.sleep(1.05)  # looked at again at most once a second
    new = files.url_name("css/app.css")
    assert new == f"css/app.{_digest(b'a { color: blue }')}.css"
    assert files.url_name("css/new.css") != "css/new.css"
    assert fixed.url_name("css/app.css") == old  # read once, at start
    client = Client(files.wrap(_not_found))
    outdated = client.get(f"/static/{old}")
    assert outdated.status_code == 200 and outdated.data == b"a { color: blue }"
    assert outdated.headers["Cache-Control"] == REVALIDATE
    assert client.get(f"/static/{new}").headers["Cache-Control"] == IMMUTABLE


def test_what_is_compressed(tmp_path):
    text = b"tekst " * 400
    (tmp_path / "big.js").write_bytes(text)
    (tmp_path / "small.css").write_bytes(b"a{}")
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4000))
    (tmp_path / "data.json").write_bytes(b'{"a": "' + b"b" * 3000 + b'"}')
    files = StaticFiles(tmp_path, min_size=1024)
    client = Client(files.wrap(_not_found))
    accept = {"Accept-Encoding": "gzip"}
    big = client.get("/static/" + files.url_name("big.js"), headers=accept)
    assert big.headers["Content-Encoding"] == "gzip" and gzip.decompress(big.data) == text
    assert big.headers["Content-Type"].startswith("text/javascript")
    for name in ("small.css", "image.png"):
        response = client.get("/static/" + files.url_name(name), headers=accept)
        assert "Content-Encoding" not in response.headers, name
        assert "Vary" not in response.headers, name
    data = client.get("/static/" + files.url_name("data.json"), headers=accept)
    assert data.headers["Content-Encoding"] == "gzip"
    assert data.headers["Content-Type"] == "application/json"
