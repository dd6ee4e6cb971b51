"""Privacy guards: the tracker holds work data about officials, never case data."""

from __future__ import annotations

import re

from tracker.validation import ValidationError, clean_text

#: Nine digits together, or grouped as people write them: 1234.56.789 or 123.456.789
#: (with dots, spaces or hyphens).
_NINE_DIGITS = re.compile(
    r"(?<!\d)(\d{9})(?!\d)"
    r"|(?<![\d.])(\d{4})[ .-](\d{2})[ .-](\d{3})(?![\d])"
    r"|(?<![\d.])(\d{3})[ .-](\d{3})[ .-](\d{3})(?![\d])"
)


def passes_elfproef(digits: str) -> bool:
    """The BSN eleven-test: sum of digit × weight (9..2, then -1) divisible by 11."""
    if len(digits) != 9 or not digits.isdigit() or digits == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def looks_like_bsn(text: str) -> bool:
    """True when ``text`` holds nine digits that pass the elfproef (a citizen service number)."""
    for match in _NINE_DIGITS.finditer(text or ""):
        digits = "".join(g for g in match.groups() if g)
        if passes_elfproef(digits):
            return True
    return False


def refuse_bsn(text: str, *, field: str) -> str:
    """Return ``text`` unless it appears to contain a BSN."""
    if looks_like_bsn(text):
        raise ValidationError(
            field,
            "Deze tekst lijkt een burgerservicenummer te bevatten. Leg geen gegevens over "
            "burgers vast in de tracker.",
        )
    return text


def refuse_bsn_in(value, *, field: str):
    """``value`` unless a text in it (a string, or the strings of a list or tuple) appears
    to contain a BSN; other values (numbers, dates, ids) pass unchanged."""
    texts = value if isinstance(value, list | tuple) else [value]
    for text in texts:
        if isinstance(text, str):
            refuse_bsn(text, field=field)
    return value


def clean_free_text(value: str | None, *, field: str, label: str, max_length: int,
                    required: bool = True, multiline: bool = False) -> str:
    """``clean_text`` and :func:`refuse_bsn` in one: for free text that a service takes
    without the forms layer (a CLI option, a name in a pasted address list)."""
    text = clean_text(value, field=field, label=label, max_length=max_length,
                      required=required, multiline=multiline)
    return refuse_bsn(text, field=field)
