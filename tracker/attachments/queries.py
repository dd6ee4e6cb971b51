"""The "Bijlagen" block of an action, pilot or meeting page: decided values only."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.attachments import sniff
from tracker.attachments.models import Attachment
from tracker.attachments.services import PARENT_COLUMN, max_bytes
from tracker.auth.permissions import can
from tracker.extensions import db
from tracker.formatting import file_size

#: The upload endpoint per parent table.
UPLOAD_ENDPOINTS = {"actions": "attachments.upload_action", "pilots": "attachments.upload_pilot",
                    "events": "attachments.upload_event"}
#: The parent page per parent table: (endpoint, its id argument).
PARENT_PAGES = {"actions": ("actions.detail", "action_id"), "pilots": ("pilots.detail", "pilot_id"),
                "events": ("events.detail", "event_id")}
#: What the block calls its parent ("bij deze actie").
PARENT_WORDS = {"actions": "deze actie", "pilots": "deze pilot", "events": "deze bijeenkomst"}


@dataclass(frozen=True)
class AttachmentRow:
    """One listed file, with what the current user may do to it."""

    attachment: Attachment
    size: str
    uploader: str
    download_url: str
    remove_url: str | None


@dataclass
class AttachmentBlock:
    """Everything ``attachments/_block.html`` shows."""

    parent: object
    rows: list[AttachmentRow]
    upload_url: str | None
    parent_url: str
    parent_word: str
    max_size: str
    allowed: str = sniff.ALLOWED_DESCRIPTION
    accept: str = ",".join(ext for kind in sniff.KINDS for ext in kind.extensions)
    errors: dict[str, str] = field(default_factory=dict)
    announcement: str = ""


def parent_url(parent) -> str:
    """The page of an action, pilot or meeting, at its Bijlagen block."""
    endpoint, argument = PARENT_PAGES[parent.__tablename__]
    return url_for(endpoint, **{argument: parent.id}) + "#bijlagen"


def attachments_of(parent) -> list[Attachment]:
    """The files of ``parent``, oldest first, uploaders loaded (two queries in all)."""
    column = getattr(Attachment, PARENT_COLUMN[parent.__tablename__])
    return list(db.session.scalars(
        select(Attachment).where(column == parent.id)
        .options(selectinload(Attachment.uploaded_by))
        .order_by(Attachment.uploaded_at, Attachment.id)))


def attachment_block(parent, *, errors: dict[str, str] | None = None,
                     announcement: str = "") -> AttachmentBlock:
    """The block for ``parent`` as the current user may see and use it."""
    rows = []
    for attachment in attachments_of(parent):
        uploader = attachment.uploaded_by.name if attachment.uploaded_by else "onbekend"
        rows.append(AttachmentRow(
            attachment=attachment, size=file_size(attachment.size), uploader=uploader,
            download_url=url_for("attachments.download", attachment_id=attachment.id),
            remove_url=(url_for("attachments.remove_confirm", attachment_id=attachment.id)
                        if can(current_user, "attachment.remove", attachment) else None)))
    upload_url = (url_for(UPLOAD_ENDPOINTS[parent.__tablename__], **{
        PARENT_PAGES[parent.__tablename__][1]: parent.id})
        if can(current_user, "attachment.add", parent) else None)
    return AttachmentBlock(parent=parent, rows=rows, upload_url=upload_url,
                           parent_url=parent_url(parent),
                           parent_word=PARENT_WORDS[parent.__tablename__],
                           max_size=file_size(max_bytes()), errors=errors or {},
                           announcement=announcement)
