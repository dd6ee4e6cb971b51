"""App factory, configuration, health check, headers and error pages."""

import pytest

from config import ProductionConfig
from tracker import create_app


def test_production_refuses_to_start_without_a_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)

    class Production(ProductionConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.sqlite3'}"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Production)


def test_production_starts_with_a_secret_and_secure_cookies(tmp_path):
    class Production(ProductionConfig):
        SECRET_KEY = "a-production-secret-from-the-environment"
        TRACKER_DATA_KEY = "cHJvZHVjdGlvbi1kYXRhLWtleS1mcm9tLXRoZS1lbnY="  # 32 bytes
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'p.sqlite3'}"

    app = create_app(Production)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_generates_a_secret_into_the_instance_folder(monkeypatch, tmp_path):
    from config import DevelopmentConfig, development_secret_key

    class Development(DevelopmentConfig):
        SECRET_KEY = None
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'd.sqlite3'}"

    monkeypatch.setattr("config.INSTANCE_DIR", tmp_path)
    first = development_secret_key(tmp_path)
    assert len(first) >= 32
    assert development_secret_key(tmp_path) == first  # generated once, then reused
    app = create_app(Development)
    assert app.config["SECRET_KEY"]


def test_database_url_is_normalised_to_psycopg():
    from config import normalise_database_url

    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_healthz_checks_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = create_app(
        {
            "TRACKER_ENV": "testing",
            # Nothing listens on port 1: the database is unreachable.
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "onbereikbaar"


@pytest.mark.parametrize("path", ["/inloggen", "/healthz", "/bestaat-niet", "/static/css/app.css"])
def test_security_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
                      "script-src 'self'", "style-src 'self'"):
        assert directive in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    response.close()


def test_pages_are_not_cached_and_vary_on_htmx(client):
    response = client.get("/inloggen")
    assert response.headers["Cache-Control"] == "no-store"
    assert "HX-Request" in response.headers["Vary"]


def test_error_page_is_dutch_and_fragment_for_htmx(client):
    page = client.get("/bestaat-niet")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "Niet gevonden" in html and '<html lang="nl"' in html
    fragment = client.get("/bestaat-niet", headers={"HX-Request": "true"})
    assert fragment.status_code == 404
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Content-Security-Policy" in fragment.headers


def test_templates_have_no_inline_scripts_styles_or_handlers(app):
    import re
    from pathlib import Path

    templates = Path(app.template_folder).rglob("*.html")
    offenders = []
    for path in templates:
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)", text) or re.search(r"\sstyle=", text) \
                or re.search(r"\son[a-z]+=", text) or "|safe" in text:
            offenders.append(str(path))
    assert offenders == []
