"""Backups that restore: one archive with the database, the attachment files and a manifest.

The archive is a gzip-compressed tar file holding, in this order:

- ``manifest.json``: ``format`` (``tracker-backup``), ``format_version`` (1), ``database``
  (``sqlite`` or ``postgresql``), ``schema_revision`` (the Alembic revision of the dump),
  ``created`` (ISO 8601, UTC), ``tables`` (row count per table at the moment of the dump),
  ``attachments`` (number of files) and, for PostgreSQL, ``pg_dump_version``;
- ``database.sqlite3`` (a copy made with SQLite's online backup API, consistent while the
  app writes) or ``database.pgdump`` (``pg_dump --format=custom`` of one snapshot; the
  counts and revision in the manifest are read from that same snapshot);
- ``attachments/<storage name>``: the files of ``TRACKER_ATTACHMENT_DIR``.

The database is dumped before the files are read, so an upload during the backup may add
an unreferenced file (harmless); a file removed in between is missing from the archive.

A restore writes the attachment files first, then replaces the database (SQLite: the
backup API into the live file, so running processes see the restored data at their next
transaction; PostgreSQL: ``pg_restore --clean --if-exists --no-owner --single-transaction``
with a short lock timeout, retried, so that the app's requests wait for the restore instead
of failing), brings an older schema up to date (``db upgrade``) and finally removes files
the restored database does not know of.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from tracker.attachments import storage
from tracker.extensions import db

FORMAT = "tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ATTACHMENTS = "attachments/"
_STORAGE_NAME = re.compile(r"^[0-9a-f]{32}$")

#: PostgreSQL restore: how long one statement of pg_restore waits for a lock held by the
#: app before the whole (single-transaction) restore is rolled back and tried again. Kept
#: below the server's deadlock_timeout (1 s by default), so that in a lock cycle with a
#: request it is the restore that gives way, never the request.
PG_LOCK_TIMEOUT_MS = 400
#: How long the retries of a PostgreSQL restore may take together.
PG_RESTORE_PATIENCE_S = 120.0
#: Sessions idle inside a transaction for longer than this block a restore for ever (a
#: request never idles that long); they are ended before the restore starts.
PG_STUCK_AFTER_S = 60


class BackupError(Exception):
    """A backup or restore that cannot go ahead; ``str()`` is the Dutch message for the CLI."""


@dataclass
class BackupResult:
    """What ``create_backup`` wrote: the archive's path and size in bytes and its manifest."""

    path: Path
    size: int
    manifest: dict


@dataclass
class RestoreResult:
    """What ``restore_backup`` did: the manifest restored, whether the schema was upgraded
    (from ``manifest['schema_revision']`` to ``revision_now``), files written and removed."""

    manifest: dict
    revision_now: str | None
    upgraded: bool
    attachments_written: int
    attachments_removed: int
    tables: dict[str, int] = field(default_factory=dict)
    #: PostgreSQL: how often pg_restore started (it gives way to the app's locks and retries).
    attempts: int = 1


# -- the database ------------------------------------------------------------------------


def database_kind(engine: Engine) -> str:
    """``sqlite`` or ``postgresql``; anything else is refused."""
    name = engine.dialect.name
    if name not in MEMBER:
        raise BackupError(f"Databasesoort {name} wordt niet ondersteund (alleen SQLite en "
                          f"PostgreSQL).")
    return name


def _revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per table (every table of the default schema, Alembic's included), by name."""
    preparer = connection.dialect.identifier_preparer
    return {
        name: connection.execute(
            text(f"SELECT count(*) FROM {preparer.quote(name)}")  # noqa: S608 - quoted table names
        ).scalar()
        for name in sorted(inspect(connection).get_table_names())
    }


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        raise BackupError("Alleen een SQLite-database in een bestand kan worden geback-upt.")
    return Path(database)


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy the database ``source`` to ``target`` with the online backup API (one snapshot)."""
    with contextlib.closing(sqlite3.connect(source, timeout=15)) as src, \
            contextlib.closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
        # A stand-alone file: no -wal beside it.
        dst.execute("PRAGMA journal_mode = DELETE")


# -- PostgreSQL client programs -----------------------------------------------------------


def _libpq_target(engine: Engine) -> tuple[str, dict[str, str]]:
    """The libpq URL without the password, and the environment carrying the password."""
    url = engine.url
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    target = url.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    return target, env


def _tool(name: str) -> tuple[str, str, int]:
    """The path of ``name`` on PATH, its version text and major version."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is niet gevonden op PATH ({name} not found). Installeer de "
            f"PostgreSQL-clientprogramma's van dezelfde of een nieuwere hoofdversie als de "
            f"server (Debian: apt-get install postgresql-client).")
    output = subprocess.run([path, "--version"], capture_output=True, text=True,  # noqa: S603
                            check=False).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", output)
    if not match:
        raise BackupError(f"De versie van {path} is onleesbaar: {output.strip()!r}.")
    return path, match.group(0), int(match.group(1))


