"""Progress bars for long work: on a terminal only, and only once the work has taken a while."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterable, Iterator, Sized
from typing import TYPE_CHECKING, TypeVar

import click

if TYPE_CHECKING:
    from studydeck.api import FileTracker

T = TypeVar("T")

#: Quick work shows no bar at all; a bar appears once the work has run this long.
SHOW_AFTER_SECONDS = 2.0


def progress(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """Yield ``items``, drawing a bar on stderr once SHOW_AFTER_SECONDS have passed, if stderr is a terminal.

    ``total`` is how many to expect, when ``items`` cannot tell (an iterator of results).
    """
    length = total if total is not None else len(items) if isinstance(items, Sized) else 0
    stderr = sys.stderr
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        bar = None
        for done, item in enumerate(items):
            if bar is None and stderr.isatty() and time.monotonic() - started >= SHOW_AFTER_SECONDS:
                bar = stack.enter_context(click.progressbar(length=length, label=label, file=stderr))
                bar.update(done)
            yield item
            if bar is not None:  # the caller is done with the item once it asks for the next
                bar.update(1)


def file_tracker(label: str) -> FileTracker:
    """A tracker for the API's long loops (`api.load_deck(track=…)`) that draws a bar labelled ``label``."""
    return lambda files, total: progress(files, label, total)
