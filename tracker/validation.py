"""Input cleaning shared by every form and service, and the error types they raise.

Text is refused when it holds control characters, bidirectional overrides or
nothing but whitespace; it is otherwise stored as typed and escaped on output.
Dates are read as typed in a Dutch form (``YYYY-MM-DD`` or ``DD-MM-YYYY``); local
date-times are Europe/Amsterdam wall-clock times, and a time that does not exist
(the hour skipped when summer time starts) is refused. Pure: no app, no database.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

#: C0/C1 controls except TAB, LF and CR (which multi-line fields may hold).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Bidirectional embedding/override/isolate characters (Trojan-source style tricks).
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")


#: The largest id a table can hold (PostgreSQL ``integer``); a larger number is no id and
#: must never reach a query (PostgreSQL refuses it with an error, not an empty result).
MAX_ID = 2**31 - 1


def parse_id(text: str | int | None) -> int | None:
    """``text`` as an id (ASCII digits, 1..``MAX_ID``), or None when it cannot be one."""
    text = str(text if text is not None else "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def has_control_characters(text: str | None) -> bool:
    """True when ``text`` holds a NUL or another control character (TAB, LF and CR are
    allowed: multi-line fields hold them; ``clean_text`` decides where line breaks may be)."""
    return bool(_CONTROL.search(text or ""))


#: The answer to a search text with control characters: nothing is searched for.
SEARCH_REFUSED = ("De zoektekst bevat niet-toegestane stuurtekens (zoals een nul-teken); er is "
                  "niet gezocht. Verwijder ze en zoek opnieuw.")


def search_words(text: str | None, *, max_words: int, max_length: int) -> tuple[list[str], str | None]:
    """The words of a search box: ``(words, refusal)``.

    ``words``: at most ``max_words`` whitespace-separated words of ``text``, each cut to
    ``max_length`` characters (the rest is ignored). A text holding a control character
    (a NUL, an escape...) or a bidirectional override is no search: ``([], SEARCH_REFUSED)``,
    a Dutch sentence for the search's status line, so that a search answers like any other
    search (never a 4xx, and never a NUL sent to the database, which PostgreSQL refuses).
    """
    text = text or ""
    if _CONTROL.search(text) or _BIDI.search(text):
        return [], SEARCH_REFUSED
    return [w[:max_length] for w in text.split()[:max_words]], None


class ValidationError(ValueError):
    """Bad input for one field, with a Dutch message for the user."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


class ValidationErrors(ValidationError):
    """Several fields wrong at once: ``errors`` maps field name to its Dutch message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(next(iter(errors)), next(iter(errors.values())))
        self.errors = errors


def field_errors(error: ValidationError) -> dict[str, str]:
    """The ``{field: message}`` dict of one or several field errors."""
    return dict(getattr(error, "errors", None) or {error.field: error.message})


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


EARLIEST_DATE = date(2013, 1, 1)  # the network started in 2013
LATEST_DATE = date(2100, 12, 31)


def parse_date(value: str | None, *, field: str, label: str) -> date | None:
    """``YYYY-MM-DD`` (HTML date input) or ``DD-MM-YYYY``; empty is None."""
    text = (value or "").strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d-%m-%Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if not EARLIEST_DATE <= parsed <= LATEST_DATE:
            raise ValidationError(field, f"{label} moet tussen 2013 en 2100 liggen.")
        return parsed
    raise ValidationError(field, f"{label} is geen bestaande datum (gebruik dd-mm-jjjj).")


def parse_local_datetime(value: str | None, *, field: str, label: str, required: bool,
                         tz: ZoneInfo) -> datetime | None:
    """A ``YYYY-MM-DDTHH:MM`` local time as aware UTC; impossible and DST-gap times refused."""
    text = (value or "").strip()
    if not text:
        if required:
            raise ValidationError(field, f"{label} is verplicht.")
        return None
    if len(text) > 25:
        raise ValidationError(field, f"{label} is geen geldige datum en tijd.")
    try:
        naive = datetime.fromisoformat(text.replace(" ", "T"))
    except ValueError as error:
        raise ValidationError(
            field, f"{label} is geen bestaande datum en tijd (bijvoorbeeld 2018-03-07T13:30)."
        ) from error
    if naive.tzinfo is not None:
        raise ValidationError(field, f"{label}: geef de tijd zonder tijdzone (Nederlandse tijd).")
    if not 2000 <= naive.year <= 2100:
        raise ValidationError(field, f"{label} ligt buiten de toegestane jaren.")
    moment = naive.replace(tzinfo=tz).astimezone(UTC)
    if moment.astimezone(tz).replace(tzinfo=None) != naive:
        raise ValidationError(field, f"{label} bestaat niet: de klok wordt dan verzet (zomertijd).")
    return moment


def clean_url(value: str | None, *, field: str, label: str) -> str | None:
    """An absolute http(s) link, or None when empty; other schemes are refused."""
    text = clean_text(value, field=field, label=label, max_length=500, required=False)
    if not text:
        return None
    if any(c.isspace() for c in text):
        raise ValidationError(field, f"{label} mag geen spaties bevatten.")
    try:
        parts = urlsplit(text)
    except ValueError as error:
        raise ValidationError(field, f"{label} is geen geldige link.") from error
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(field, f"{label} moet beginnen met https:// of http://.")
    return text