def _server_major(connection: Connection) -> int:
    return int(connection.execute(text("SHOW server_version_num")).scalar()) // 10000


def _check_tool_version(name: str, major: int, needed: int, what: str) -> None:
    if major < needed:
        raise BackupError(
            f"{name} is versie {major}, ouder dan {what} (versie {needed}) ({name} is older "
            f"than {what}). Installeer postgresql-client {needed} of nieuwer en zet het "
            f"vooraan in PATH.")


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, capture_output=True, text=True,  # noqa: S603
                          check=False)


# -- writing an archive --------------------------------------------------------------------


def _attachment_files() -> list[Path]:
    directory = storage.storage_dir()
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and _STORAGE_NAME.match(p.name))


def _dump_database(kind: str, target: Path) -> dict:
    """Dump the live database to ``target``; the manifest fields read from the same snapshot."""
    engine = db.engine
    if kind == "sqlite":
        _sqlite_copy(_sqlite_path(engine), target)
        with contextlib.closing(sqlite3.connect(target)) as connection:
            names = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
            counts = {name: connection.execute(
                f'SELECT count(*) FROM "{name}"').fetchone()[0]  # noqa: S608 - names from the file
                for name in names if not name.startswith("sqlite_")}
            revision = (connection.execute("SELECT version_num FROM alembic_version").fetchone()
                        if "alembic_version" in names else None)
        return {"schema_revision": revision[0] if revision else None, "tables": counts}

    pg_dump, version, major = _tool("pg_dump")
    target_url, env = _libpq_target(engine)
    with engine.connect() as connection:
        _check_tool_version("pg_dump", major, _server_major(connection), "de server")
        connection.commit()
        # One snapshot for the dump and for the figures in the manifest.
        connection = connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
            counts = table_counts(connection)
            revision = _revision(connection)
            result = _run([pg_dump, "--format=custom", f"--snapshot={snapshot}",
                           f"--file={target}", f"--dbname={target_url}"], env)
    if result.returncode != 0:
        raise BackupError(f"pg_dump is mislukt (pg_dump failed): {result.stderr.strip()}")
    return {"schema_revision": revision, "tables": counts, "pg_dump_version": version}


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def create_backup(output: Path, *, now: datetime, force: bool = False) -> BackupResult:
    """Write the archive described in the module docstring to ``output``.

    ``now``: aware UTC time written into the manifest. The archive is written under a
    temporary name beside ``output`` and then moved into place, so ``output`` is either
    absent or complete. Raises :class:`BackupError` when ``output`` exists (unless
    ``force``), when its folder is missing, or when the dump fails (PostgreSQL: pg_dump
    missing or older than the server).
    """
    output = Path(output)
    if output.exists() and not force:
        raise BackupError(f"{output} bestaat al (file exists); kies een andere naam of "
                          f"overschrijf met --force.")
    if output.exists() and not output.is_file():
        raise BackupError(f"{output} is geen bestand.")
    if not output.parent.is_dir():
        raise BackupError(f"De map {output.parent} bestaat niet.")
    kind = database_kind(db.engine)
    db.session.commit()  # nothing of ours stays open while the dump runs
    temporary = output.parent / f".{output.name}.{secrets.token_hex(6)}.tmp"
    with tempfile.TemporaryDirectory(prefix=".tracker-backup-", dir=output.parent) as work:
        dump = Path(work) / MEMBER[kind]
        facts = _dump_database(kind, dump)
        files = _attachment_files()
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION, "database": kind,
            "schema_revision": facts["schema_revision"],
            "created": now.isoformat(timespec="seconds"),
            "tables": facts["tables"], "attachments": len(files),
        }
        if "pg_dump_version" in facts:
            manifest["pg_dump_version"] = facts["pg_dump_version"]
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                with tarfile.open(fileobj=handle, mode="w:gz") as archive:
                    _add_bytes(archive, MANIFEST,
                               json.dumps(manifest, indent=2, ensure_ascii=False).encode(),
                               now.timestamp())
                    archive.add(dump, arcname=MEMBER[kind], recursive=False, filter=_private)
                    for path in files:
                        with contextlib.suppress(FileNotFoundError):  # removed meanwhile
                            archive.add(path, arcname=ATTACHMENTS + path.name,
                                        recursive=False, filter=_private)
                handle.flush()
                os.fsync(handle.fileno())
            if force:
                os.replace(temporary, output)
            else:
                try:  # a link never replaces: a file that appeared meanwhile is kept
                    os.link(temporary, output)
                except FileExistsError:
                    raise BackupError(f"{output} bestaat al (file exists); kies een andere "
                                      f"naam of overschrijf met --force.") from None
                os.unlink(temporary)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
    return BackupResult(path=output, size=output.stat().st_size, manifest=manifest)


