"""Bijlagen on actions, pilots and meetings: upload, type by content, size limits, storage
outside the web root, download headers, who may see and remove, audit, AVG, no N+1."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from tests import attachment_samples as samples
from tests.conftest import csrf_token_for
from tests.factories import add_member, create_action, create_team, create_user
from tests.test_migrations import empty_database as empty_database  # the fixture
from tracker.attachments.models import Attachment
from tracker.audit.models import AuditEntry
from tracker.enums import Role, TeamRole
from tracker.events.models import Event
from tracker.extensions import db
from tracker.pilots.models import Pilot

MB = 1024 * 1024


@pytest.fixture
def store(app, tmp_path, monkeypatch):
    """The attachment directory of this test (created on demand by the app)."""
    directory = tmp_path / "bijlagen"
    monkeypatch.setitem(app.config, "TRACKER_ATTACHMENT_DIR", str(directory))
    return directory


@pytest.fixture
def world(store):
    """Team A with an action, a pilot and a meeting; people with different rights."""
    team_a, team_b = create_team(slug="team-a"), create_team(slug="team-b")
    people = {
        "coordinator": create_user(role=Role.COORDINATOR, name="Carla Coördinator"),
        "member": create_user(role=Role.COORDINATOR, name="Mirjam Lid"),
        "other_member": create_user(role=Role.COORDINATOR, name="Otto Lid"),
        "outsider": create_user(role=Role.PARTNER, name="Piet Partner"),
        "lezer": create_user(role=Role.LEZER, name="Lies Lezer"),
        "beheerder": create_user(role=Role.BEHEERDER, name="Bea Beheer"),
    }
    add_member(team_a, people["coordinator"], TeamRole.COORDINATOR)
    add_member(team_a, people["member"], TeamRole.LID)
    add_member(team_a, people["other_member"], TeamRole.LID)
    add_member(team_b, people["outsider"], TeamRole.LID)
    action = create_action(team_a, title="Convenant opstellen")
    pilot = Pilot(team=team_a, title="Pilot Zwolle")
    event = Event(team=team_a, title="Overleg maart", organiser=people["coordinator"])
    db.session.add_all([pilot, event])
    db.session.commit()
    return {"team": team_a, "action": action, "pilot": pilot, "event": event, **people}


def upload_url(parent) -> str:
    return f"/{parent.__tablename__}/{parent.id}/bijlagen"


def page_url(parent) -> str:
    return f"/{parent.__tablename__}/{parent.id}"


def upload(client, parent, name: str, data: bytes, **kwargs):
    """POST the file as a browser's form would (the body encoded in memory: the test
    client's own spooling would leave a temporary file open when a 413 stops the read)."""
    from werkzeug.datastructures import FileStorage, MultiDict
    from werkzeug.test import encode_multipart

    token = csrf_token_for(client)
    boundary, body = encode_multipart(MultiDict({
        "csrf_token": token, "bestand": FileStorage(io.BytesIO(data), filename=name)}))
    return client.post(upload_url(parent), data=body,
                       content_type=f"multipart/form-data; boundary={boundary}", **kwargs)


def stored_files(store) -> list:
    return sorted(store.iterdir()) if store.exists() else []


def attachment_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Attachment.id)))


# --- Upload and download ------------------------------------------------------------------


@pytest.mark.parametrize("parent", ["action", "pilot", "event"])
def test_upload_and_download_round_trip(world, client, login, store, parent):
    login(world["member"])
    target = world[parent]
    data = samples.pdf(5000)
    response = upload(client, target, "Verslag maart.pdf", data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(page_url(target) + "#bijlagen")

    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.file_name == "Verslag maart.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(data)
    assert attachment.uploaded_by_id == world["member"].id
    # Stored outside the web root under a random name; the original name only in the DB.
    files = stored_files(store)
    assert [f.name for f in files] == [attachment.storage_name]
    assert len(attachment.storage_name) == 32 and "Verslag" not in attachment.storage_name
    assert files[0].read_bytes() == data

    page = client.get(page_url(target)).get_data(as_text=True)
    assert 'id="bijlagen"' in page and "Verslag maart.pdf" in page and "Mirjam Lid" in page
    assert 'enctype="multipart/form-data"' in page

    download = client.get(f"/bijlagen/{attachment.id}")
    assert download.status_code == 200
    assert download.data == data
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Verslag maart.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Cache-Control"] == "private, no-store"


def test_a_non_ascii_name_is_offered_with_rfc_6266_filename_star(world, client, login):
    login(world["member"])
    upload(client, world["action"], "Één overzicht – café.pdf", samples.pdf())
    attachment = db.session.scalars(select(Attachment)).one()
    disposition = client.get(f"/bijlagen/{attachment.id}").headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('Één overzicht – café.pdf')}" in disposition


