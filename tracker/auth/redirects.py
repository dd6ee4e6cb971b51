"""Safe handling of the ``next`` parameter after login (ASVS 3.7.2)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_UNSAFE_CHARACTERS = re.compile(r"[\x00-\x20\x7f\\]")


def safe_next_url(candidate: str | None, fallback: str) -> str:
    """Return ``candidate`` when it is a plain local path, otherwise ``fallback``.

    Accepts only ``/path?query`` forms: no scheme, no host, no protocol-relative
    ``//``, no backslashes (browsers read them as slashes), no whitespace or
    control characters, no encoded tricks that decode to any of those.
    """
    if not candidate or len(candidate) > 2000:
        return fallback
    if _UNSAFE_CHARACTERS.search(candidate):
        return fallback
    if not candidate.startswith("/") or candidate.startswith("//"):
        return fallback
    lowered = candidate.lower()
    if "%2f%2f" in lowered[:7] or lowered.startswith(("/%2f", "/%5c", "/%09", "/%0a", "/%0d")):
        return fallback
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc:
        return fallback
    return candidate