# -- reading an archive --------------------------------------------------------------------


def read_manifest(path: Path) -> dict:
    """The manifest of the archive at ``path``; :class:`BackupError` if it is not one."""
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{path} is geen back-up van de tracker (not a tracker backup): "
                          f"{error}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is geen back-up van de tracker (not a tracker backup).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"Back-upformaat {manifest.get('format_version')} is onbekend voor "
                          f"deze versie van de tracker.")
    return manifest


def _script():
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())


def check_restorable(manifest: dict) -> bool:
    """Refuse an archive this installation cannot restore; True when it needs ``db upgrade``.

    Raises :class:`BackupError` when the database kind differs from the live one, or the
    schema revision is unknown to this code (made by a newer version of the tracker).
    """
    from alembic.util import CommandError

    live = database_kind(db.engine)
    if manifest.get("database") != live:
        raise BackupError(
            f"Deze back-up is van een {manifest.get('database')}-database; deze installatie "
            f"gebruikt {live} (wrong database kind). Er is niets hersteld.")
    revision = manifest.get("schema_revision")
    script = _script()
    heads = script.get_heads()
    try:
        known = revision is not None and script.get_revision(revision) is not None
    except CommandError:
        known = False
    if not known:
        raise BackupError(
            f"Schemaversie {revision} van de back-up is onbekend voor deze code: de back-up "
            f"komt van een nieuwere versie van de tracker (schema newer than the code). Werk "
            f"eerst de code bij. Er is niets hersteld.")
    return revision not in heads


def _members(archive: tarfile.TarFile, kind: str) -> Iterator[tuple[str, tarfile.TarInfo]]:
    """The members we know, as (role, member); any other name (``../``, links) is skipped."""
    for member in archive:
        if not member.isfile():
            continue
        if member.name == MEMBER[kind]:
            yield "database", member
        elif member.name.startswith(ATTACHMENTS) and _STORAGE_NAME.match(
                member.name[len(ATTACHMENTS):]):
            yield "attachment", member


def _write_attachment(archive: tarfile.TarFile, member: tarfile.TarInfo) -> str:
    name = member.name[len(ATTACHMENTS):]
    target = storage.path_of(name)
    temporary = target.with_name(f".{name}.{secrets.token_hex(4)}.tmp")
    source = archive.extractfile(member)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        shutil.copyfileobj(source, handle)
    os.replace(temporary, target)
    return name


# -- restoring -----------------------------------------------------------------------------


def _restore_sqlite(dump: Path, manifest: dict) -> None:
    with contextlib.closing(sqlite3.connect(dump)) as connection:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    if (row[0] if row else None) != manifest.get("schema_revision"):
        raise BackupError("De database in de back-up past niet bij het manifest. Er is niets "
                          "hersteld.")
    live = _sqlite_path(db.engine)
    db.session.commit()
    with contextlib.closing(sqlite3.connect(dump)) as src, \
            contextlib.closing(sqlite3.connect(live, timeout=15)) as dst:
        # Into the live file: every connection of the running app sees the restored pages
        # at its next transaction; a writer holding the lock makes the copy wait (retried).
        try:
            src.backup(dst, sleep=0.05)
        except sqlite3.Error as error:
            raise BackupError(f"Herstel in {live} is mislukt (restore failed): {error}. De "
                              f"database is ongewijzigd.") from error