@pytest.mark.parametrize(("name", "data", "content_type"), [
    ("foto.png", samples.png(), "image/png"),
    ("foto.JPG", samples.jpeg(), "image/jpeg"),
    ("verslag.docx", samples.docx(), "application/vnd.openxmlformats-officedocument."
                                     "wordprocessingml.document"),
    ("cijfers.xlsx", samples.xlsx(), "application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet"),
    ("notitie.odt", samples.odt(), "application/vnd.oasis.opendocument.text"),
    ("cijfers.csv", samples.TEXT, "text/csv; charset=utf-8"),
    ("notitie.txt", samples.TEXT, "text/plain; charset=utf-8"),
])
def test_allowed_kinds_are_stored_with_the_type_of_their_content(world, client, login, name,
                                                                  data, content_type):
    login(world["coordinator"])
    assert upload(client, world["action"], name, data).status_code == 303
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.content_type == content_type
    assert client.get(f"/bijlagen/{attachment.id}").headers["Content-Type"] == content_type


@pytest.mark.parametrize(("name", "data"), [
    ("handleiding.pdf", samples.EXE),          # a program renamed to .pdf
    ("foto.png", samples.HTML),                # a web page renamed to .png
    ("logo.png", samples.SVG),                 # SVG can carry script
    ("logo.svg", samples.SVG),
    ("pagina.html", samples.HTML),
    ("verslag.docx", samples.docm()),          # macro-enabled Word named .docx
    ("archief.pdf", samples.plain_zip()),      # a zip is no document
    ("foto.png", samples.pdf()),               # a real PDF under an image's name
    ("programma.exe", samples.EXE),
])
def test_a_disguised_or_unlisted_type_is_refused_and_nothing_is_kept(world, client, login, store,
                                                                     name, data):
    login(world["coordinator"])
    response = upload(client, world["action"], name, data)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "is geweigerd: de inhoud is geen toegestaan bestandstype" in text
    assert 'aria-invalid="true"' in text and "Er is niets opgeslagen" in text
    assert attachment_count() == 0
    assert stored_files(store) == []
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "attachment.add")) == 0


def test_the_htmx_upload_swaps_the_block_and_a_refusal_stays_in_it(world, client, login):
    login(world["member"])
    headers = {"HX-Request": "true", "HX-Target": "bijlagen"}
    ok = upload(client, world["pilot"], "plan.pdf", samples.pdf(), headers=headers)
    assert ok.status_code == 200
    body = ok.get_data(as_text=True)
    assert body.lstrip().startswith("<section") and "plan.pdf" in body
    assert "Bijlage “plan.pdf” is toegevoegd." in body
    refused = upload(client, world["pilot"], "x.png", samples.HTML, headers=headers)
    assert refused.status_code == 422 and refused.get_data(as_text=True).lstrip().startswith(
        "<section")


def test_the_file_name_loses_its_folders_and_a_bsn_in_it_is_refused(world, client, login, store):
    login(world["member"])
    assert upload(client, world["action"], "../../Documenten/plan.pdf",
                  samples.pdf()).status_code == 303
    assert db.session.scalars(select(Attachment.file_name)).all() == ["plan.pdf"]
    refused = upload(client, world["action"], "dossier 111222333.pdf", samples.pdf())
    assert refused.status_code == 422
    assert "burgerservicenummer" in refused.get_data(as_text=True)
    assert attachment_count() == 1 and len(stored_files(store)) == 1
    # Right-to-left override ("…‮fdp.exe" shows as "…exe.pdf"): refused.
    assert upload(client, world["action"], "plan\u202efdp.exe", samples.pdf()).status_code == 422
    assert upload(client, world["action"], "", samples.pdf()).status_code == 422


