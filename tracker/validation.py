"""Input cleaning shared by every form and service.

Text is refused when it holds control characters, bidirectional overrides or
nothing but whitespace; it is otherwise stored as typed and escaped on output.
"""

from __future__ import annotations

import re
import unicodedata

#: C0/C1 controls except TAB, LF and CR (which multi-line fields may hold).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Bidirectional embedding/override/isolate characters (Trojan-source style tricks).
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")


class ValidationError(ValueError):
    """Bad input for one field, with a Dutch message for the user."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def clean_text(
    value: str | None,
    *,
    field: str,
    label: str,
    max_length: int,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Return ``value`` normalised (NFC, trimmed) or raise :class:`ValidationError`."""
    text = unicodedata.normalize("NFC", value or "").strip()
    if not text:
        if required:
            raise ValidationError(field, f"{label} is verplicht.")
        return ""
    if _CONTROL.search(text):
        raise ValidationError(field, f"{label} bevat niet-toegestane stuurtekens.")
    if _BIDI.search(text):
        raise ValidationError(field, f"{label} bevat niet-toegestane tekens voor tekstrichting.")
    if not multiline and _LINE_BREAK.search(text):
        raise ValidationError(field, f"{label} mag geen regelovergang bevatten.")
    if multiline:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > max_length:
        raise ValidationError(
            field, f"{label} mag hoogstens {max_length} tekens lang zijn (nu {len(text)})."
        )
    return text
