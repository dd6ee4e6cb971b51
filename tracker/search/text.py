"""Words, stems, query terms and highlighted snippets for search. PURE (no database).

The stemmer is Snowball's original Dutch algorithm (``dutch_porter`` in snowballstemmer 3,
the one PostgreSQL's ``dutch`` configuration uses), so both databases conflate the same
words ("gemeenten" and "gemeente" -> ``gemeent``). The stop words are PostgreSQL's Dutch
list (``dutch.stop``, from Snowball), shipped beside this file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import snowballstemmer
from markupsafe import Markup

#: A query longer than this is cut (characters): a search box, not a document.
MAX_QUERY_LENGTH = 200
#: At most this many words of a query are searched for.
MAX_TERMS = 10
#: A word is a run of letters and digits (Unicode); everything else separates words and
#: never reaches FTS5's or PostgreSQL's query syntax.
WORD = re.compile(r"[^\W_]+")

_STEMMER = snowballstemmer.stemmer("dutch_porter")
_STOP_FILE = Path(__file__).with_name("dutch.stop")
STOP_WORDS = frozenset(w.strip() for w in _STOP_FILE.read_text("utf-8").splitlines() if w.strip())


@lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """The Dutch Snowball stem of one lower-case ``word`` ("inbraken" -> "inbrak")."""
    return _STEMMER.stemWord(word)


def words(text: str) -> list[str]:
    """The lower-case words of ``text``, in order."""
    return WORD.findall(text.lower())


def stems_of(text: str) -> str:
    """``text`` as space-separated stems: what the SQLite full-text table indexes."""
    return " ".join(stem(w) for w in words(text))


@dataclass(frozen=True)
class Query:
    """A typed query reduced to what is searched for.

    ``exact``: stems every document must contain (the words before the last, stop words
    left out), ``words`` the same words unstemmed (PostgreSQL stems them itself);
    ``prefix``: the last word, matched as a prefix both as typed and stemmed (as-you-type:
    "bijeenk" finds "bijeenkomst"); ``prefix_stem``: its stem.
    """

    exact: tuple[str, ...]
    words: tuple[str, ...]
    prefix: str | None
    prefix_stem: str | None
    text: str

    @property
    def is_empty(self) -> bool:
        return not self.exact and not self.prefix


def parse_query(raw: str | None) -> Query:
    """The query in ``raw`` (any text; cut at :data:`MAX_QUERY_LENGTH`, at most
    :data:`MAX_TERMS` words). Never raises: quotes, ``*``, ``:``, ``(`` are separators."""
    text = (raw or "").strip()[:MAX_QUERY_LENGTH]
    found = words(text)[:MAX_TERMS]
    if not found:
        return Query((), (), None, None, text)
    *before, last = found
    kept = tuple(dict.fromkeys(w for w in before if w not in STOP_WORDS))
    exact = tuple(dict.fromkeys(stem(w) for w in kept))
    return Query(exact, kept, last, stem(last), text)


def fts5_match(query: Query) -> str:
    """The FTS5 MATCH expression for ``query``: each term a quoted string (the words hold
    only letters and digits, so no FTS5 syntax can get in), the last one a prefix.
    Empty string for an empty query (the caller does not search)."""
    parts = [f'"{s}"' for s in query.exact]
    if query.prefix:
        options = dict.fromkeys([query.prefix_stem, query.prefix])
        parts.append("(" + " OR ".join(f'"{o}"*' for o in options if o) + ")")
    return " AND ".join(parts)


def _matches(word: str, query: Query) -> bool:
    s = stem(word)
    if s in query.exact:
        return True
    return bool(query.prefix) and (word.startswith(query.prefix)
                                   or s.startswith(query.prefix_stem or ""))


def highlight(text: str, query: Query) -> Markup:
    """``text`` escaped, every matching word wrapped in ``<mark>`` (our only tags)."""
    # Markup + str escapes the str: user text only ever enters escaped.
    out = Markup("")
    last = 0
    for match in WORD.finditer(text):
        if _matches(match.group().lower(), query):
            out += text[last:match.start()]
            out += Markup("<mark>{}</mark>").format(match.group())
            last = match.end()
    return out + text[last:]


def snippet(text: str, query: Query, width: int = 200) -> Markup:
    """About ``width`` characters of ``text`` around its first match, escaped and
    highlighted, with "…" where it was cut; the start of ``text`` when nothing matches."""
    text = " ".join(text.split())
    if not text:
        return Markup("")
    start = 0
    for match in WORD.finditer(text):
        if _matches(match.group().lower(), query):
            start = max(0, match.start() - width // 3)
            break
    end = min(len(text), start + width)
    if start > 0:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < end else start
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    piece = highlight(text[start:end], query)
    return Markup("{}{}{}").format(Markup("…") if start else "", piece,
                                   Markup("…") if end < len(text) else "")