# --- Size ------------------------------------------------------------------------------------


def test_a_three_megabyte_file_passes_the_global_two_megabyte_limit(world, client, login, store):
    login(world["member"])
    data = samples.pdf(3 * MB)
    assert len(data) > 2 * MB
    assert upload(client, world["action"], "groot.pdf", data).status_code == 303
    assert stored_files(store)[0].read_bytes() == data


def test_a_file_over_the_limit_is_refused_with_413_in_dutch(world, client, login, store, app,
                                                           monkeypatch):
    monkeypatch.setitem(app.config, "TRACKER_ATTACHMENT_MAX_BYTES", 3 * MB)
    login(world["member"])
    just_over = upload(client, world["action"], "te-groot.pdf", samples.pdf(3 * MB + 10))
    assert just_over.status_code == 413
    assert "Het bestand is te groot: een bijlage mag hoogstens 3 MB zijn" in just_over.get_data(
        as_text=True)
    far_over = upload(client, world["action"], "veel-te-groot.pdf", samples.pdf(5 * MB))
    assert far_over.status_code == 413  # from Content-Length, before the form is read
    assert "hoogstens 3 MB" in far_over.get_data(as_text=True)
    assert attachment_count() == 0 and stored_files(store) == []


def test_other_routes_keep_the_global_limit(world, client, login):
    login(world["member"])
    token = csrf_token_for(client)
    response = client.post(f"/actions/{world['action'].id}/comments",
                           data={"csrf_token": token, "text": "x" * (3 * MB)})
    assert response.status_code == 413


def test_an_anonymous_100_megabyte_post_is_refused_from_its_headers(world, client):
    """The raised limit is for signed-in users: a stranger's body is never read."""
    for promised in (100 * MB, 5 * MB):  # 5 MB: within a signed-in user's limit, not theirs
        body = io.BytesIO(b"--x\r\n")  # reading the promised body would fail (400)
        response = client.post(upload_url(world["action"]), input_stream=body,
                               content_type="multipart/form-data; boundary=x",
                               environ_overrides={"CONTENT_LENGTH": str(promised)})
        assert response.status_code == 413, promised
        assert "te groot" in response.get_data(as_text=True)


# --- Who may -------------------------------------------------------------------------------


@pytest.mark.parametrize("parent", ["action", "pilot", "event"])
def test_who_does_not_see_the_team_may_not_upload_or_download(world, client, login, store,
                                                              parent):
    login(world["member"])
    upload(client, world[parent], "plan.pdf", samples.pdf())
    attachment = db.session.scalars(select(Attachment)).one()
    login(world["outsider"])
    assert upload(client, world[parent], "ander.pdf", samples.pdf()).status_code == 403
    assert client.get(f"/bijlagen/{attachment.id}").status_code == 403
    assert client.get(f"/bijlagen/{attachment.id}/verwijderen").status_code == 403
    assert attachment_count() == 1 and len(stored_files(store)) == 1


def test_a_reader_downloads_but_does_not_upload_and_strangers_log_in_first(world, client, login):
    login(world["member"])
    upload(client, world["action"], "plan.pdf", samples.pdf())
    attachment = db.session.scalars(select(Attachment)).one()
    login(world["lezer"])
    assert client.get(f"/bijlagen/{attachment.id}").status_code == 200
    assert upload(client, world["action"], "x.pdf", samples.pdf()).status_code == 403
    page = client.get(page_url(world["action"])).get_data(as_text=True)
    assert "plan.pdf" in page and 'name="bestand"' not in page and "Verwijderen" not in page
    with client.session_transaction() as session:
        session.clear()
    response = client.get(f"/bijlagen/{attachment.id}")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    assert client.get("/bijlagen/999999").status_code == 302


