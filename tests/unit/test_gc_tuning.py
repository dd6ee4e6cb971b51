"""The serving process's collector: start-up objects frozen, the young threshold raised,
cycles still collected."""

from __future__ import annotations

import gc
import os
import subprocess
import sys


def test_the_served_app_freezes_start_up_and_still_collects_cycles():
    code = (
        "import gc, wsgi\n"
        "from tracker.gc_tuning import YOUNG_THRESHOLD\n"
        "assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()\n"
        "assert gc.get_threshold()[0] == YOUNG_THRESHOLD\n"
        "class Node: pass\n"
        "a = Node(); b = Node(); a.other, b.other = b, a\n"
        "import weakref; ref = weakref.ref(a)\n"
        "del a, b\n"
        "gc.collect()\n"
        "assert ref() is None\n"
        "print('ok')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, env={**os.environ,
                                              "TRACKER_ENV": "testing",
                                              "DATABASE_URL": "sqlite://"})
    assert result.stdout.strip().endswith("ok"), result.stderr[-2000:]
    assert gc.get_threshold()[0] != 0  # the test process itself is untouched
