"""Bijlagen: upload on an action, pilot or meeting; download; removal with confirmation."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
)
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from tracker.attachments import storage
from tracker.attachments.forms import AttachmentForm
from tracker.attachments.models import Attachment
from tracker.attachments.queries import attachment_block, parent_url
from tracker.attachments.services import (
    add_attachment,
    max_bytes,
    remove_attachment,
    too_large_message,
)
from tracker.auth.permissions import requires
from tracker.clock import now
from tracker.errors import render_error
from tracker.extensions import db
from tracker.formatting import file_size
from tracker.forms import Refusal, form_errors
from tracker.htmx import is_fragment

bp = Blueprint("attachments", __name__)
bp.add_app_template_global(attachment_block, "attachment_block")
bp.add_app_template_filter(file_size, "bestandsgrootte")

#: Room for the multipart envelope (boundaries, part headers, the CSRF token) around the
#: largest file: the body limit of an upload request is ``max_bytes() + this``.
MULTIPART_OVERHEAD = 64 * 1024
BLOCK_ID = "bijlagen"


def takes_upload(view):
    """Mark a view whose request body may be as large as one attachment."""
    view.takes_upload = True
    return view


@bp.url_value_preprocessor
def _raise_body_limit(endpoint: str | None, _values) -> None:
    """Raise ``MAX_CONTENT_LENGTH`` (2 MB) for the upload views, for signed-in users only.

    URL value preprocessors run before every ``before_request`` hook, so this is in place
    before CSRFProtect first reads the form. Anonymous requests keep the global limit:
    a 100 MB POST from a stranger is refused from its ``Content-Length`` (413) unread.
    """
    view = current_app.view_functions.get(endpoint or "")
    if getattr(view, "takes_upload", False) and current_user.is_authenticated:
        request.max_content_length = max_bytes() + MULTIPART_OVERHEAD


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    return render_error(413, too_large_message())


def _load_action(action_id: int, **_ignored):
    from tracker.actions.routes import load_action

    return load_action(action_id)


def _load_pilot(pilot_id: int, **_ignored):
    from tracker.pilots.routes import load_pilot

    return load_pilot(pilot_id)


def _load_event(event_id: int, **_ignored):
    from tracker.events.routes import load_event

    return load_event(event_id)


def load_attachment(attachment_id: int, **_ignored) -> Attachment | None:
    return db.session.get(Attachment, attachment_id)


def _block_response(parent, *, status: int = 200, errors=None, announcement: str = ""):
    """The block alone when htmx swaps it; otherwise a page with the block (a refused
    upload without JavaScript: the form again with the message at the field)."""
    block = attachment_block(parent, errors=errors, announcement=announcement)
    if is_fragment(target=BLOCK_ID):
        return render_template("attachments/_block.html", attachments_block=block), status
    return render_template("attachments/page.html", attachments_block=block, block=block,
                           parent=parent), status


def _refused(refusal: Refusal, subject, **_ignored):
    db.session.refresh(subject)  # rolled back by form_errors: read it again
    return _block_response(subject, status=refusal.status, errors=refusal.errors)


def _upload(parent):
    form = AttachmentForm().parse()
    attachment = add_attachment(parent, file_name=form.bestand.data,
                                stream=form.bestand.file.stream, actor=current_user, now=now())
    db.session.commit()
    message = f"Bijlage “{attachment.file_name}” is toegevoegd."
    if is_fragment(target=BLOCK_ID):
        return _block_response(parent, announcement=message)
    flash(message, "ok")
    return redirect(parent_url(parent), code=303)


@bp.post("/actions/<int:action_id>/bijlagen")
@takes_upload
@requires("attachment.add", load=_load_action)
@form_errors(_refused)
def upload_action(action_id: int, subject):
    """Add a file to an action."""
    return _upload(subject)


@bp.post("/pilots/<int:pilot_id>/bijlagen")
@takes_upload
@requires("attachment.add", load=_load_pilot)
@form_errors(_refused)
def upload_pilot(pilot_id: int, subject):
    """Add a file to a pilot."""
    return _upload(subject)


@bp.post("/events/<int:event_id>/bijlagen")
@takes_upload
@requires("attachment.add", load=_load_event)
@form_errors(_refused)
def upload_event(event_id: int, subject):
    """Add a file to a meeting."""
    return _upload(subject)


@bp.get("/bijlagen/<int:attachment_id>")
@requires("attachment.view", load=load_attachment)
def download(attachment_id: int, subject: Attachment):
    """The file, always as a download, with the type decided from its content."""
    try:
        path = storage.path_of(subject.storage_name)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    # Read whole (at most TRACKER_ATTACHMENT_MAX_BYTES): no file handle outlives the request.
    response = send_file(io.BytesIO(path.read_bytes()), mimetype=subject.content_type,
                         as_attachment=True,
                         download_name=subject.file_name, conditional=False, etag=False,
                         max_age=None)
    response.headers["Content-Type"] = subject.content_type  # as stored, charset included
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    # Should a browser render it anyway: no script, no plugins, its own origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.get("/bijlagen/<int:attachment_id>/verwijderen")
@requires("attachment.remove", load=load_attachment)
def remove_confirm(attachment_id: int, subject: Attachment):
    """Which file will be removed, and the button that does it (changes nothing)."""
    return render_template("attachments/remove.html", attachment=subject,
                           size=file_size(subject.size), parent=subject.parent,
                           back_url=parent_url(subject.parent))


@bp.post("/bijlagen/<int:attachment_id>/verwijderen")
@requires("attachment.remove", load=load_attachment)
def remove(attachment_id: int, subject: Attachment):
    """Remove the file: the row now, the file on disk after the commit; audited."""
    target, name = parent_url(subject.parent), subject.file_name
    remove_attachment(subject, actor=current_user)
    db.session.commit()
    flash(f"Bijlage “{name}” is verwijderd.", "ok")
    return redirect(target, code=303)
