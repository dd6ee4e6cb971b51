"""Adding and removing attachments (flush only; the route commits)."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import BinaryIO

from flask import current_app
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.attachments import sniff, storage
from tracker.attachments.models import Attachment
from tracker.audit.services import record
from tracker.extensions import db
from tracker.formatting import file_size
from tracker.validation import ValidationError

#: Default of ``TRACKER_ATTACHMENT_MAX_BYTES``.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
#: The parent column for each parent table.
PARENT_COLUMN = {"actions": "action_id", "pilots": "pilot_id", "events": "event_id"}


def max_bytes() -> int:
    """The largest file accepted, in bytes (``TRACKER_ATTACHMENT_MAX_BYTES``, default 10 MB)."""
    return int(current_app.config.get("TRACKER_ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def too_large_message() -> str:
    """The Dutch 413 message, with the limit."""
    return (f"Het bestand is te groot: een bijlage mag hoogstens {file_size(max_bytes())} zijn. "
            "Er is niets opgeslagen.")


class FileTooLarge(RequestEntityTooLarge):
    """413 with :func:`too_large_message`."""

    def __init__(self):
        super().__init__(description=too_large_message())


def refused_type_message(file_name: str) -> str:
    return (f"“{file_name}” is geweigerd: de inhoud is geen toegestaan bestandstype of past niet "
            f"bij de naam. Toegestaan zijn {sniff.ALLOWED_DESCRIPTION}. Er is niets opgeslagen.")


def add_attachment(parent, *, file_name: str, stream: BinaryIO, actor, now: datetime,
                   field: str = "bestand") -> Attachment:
    """Store the file read from ``stream`` on ``parent`` (an Action, Pilot or Event).

    ``file_name`` is already cleaned (``forms.clean_file_name``). Raises
    :class:`FileTooLarge` (413) beyond :func:`max_bytes`, ``ValidationError`` (``field``,
    422) for an empty file or a kind not on the allow-list (judged by content; the name's
    extension must fit it). The file is written before the row is flushed and removed
    again if the transaction rolls back (:mod:`tracker.attachments.storage`).
    """
    limit = max_bytes()
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise FileTooLarge()
    if not data:
        raise ValidationError(field, f"“{file_name}” is leeg. Er is niets opgeslagen.")
    kind = sniff.sniff(data)
    if kind is None or not sniff.accepts_name(kind, file_name):
        raise ValidationError(field, refused_type_message(file_name))
    kind = sniff.kind_for_name(kind, file_name)
    session = db.session
    attachment = Attachment(
        file_name=file_name, content_type=kind.content_type, size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=actor.id, uploaded_at=now,
        storage_name=storage.write(session, data))
    setattr(attachment, PARENT_COLUMN[parent.__tablename__], parent.id)
    session.add(attachment)
    session.flush()
    record("attachment.add", actor=actor, object_type=parent.__tablename__, object_id=parent.id,
           summary=f"Bijlage “{file_name}” toegevoegd ({file_size(len(data))})",
           after=_facts(attachment))
    session.flush()
    return attachment


def remove_attachment(attachment: Attachment, *, actor) -> None:
    """Delete the row now and the file once the transaction commits; audited."""
    parent = attachment.parent
    record("attachment.remove", actor=actor, object_type=parent.__tablename__,
           object_id=parent.id,
           summary=f"Bijlage “{attachment.file_name}” verwijderd", before=_facts(attachment))
    storage.delete_after_commit(db.session, attachment.storage_name)
    db.session.delete(attachment)
    db.session.flush()


def _facts(attachment: Attachment) -> dict:
    return {"attachment_id": attachment.id, "file_name": attachment.file_name,
            "content_type": attachment.content_type, "size": attachment.size,
            "sha256": attachment.sha256}
