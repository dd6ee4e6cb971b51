"""What the beheerder's outbox viewer shows of a stored message: kinds, attachments, the HTML.

Everything shown is redacted (``tracker.redaction``): the stored rows hold
placeholders for secret links already, and the viewer hides any token that
might still be there.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass

from tracker.formatting import number
from tracker.redaction import redact

#: The outbox's ``kind`` -> what the viewer calls it. An unknown kind is shown as it is.
KIND_LABELS = {
    "reminder": "Herinnering actie",
    "reminders": "Dagelijkse bundel acties",
    "escalation": "Escalatie",
    "escalations": "Escalaties (dagelijks)",
    "notice-assigned": "Melding: toegewezen",
    "notice-comment": "Melding: reactie",
    "notice-changed": "Melding: actie gewijzigd",
    "notice-event": "Melding: bijeenkomst gewijzigd",
    "event-minutes": "Verslag bijeenkomst",
    "milestone": "Mijlpaal",
    "digest": "Bestuurlijk overzicht",
    "password_link": "Link voor wachtwoord",
    "email_change": "Bevestiging nieuw e-mailadres",
    "email_change_notice": "Melding e-mailadres wordt gewijzigd",
    "event-invite": "Uitnodiging bijeenkomst",
    "event-update": "Wijziging bijeenkomst",
    "event-cancel": "Annulering bijeenkomst",
    "event-reminder": "Herinnering bijeenkomst",
    "event-rsvp-reminder": "Verzoek om antwoord",
    "event-moved-up": "Plaats vrijgekomen",
}

#: Attachment types whose content the viewer shows as text.
_TEXT_TYPES = ("text/",)


def kind_label(kind: str) -> str:
    """The Dutch name of an outbox kind, e.g. ``"digest"`` -> ``"Bestuurlijk overzicht"``."""
    return KIND_LABELS.get(kind, kind)


@dataclass(frozen=True)
class ShownAttachment:
    """One attachment as listed: its position in the row, name, MIME type, size and text."""

    index: int
    filename: str
    content_type: str
    size: int
    #: The redacted text for text types (``.ics``); None for other types.
    text: str | None

    @property
    def size_label(self) -> str:
        """``"1.234 bytes"`` or ``"12,3 kB"`` (Dutch number format)."""
        if self.size < 1000:
            return f"{number(self.size)} bytes"
        return f"{number(self.size / 1000, 1)} kB"


def attachment_data(message, index: int) -> tuple[dict, bytes] | None:
    """The stored attachment ``index`` and its bytes (text types redacted); None if absent."""
    items = message.attachments or []
    if not 0 <= index < len(items):
        return None
    item = items[index]
    try:
        data = base64.b64decode(item.get("data", ""), validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if str(item.get("content_type", "")).lower().startswith(_TEXT_TYPES):
        data = redact(data.decode("utf-8", "replace")).encode("utf-8")
    return item, data


def attachments_of(message) -> list[ShownAttachment]:
    """The message's attachments in stored order, text ones with their (redacted) text."""
    shown = []
    for index in range(len(message.attachments or [])):
        item, data = attachment_data(message, index)
        content_type = str(item.get("content_type", "application/octet-stream"))
        is_text = content_type.lower().startswith(_TEXT_TYPES)
        shown.append(ShownAttachment(
            index=index, filename=str(item.get("filename") or f"bijlage-{index + 1}"),
            content_type=content_type, size=len(data),
            text=data.decode("utf-8", "replace") if is_text else None))
    return shown


def frame_policy(html: str) -> str:
    """The Content-Security-Policy of the framed mail HTML.

    Nothing may load or run (``default-src 'none'``, no scripts, no forms); the
    mail's own ``<style>`` elements are allowed by their hashes, so the frame needs
    no ``'unsafe-inline'``. ``sandbox`` (without ``allow-scripts`` or
    ``allow-same-origin``) makes it an opaque origin even when opened on its own;
    only this application's pages may frame it.
    """
    hashes = [
        "'sha256-" + base64.b64encode(hashlib.sha256(m.encode("utf-8")).digest()).decode() + "'"
        for m in re.findall(r"<style[^>]*>(.*?)</style>", html, flags=re.S | re.I)
    ]
    return "; ".join([
        "default-src 'none'",
        " ".join(["style-src", *hashes]) if hashes else "style-src 'none'",
        "img-src data:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'self'",
        "sandbox",
    ])