# --- Removal -------------------------------------------------------------------------------


def _remove(client, attachment_id: int):
    token = csrf_token_for(client)
    return client.post(f"/bijlagen/{attachment_id}/verwijderen", data={"csrf_token": token})


@pytest.mark.parametrize("remover", ["coordinator", "member", "beheerder"])
def test_the_coordinator_and_the_uploader_remove_a_file_and_it_leaves_the_disk(
        world, client, login, store, remover):
    login(world["member"])
    upload(client, world["event"], "presentatie.pdf", samples.pdf())
    attachment = db.session.scalars(select(Attachment)).one()
    attachment_id = attachment.id
    login(world[remover])
    confirm = client.get(f"/bijlagen/{attachment_id}/verwijderen")
    assert confirm.status_code == 200 and "presentatie.pdf" in confirm.get_data(as_text=True)
    assert attachment_count() == 1  # the confirmation page changes nothing
    response = _remove(client, attachment_id)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(page_url(world["event"]) + "#bijlagen")
    assert attachment_count() == 0
    assert stored_files(store) == []
    assert client.get(f"/bijlagen/{attachment_id}").status_code == 404


@pytest.mark.parametrize("who", ["other_member", "lezer", "outsider"])
def test_others_may_not_remove_a_file(world, client, login, store, who):
    login(world["member"])
    upload(client, world["action"], "plan.pdf", samples.pdf())
    attachment = db.session.scalars(select(Attachment)).one()
    login(world[who])
    assert client.get(f"/bijlagen/{attachment.id}/verwijderen").status_code == 403
    assert _remove(client, attachment.id).status_code == 403
    assert attachment_count() == 1 and len(stored_files(store)) == 1


def test_a_failed_upload_transaction_leaves_no_file_behind(world, client, login, store,
                                                           monkeypatch):
    """The file is written before the row; when the transaction fails, the file goes."""
    import tracker.attachments.services as services

    def broken_record(*args, **kwargs):
        raise RuntimeError("database gone")

    monkeypatch.setattr(services, "record", broken_record)
    login(world["member"])
    with pytest.raises(RuntimeError):
        upload(client, world["action"], "plan.pdf", samples.pdf())
    assert attachment_count() == 0
    assert stored_files(store) == []


def test_a_removal_that_rolls_back_keeps_the_file(world, client, login, store):
    from tracker.attachments.services import remove_attachment

    login(world["member"])
    upload(client, world["action"], "plan.pdf", samples.pdf())
    attachment = db.session.scalars(select(Attachment)).one()
    remove_attachment(attachment, actor=world["member"])
    db.session.rollback()
    assert attachment_count() == 1 and len(stored_files(store)) == 1


# --- Audit and AVG -------------------------------------------------------------------------


def test_upload_and_removal_are_in_the_audit_journal(world, client, login):
    login(world["member"])
    data = samples.pdf()
    upload(client, world["pilot"], "plan.pdf", data)
    attachment = db.session.scalars(select(Attachment)).one()
    login(world["coordinator"])
    _remove(client, attachment.id)
    entries = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action.like("attachment.%")).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id, e.object_type, e.object_id) for e in entries] == [
        ("attachment.add", world["member"].id, "pilots", world["pilot"].id),
        ("attachment.remove", world["coordinator"].id, "pilots", world["pilot"].id),
    ]
    import hashlib

    assert entries[0].after["sha256"] == hashlib.sha256(data).hexdigest()
    assert entries[1].before["file_name"] == "plan.pdf"
    # The parent's page shows it in its history.
    assert "Bijlage “plan.pdf” verwijderd" in client.get(page_url(world["pilot"])).get_data(
        as_text=True)