def _end_stuck_sessions(connection: Connection) -> int:
    """End sessions of this database idle in a transaction for long: they block a restore."""
    rows = connection.execute(text(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND state IN ('idle in transaction', 'idle in transaction (aborted)') "
        "AND state_change < now() - make_interval(secs => :seconds)"),
        {"seconds": PG_STUCK_AFTER_S}).all()
    return sum(1 for row in rows if row[0])


def _restore_postgresql(dump: Path, manifest: dict) -> int:
    """pg_restore into the live database; returns the number of attempts it took."""
    pg_restore, _version, major = _tool("pg_restore")
    dumped_with = re.match(r"\d+", str(manifest.get("pg_dump_version") or "0"))
    _check_tool_version("pg_restore", major, int(dumped_with.group(0)), "pg_dump van de back-up")
    engine = db.engine
    target_url, env = _libpq_target(engine)
    db.session.commit()
    db.session.close()
    with engine.connect() as connection:
        _check_tool_version("pg_restore", major, _server_major(connection), "de server")
        _end_stuck_sessions(connection)
        connection.commit()
        extra = set(inspect(connection).get_table_names()) - set(manifest.get("tables", {}))
    if extra:
        # An archive of an older schema: the tables of the newer one would keep references
        # to the tables pg_restore drops, and `db upgrade` creates them anew afterwards.
        # (Not inside the restore's transaction: pg_restore opens its own.)
        with engine.begin() as connection:
            for name in sorted(extra):
                connection.execute(text(
                    f"DROP TABLE IF EXISTS {engine.dialect.identifier_preparer.quote(name)} "
                    f"CASCADE"))
    # Requests keep running: a statement of the restore that would wait on them longer than
    # the lock timeout rolls the whole restore back (single transaction) and it starts anew.
    env["PGOPTIONS"] = f"-c lock_timeout={PG_LOCK_TIMEOUT_MS}"
    command = [pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
               f"--dbname={target_url}", str(dump)]
    deadline = time.monotonic() + PG_RESTORE_PATIENCE_S
    attempt = 0
    while True:
        attempt += 1
        result = _run(command, env)
        if result.returncode == 0:
            break
        waited = "lock timeout" in result.stderr or "deadlock" in result.stderr
        if not waited or time.monotonic() > deadline:
            raise BackupError(f"pg_restore is mislukt (pg_restore failed; niets hersteld, de "
                              f"database is ongewijzigd): {result.stderr.strip()}")
        time.sleep(min(0.05 * attempt, 1.0) + secrets.randbelow(100) / 1000)
    return attempt


def restore_backup(path: Path) -> RestoreResult:
    """Restore the archive at ``path`` into the live database and attachment folder.

    Checks the manifest first (:func:`check_restorable`); then writes the attachment files,
    replaces the database, runs the migrations when the archive's schema is older and
    removes attachment files the restored database has no row for. Raises
    :class:`BackupError` (nothing restored) for a wrong or unreadable archive or a failed
    database restore.
    """
    manifest = read_manifest(path)
    needs_upgrade = check_restorable(manifest)
    kind = manifest["database"]
    written: set[str] = set()
    with tempfile.TemporaryDirectory(prefix=".tracker-restore-") as work, \
            tarfile.open(path, "r:*") as archive:
        dump = None
        for role, member in _members(archive, kind):
            if role == "database":
                dump = Path(work) / MEMBER[kind]
                with archive.extractfile(member) as source, open(dump, "wb") as handle:
                    shutil.copyfileobj(source, handle)
            else:
                written.add(_write_attachment(archive, member))
        if dump is None:
            raise BackupError(f"{path} bevat geen database ({MEMBER[kind]} ontbreekt).")
        if kind == "sqlite":
            _restore_sqlite(dump, manifest)
            attempts = 1
        else:
            attempts = _restore_postgresql(dump, manifest)
    if needs_upgrade:
        from flask_migrate import upgrade

        upgrade()
    db.session.remove()
    with db.engine.connect() as connection:
        revision = _revision(connection)
        tables = table_counts(connection)
    removed = 0
    known = set(db.session.scalars(text("SELECT storage_name FROM attachments")))
    db.session.commit()
    for file in _attachment_files():
        if file.name not in written and file.name not in known:
            with contextlib.suppress(FileNotFoundError):
                file.unlink()
                removed += 1
    return RestoreResult(manifest=manifest, revision_now=revision, upgraded=needs_upgrade,
                         attachments_written=len(written), attachments_removed=removed,
                         tables=tables, attempts=attempts)
