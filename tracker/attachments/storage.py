"""Where attachment files live, and keeping disk and database in step.

Files are stored in ``TRACKER_ATTACHMENT_DIR`` (default ``<instance>/attachments``),
outside ``static/`` and any other web root, created on demand, under a random name
(``secrets.token_hex(16)``): the uploader's name is only in the database.

Disk and database cannot share a transaction, so the session keeps two lists:

- files **written** in the current transaction are removed again when it ends without
  a commit (an upload whose insert fails leaves no orphan on disk);
- files whose rows were **deleted** are removed from disk only after the transaction
  commits (a removal that rolls back keeps its file).

A process killed between writing and committing can still leave a file without a row;
:func:`orphans` lists them for the operator.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import event, select
from sqlalchemy.orm import Session

WRITTEN = "attachments.written"
TO_DELETE = "attachments.to_delete"


def storage_dir() -> Path:
    """The directory holding the files (created, mode 0700, when missing)."""
    configured = current_app.config.get("TRACKER_ATTACHMENT_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "attachments"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(storage_name: str) -> Path:
    """The file of ``storage_name``; refuses anything that is not one of our names."""
    if len(storage_name) != 32 or not all(c in "0123456789abcdef" for c in storage_name):
        raise ValueError("not a storage name")
    return storage_dir() / storage_name


def write(session: Session, data: bytes) -> str:
    """Write ``data`` under a new random name and return the name; the file goes away
    again if ``session``'s transaction rolls back."""
    name = secrets.token_hex(16)
    target = path_of(name)
    # O_EXCL: never overwrite (a clash of 128 random bits would be a bug, not a reuse).
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    session.info.setdefault(WRITTEN, []).append(target)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return name


def delete_after_commit(session: Session, storage_name: str) -> None:
    """Remove the file of ``storage_name`` once ``session``'s transaction commits."""
    session.info.setdefault(TO_DELETE, []).append(path_of(storage_name))


def _unlink(paths) -> None:
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(WRITTEN, None)
    _unlink(session.info.pop(TO_DELETE, []))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # The outermost transaction ended without a commit (a rollback, or the session closed
    # after an error): what it wrote is nobody's file. A commit emptied the list above.
    if transaction.parent is None:
        session.info.pop(TO_DELETE, None)
        _unlink(session.info.pop(WRITTEN, []))


def orphans(session: Session) -> list[Path]:
    """Files in the directory that no attachment row names (e.g. after a crash)."""
    from tracker.attachments.models import Attachment

    known = set(session.scalars(select(Attachment.storage_name)))
    return sorted(p for p in storage_dir().iterdir() if p.is_file() and p.name not in known)
