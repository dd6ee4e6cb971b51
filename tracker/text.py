"""Safe rendering of plain text typed by users."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_URL = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""


def linkify(text: str | None) -> Markup:
    """Escape ``text`` and turn http(s) URLs into links (nothing else becomes markup)."""
    if not text:
        return Markup("")
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text):
        url = match.group(0)
        trailing = ""
        while url and url[-1] in _TRAILING:
            # A closing bracket belongs to the URL when it closes one opened in it
            # (https://nl.wikipedia.org/wiki/Twente_(regio)).
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            trailing = url[-1] + trailing
            url = url[:-1]
        parts.append(str(escape(text[position:match.start()])))
        parts.append(
            f'<a class="utrecht-link utrecht-link--html-a" href="{escape(url)}" '
            f'rel="nofollow noopener noreferrer">{escape(url)}</a>{escape(trailing)}'
        )
        position = match.end()
    parts.append(str(escape(text[position:])))
    return Markup("".join(parts))  # noqa: S704 - every piece above is escaped
