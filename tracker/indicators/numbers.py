"""Reading numbers the way Dutch people type them: ``1.525``, ``3,1``, ``-5``. Pure.

A dot groups thousands (always by three), a comma separates the decimals. ``3.1``
is refused rather than guessed: it could mean 3,1 or a mistyped 3.100.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from tracker.validation import ValidationError

#: Measurements are stored as NUMERIC(14, 4): four decimals at most.
MAX_DECIMALS = 4
#: Far above any count or rate the network reports; larger values are typing errors.
MAX_ABS_VALUE = Decimal("999999999")
#: Longer input is refused before any pattern matching.
MAX_INPUT_LENGTH = 40

_DUTCH_NUMBER = re.compile(r"-?(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
#: Minus-like characters people paste from Word or Excel.
_MINUS_SIGNS = {"\u2212": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-"}


def parse_dutch_number(value: str | None, *, field: str = "value",
                       label: str = "Waarde") -> Decimal:
    """Return the number in ``value`` or raise :class:`ValidationError` with a Dutch reason.

    Accepted: ``1525``, ``1.525``, ``1.525,5``, ``3,1``, ``-5``, ``0``. Refused: empty or
    whitespace, control characters, ``3.1``, ``1,525.5``, ``+5``, ``1e3``, ``NaN``, ``inf``,
    more than four decimals and magnitudes above 999.999.999.
    """
    text = unicodedata.normalize("NFC", value or "")
    if _CONTROL.search(text):
        raise ValidationError(field, f"{label} bevat niet-toegestane stuurtekens.")
    text = text.strip()
    if not text:
        raise ValidationError(field, f"{label} is verplicht.")
    if len(text) > MAX_INPUT_LENGTH:
        raise ValidationError(field, f"{label} is te lang voor een getal.")
    for sign, minus in _MINUS_SIGNS.items():
        if text.startswith(sign):
            text = minus + text[1:]
    match = _DUTCH_NUMBER.fullmatch(text)
    if match is None:
        raise ValidationError(field, f"{label} is geen getal. Schrijf bijvoorbeeld 1.525, 3,1 of -5 "
                                     "(punt voor duizendtallen, komma voor decimalen).")
    decimals = match.group(1) or ""
    if len(decimals) > MAX_DECIMALS:
        raise ValidationError(field, f"{label} mag hoogstens {MAX_DECIMALS} decimalen hebben.")
    try:
        number = Decimal(text.replace(".", "").replace(",", "."))
    except InvalidOperation as error:  # pragma: no cover - the pattern already guarantees it
        raise ValidationError(field, f"{label} is geen getal.") from error
    if abs(number) > MAX_ABS_VALUE:
        raise ValidationError(field, f"{label} is onwaarschijnlijk groot (hoogstens 999.999.999).")
    return number + 0  # -0 becomes 0
