"""Values kept in this process under a key that changes whenever they would (never stale).

For pages that summarise a lot of data and are asked far more often than the data
changes: the key holds what the value is a pure function of (for data read from history:
``tracker.history.data_key``, which every change to a versioned model moves on; and the
day, where the value judges dates against today). A key is never reused for other data,
so a kept value is never served for data it was not made from; the least recently used
keys go first.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class KeptValues:
    """At most ``size`` values by key, the least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any | None:
        value = self._values.get(key)
        if value is not None:
            self._values.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self._values[key] = value
        self._values.move_to_end(key)
        while len(self._values) > self.size:
            self._values.popitem(last=False)

    def clear(self) -> None:
        self._values.clear()


#: Every kept store of the app, so tests (whose tables are refilled without history
#: between them) can empty them all.
STORES: list[KeptValues] = []


def kept_values(size: int) -> KeptValues:
    """A new store, registered in :data:`STORES`."""
    store = KeptValues(size)
    STORES.append(store)
    return store


def clear_all() -> None:
    for store in STORES:
        store.clear()
