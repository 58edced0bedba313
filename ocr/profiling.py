"""Where the CPU goes, stage by stage: cheap timers that do nothing until a benchmark starts them.

`stage(name)` around a step charges the calling thread's CPU time (`time.thread_time`) to
that stage, less the time of stages nested inside it, so that the stages of a run add up.
A step that runs a tool to its end (`children=True`) also charges the finished children's
CPU (`RUSAGE_CHILDREN`; with several threads reaping tools at once, part of one tool's
time can land on a neighbouring tool stage, the total stays right). A long-lived process
(the Tesseract engine) reports its own CPU, which `charge` adds to the open stage.
`subject(label)` names what the thread works on (an input file), so the costs can be
split by the kind of input.

Off by default: with no profile started, `stage` and `subject` return at once.
"""

from __future__ import annotations

import resource
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Profile:
    """Per (subject, stage): CPU seconds of this process (`own`), of other processes for it
    (`other`: tools, the engine), and calls; over every thread."""

    own: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    other: dict[tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    calls: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, subject: str, stage: str, own: float, other: float) -> None:
        with self._lock:
            self.own[(subject, stage)] += own
            self.other[(subject, stage)] += other
            self.calls[(subject, stage)] += 1

    def rows(self) -> list[dict[str, object]]:
        """JSON-ready: one row per (subject, stage)."""
        with self._lock:
            return [{"subject": s, "stage": st, "own": round(own, 6), "other": round(self.other[(s, st)], 6),
                     "calls": self.calls[(s, st)]} for (s, st), own in sorted(self.own.items())]


@dataclass
class _Frame:
    started: float
    children_started: float | None
    nested_own: float = 0.0  # CPU of stages inside this one, not charged to it
    nested_other: float = 0.0
    charged: float = 0.0  # CPU reported by other processes (the engine)


_profile: Profile | None = None
_local = threading.local()


def start_profile() -> Profile:
    """Start collecting (for this process, every thread); the profile fills as stages end."""
    global _profile
    _profile = Profile()
    return _profile


def stop_profile() -> Profile | None:
    global _profile
    done, _profile = _profile, None
    return done


def is_profiling() -> bool:
    return _profile is not None


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _stack() -> list[_Frame]:
    stack: list[_Frame] | None = getattr(_local, "stack", None)
    if stack is None:
        stack = _local.stack = []
    return stack


@contextmanager
def subject(label: str) -> Iterator[None]:
    """Charge this thread's stages to `label` until the block ends (the outermost label wins)."""
    if _profile is None or getattr(_local, "subject", None) is not None:
        yield
        return
    _local.subject = label
    try:
        yield
    finally:
        _local.subject = None


@contextmanager
def stage(name: str, *, children: bool = False) -> Iterator[None]:
    """Charge the block's CPU to stage `name` (see the module docstring)."""
    profile = _profile
    if profile is None:
        yield
        return
    frame = _Frame(time.thread_time(), _children_cpu() if children else None)
    stack = _stack()
    stack.append(frame)
    try:
        yield
    finally:
        stack.pop()
        own = time.thread_time() - frame.started
        other = frame.charged
        if frame.children_started is not None:
            other += _children_cpu() - frame.children_started
        if stack:
            stack[-1].nested_own += own
            stack[-1].nested_other += other
        profile.add(getattr(_local, "subject", None) or "", name, own - frame.nested_own, other - frame.nested_other)


def charge(seconds: float) -> None:
    """CPU another process spent for the open stage of this thread (no-op outside a stage)."""
    stack = _stack() if _profile is not None else None
    if stack:
        stack[-1].charged += seconds
