"""0012: mail sent before the revision loses its working links; queued mail keeps them."""

from datetime import UTC, datetime

from flask_migrate import upgrade
from sqlalchemy import MetaData, Table, select

from tests.test_migrations import empty_database  # noqa: F401  (fixture)
from tracker import create_app
from tracker.extensions import db

TOKEN = "eyJ1IjoxLCJmIjoiYWJjIn0.Z2VoZWlt.aGFuZHRla2VuaW5n"


def test_old_sent_mail_loses_its_token_links_and_queued_mail_keeps_them(empty_database):  # noqa: F811
    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision="0009_editions")
        with db.engine.begin() as connection:
            outbox = Table("outbox_messages", MetaData(), autoload_with=connection)
            now = datetime(2018, 2, 5, 7, 0, tzinfo=UTC)
            for number, status in enumerate(["sent", "failed", "queued"]):
                connection.execute(outbox.insert().values(
                    idempotency_key=f"password:{number}", kind="password_link",
                    recipients=["a@example.org"], subject="Nieuw wachtwoord",
                    body_text=f"Link: http://localhost/wachtwoord/{TOKEN}\n",
                    body_html=f'<a href="http://localhost/rsvp/{TOKEN}">antwoord</a>',
                    headers={"List-Unsubscribe": f"<http://localhost/afmelden/{TOKEN}/direct>"},
                    attachments=[], message_id=f"<{number}@tracker>", status=status,
                    attempts=1, next_attempt_at=now, created_at=now))
        upgrade()
        with db.engine.connect() as connection:
            outbox = Table("outbox_messages", MetaData(), autoload_with=connection)
            rows = {r.status: r for r in connection.execute(select(outbox))}
        for status in ("sent", "failed"):
            row = rows[status]
            assert TOKEN not in f"{row.body_text}{row.body_html}{row.headers}"
            assert "http://localhost/wachtwoord/[verborgen]" in row.body_text
            assert "/rsvp/[verborgen]" in row.body_html
            assert row.headers["List-Unsubscribe"] == "<http://localhost/afmelden/[verborgen]/direct>"
        assert TOKEN in rows["queued"].body_text
        db.engine.dispose()