def test_the_persons_export_holds_their_attachments_and_the_files(world, client, login):
    from tracker.avg.export import export_person

    login(world["member"])
    data = samples.docx()
    upload(client, world["action"], "verslag.docx", data)
    login(world["coordinator"])
    upload(client, world["action"], "van-een-ander.pdf", samples.pdf())
    mine = db.session.scalars(select(Attachment).where(
        Attachment.file_name == "verslag.docx")).one()
    archive = zipfile.ZipFile(io.BytesIO(export_person(world["member"], actor=None)))
    assert archive.read(f"bijlagen/{mine.id}-verslag.docx") == data
    assert "verslag.docx" in archive.read("bijlagen.csv").decode("utf-8-sig")
    assert not any("van-een-ander" in name for name in archive.namelist())


def test_erasing_the_uploader_keeps_the_file_under_a_pseudonym(world, client, login, store):
    from tracker.avg.erasure import erase_person, pseudonym_for

    login(world["member"])
    upload(client, world["action"], "Notities Mirjam Lid.pdf", samples.pdf())
    erase_person(world["member"], actor=world["beheerder"], now=datetime.now(UTC))
    db.session.commit()
    attachment = db.session.scalars(select(Attachment)).one()
    pseudonym = pseudonym_for(world["member"].id).name
    assert attachment.uploaded_by.name == pseudonym
    assert attachment.file_name == f"Notities {pseudonym}.pdf"
    assert len(stored_files(store)) == 1
    login(world["coordinator"])
    page = client.get(page_url(world["action"])).get_data(as_text=True)
    assert pseudonym in page and "Mirjam" not in page


# --- Queries -------------------------------------------------------------------------------


@pytest.mark.parametrize("parent", ["action", "pilot", "event"])
def test_detail_pages_with_five_attachments_make_no_extra_queries(world, client, login,
                                                                  count_queries, parent):
    target = world[parent]
    uploaders = [world["coordinator"], world["member"], world["other_member"]]
    login(world["member"])
    upload(client, target, "een.pdf", samples.pdf())
    with count_queries() as one:
        assert client.get(page_url(target)).status_code == 200
    for n in range(4):
        login(uploaders[n % 3])
        upload(client, target, f"bijlage-{n}.pdf", samples.pdf())
    login(world["member"])
    with count_queries() as five:
        response = client.get(page_url(target))
    assert response.get_data(as_text=True).count('class="vnon-attachments__item"') == 5
    # Five files, three uploaders: the same queries as for one (plus audit rows only).
    assert five.count == one.count, five.statements[one.count:]


# --- Migration -----------------------------------------------------------------------------


def test_migration_0024_goes_up_and_down_with_rows_in_it(empty_database):
    """0024 alone: the table, its one-parent rule and its foreign keys; back to 0017."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import IntegrityError

    from tracker import create_app

    app = create_app({"TRACKER_ENV": "testing", "SQLALCHEMY_DATABASE_URI": empty_database})
    with app.app_context():
        upgrade(revision="0023_search")
        assert "attachments" not in inspect(db.engine).get_table_names()
        upgrade(revision="0024_attachments")
        assert "attachments" in inspect(db.engine).get_table_names()
        row = ("INSERT INTO attachments (action_id, pilot_id, event_id, file_name, storage_name,"
               " content_type, size, sha256, uploaded_at) VALUES ({a}, NULL, NULL, 'x.pdf', "
               "'{s}', 'application/pdf', 1, '0', CURRENT_TIMESTAMP)")
        action_id = create_action(create_team()).id  # 0024 is the head: the models fit
        db.session.commit()
        db.session.remove()  # no open transaction may hold a lock the downgrade needs
        with db.engine.begin() as connection:
            connection.execute(text(row.format(a=action_id, s="a" * 32)))
        with pytest.raises(IntegrityError), db.engine.begin() as connection:  # no parent at all
            connection.execute(text(row.format(a="NULL", s="b" * 32)))
        downgrade(revision="0023_search")
        assert "attachments" not in inspect(db.engine).get_table_names()
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_orphans_lists_files_without_a_row(world, client, login, store):
    from tracker.attachments.storage import orphans

    login(world["member"])
    upload(client, world["action"], "plan.pdf", samples.pdf())
    stray = store / ("f" * 32)
    stray.write_bytes(b"left by a crash")
    assert orphans(db.session) == [stray]
