"""Progress bars for long work: on a terminal only, and only once the work has taken a while."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator, Sequence
from typing import TypeVar

import click

T = TypeVar("T")

#: Quick work shows no bar at all; a bar appears once the work has run this long.
SHOW_AFTER_SECONDS = 2.0


def progress(items: Sequence[T], label: str) -> Iterator[T]:
    """Yield ``items``, drawing a bar on stderr once SHOW_AFTER_SECONDS have passed, if stderr is a terminal."""
    stderr = sys.stderr
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        bar = None
        for done, item in enumerate(items):
            if bar is None and stderr.isatty() and time.monotonic() - started >= SHOW_AFTER_SECONDS:
                bar = stack.enter_context(click.progressbar(length=len(items), label=label, file=stderr))
                bar.update(done)
            yield item
            if bar is not None:  # the caller is done with the item once it asks for the next
                bar.update(1)
