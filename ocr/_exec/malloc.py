"""glibc's malloc told to hand page-sized blocks straight back to the system.

A decoded page is tens of MiB. glibc starts by giving blocks over 128 KiB their own mapping,
but the first time such a block is freed it raises that threshold to the block's size (up to
32 MiB): from then on page buffers come from the heap, whose freed space stays with the process
while small objects live above it, and each thread's arena keeps its own high-water mark. A long
batch then holds the largest pages it ever had in hand at once, not the pages in hand now.
A fixed 1 MiB threshold keeps every page buffer in its own mapping, unmapped when freed, and two
arenas bound what the threads keep. Measured in benchmarks/QUALITY.md ("malloc").

Operators keep the last word: glibc's own `MALLOC_MMAP_THRESHOLD_` / `MALLOC_ARENA_MAX` in the
environment win, and `DIGITISE_MALLOC=default` leaves malloc as glibc ships it.
"""

from __future__ import annotations

import ctypes
import os
import platform
import threading
from collections.abc import Mapping

#: Blocks at least this large get their own mapping, returned to the system when freed.
MMAP_THRESHOLD_BYTES = 1 << 20
#: Arenas shared by all threads (glibc's default is 8 per core).
ARENAS = 2
#: Set to "default" to leave glibc's malloc untouched (for comparison, or another allocator).
SWITCH = "DIGITISE_MALLOC"

_M_MMAP_THRESHOLD = -3  # mallopt parameters, from glibc's malloc.h
_M_ARENA_MAX = -8
_SETTINGS = {"MALLOC_MMAP_THRESHOLD_": (_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES),
             "MALLOC_ARENA_MAX": (_M_ARENA_MAX, ARENAS)}
_lock = threading.Lock()
_tuned: bool | None = None


def _wanted(environ: Mapping[str, str]) -> bool:
    return environ.get(SWITCH, "").strip().lower() != "default" and platform.libc_ver()[0] == "glibc"


def malloc_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a child process (an engine), with the same settings: glibc reads
    them when the child starts, before any of its allocations."""
    env = dict(os.environ if environ is None else environ)
    if _wanted(env):
        for name, (_, value) in _SETTINGS.items():
            env.setdefault(name, str(value))
    return env


def tune_malloc() -> bool:
    """Apply the settings to this running process (once; later calls return the first answer).
    False where they do not apply: another C library, or switched off."""
    global _tuned
    with _lock:
        if _tuned is None:
            _tuned = _wanted(os.environ) and _apply()
        return _tuned


def _apply() -> bool:
    libc = ctypes.CDLL(None)
    applied = True
    for name, (parameter, value) in _SETTINGS.items():
        if name not in os.environ:  # glibc already applied the operator's own value at start-up
            applied = bool(libc.mallopt(parameter, value)) and applied
    return applied
