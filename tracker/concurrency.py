"""Optimistic locking: a write based on a stale version is refused, never applied."""

from __future__ import annotations

from typing import Any


class ConflictError(Exception):
    """Someone else changed ``obj`` after the user loaded version ``expected``."""

    def __init__(self, obj: Any, expected: int | None):
        super().__init__(f"{obj!r}: expected version {expected}, found {obj.version}")
        self.obj = obj
        self.expected = expected


def parse_version(value: str | int | None) -> int | None:
    """The version a form was built from; None when absent or malformed."""
    if isinstance(value, int):
        return value
    if value is None or not str(value).strip().isdigit():
        return None
    return int(str(value).strip())


def check_version(obj: Any, expected: int | None) -> None:
    """Raise :class:`ConflictError` unless ``expected`` is the stored version."""
    if expected is None or expected != obj.version:
        raise ConflictError(obj, expected)
