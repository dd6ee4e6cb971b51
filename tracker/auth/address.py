"""How mail addresses a person: the stored form of address, or a sensible default.

Pure functions of the stored values (no database): the digest, the "deze week" page and
any other mail call :func:`greeting`, so a person is greeted the same way everywhere.
"""

from __future__ import annotations

import re

#: The neutral greeting when nothing better can be said from the name.
NEUTRAL = "Geachte heer/mevrouw,"
SALUTATION_MAX_LENGTH = 120
#: A given name: a capitalised word of letters (hyphens and apostrophes inside), no initials.
_GIVEN_NAME = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*$")
#: Words that start a surname or a title rather than being a given name.
_NOT_GIVEN = frozenset({
    "van", "de", "der", "den", "het", "ter", "ten", "te", "in", "op", "la", "le", "du", "da",
    "di", "dr", "drs", "mr", "ir", "ing", "prof", "mw", "mevr", "dhr", "heer", "mevrouw",
    "burgemeester", "wethouder", "hoofdofficier", "secretariaat", "team", "gemeente",
    "persoon",
})


def given_name(name: str | None) -> str | None:
    """The first name in ``name`` when it plausibly is one ("Piet Jansen" -> "Piet").

    None for one word ("Welten"), initials ("K. Pieters"), titles and surname particles
    ("Van Hout", "drs. Jansen"), and anything that looks like an e-mail address or user name
    ("k.pieters", "piet@example.org").
    """
    text = " ".join((name or "").split())
    if not text or "@" in text or "." in text.split(" ")[0]:
        return None
    words = text.split(" ")
    first = words[0]
    if len(words) < 2 or len(first) < 2 or first.lower() in _NOT_GIVEN:
        return None
    if not first[0].isupper() or not _GIVEN_NAME.match(first):
        return None
    return first


def greeting(salutation: str | None, name: str | None) -> str:
    """The first line of a mail: the stored ``salutation`` ("Geachte burgemeester Welten,"),
    else ``Beste <voornaam>,`` when the name starts with a given name, else ``Geachte
    heer/mevrouw,``. Never built from an e-mail address. Always ends in a comma."""
    stored = " ".join((salutation or "").split())
    if stored:
        return stored if stored.endswith(",") else f"{stored},"
    first = given_name(name)
    return f"Beste {first}," if first else NEUTRAL


def clean_salutation(raw: str | None) -> str | None:
    """A form of address as typed, whitespace folded; None when empty.

    Raises ``ValueError`` (a Dutch message) when longer than 120 characters or when it
    holds an e-mail address or a line break.
    """
    if raw is not None and ("\n" in raw or "\r" in raw):
        raise ValueError("Geef de aanhef op één regel.")
    text = " ".join((raw or "").split())
    if not text:
        return None
    if len(text) > SALUTATION_MAX_LENGTH:
        raise ValueError(f"Geef een aanhef van hoogstens {SALUTATION_MAX_LENGTH} tekens.")
    if "@" in text:
        raise ValueError("Een aanhef is geen e-mailadres, bijvoorbeeld: Geachte burgemeester "
                         "Welten,")
    return text
