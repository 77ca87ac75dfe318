"""`studydeck watch`: notice saves below the cards folder, a burst of saves at a time."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from watchfiles import Change, watch

from studydeck.diagnostics import ContentError, Diagnostic, Location, Severity
from studydeck.source.folder import is_card_file_name, is_hidden
from studydeck.source.validate import IMAGE_SUFFIXES

#: Saves closer together than this are one burst (an editor's "save all", a `git checkout`
#: write their files within milliseconds of each other). The watcher checks twice a period, so
#: a save is noticed 30 to 60 ms later: a good part of a one-item rebuild's latency, so keep it short.
QUIET_MS = 30
#: A burst that goes on longer than this is handled anyway, and its remainder later.
MAX_WAIT_MS = 2000
#: How often the watcher wakes up when nothing happens (it then checks the stop event).
IDLE_MS = 500


class StopEvent(Protocol):
    def is_set(self) -> bool: ...


class CardsFilter:
    """The changes that matter to a build: exactly the files `build` reads (card files and
    deck.yaml by `folder.is_card_file_name`, pictures by suffix) and the folders that hold them,
    by the same rules (hidden files and folders skipped), so that `watch` rebuilds when `build`
    would build something else, and only then.

    Paths are compared as paths, not as text: an ignored folder named `car` does not hide
    `cards`, and one that holds the cards folder (`--out .`) hides nothing in it. A folder moved
    out of the cards folder (or renamed to a hidden name) is reported only as its old path
    deleted, which no longer says it was a folder: the filter remembers the folders it has seen.
    """

    def __init__(self, cards_dir: Path, ignore: Sequence[Path]) -> None:
        self.cards_dir = cards_dir.resolve()
        # Only an ignored folder inside the cards folder could hide a change there (outputs never
        # go there, so none does in practice); one that holds the cards folder hides nothing.
        ignored = (Path(p).resolve() for p in ignore)
        self.ignore = [p for p in ignored if p != self.cards_dir and p.is_relative_to(self.cards_dir)]
        self.folders: set[Path] = set()
        self._learn(self.cards_dir)

    def _learn(self, folder: Path) -> None:
        """Remember ``folder`` and the folders below it that a build looks into."""
        for path, dirs, _ in os.walk(folder):
            dirs[:] = [d for d in dirs if not is_hidden(d)]
            self.folders.add(Path(path))

    def __call__(self, change: Change, path: str) -> bool:
        changed = Path(path)
        try:
            parts = changed.relative_to(self.cards_dir).parts
        except ValueError:
            return False
        if not parts or any(map(is_hidden, parts)) or any(changed.is_relative_to(p) for p in self.ignore):
            return False
        if is_card_file_name(changed.name) or changed.suffix.lower() in IMAGE_SUFFIXES:
            return True
        if change == Change.deleted:  # a folder moved out or away, if it was one
            gone = {folder for folder in self.folders if folder.is_relative_to(changed)}
            self.folders -= gone
            return bool(gone)
        if changed.is_dir():  # a folder moved in brings card files
            self._learn(changed)
            return True
        return False


def watch_cards(
    cards_dir: Path, *, ignore: Sequence[Path] = (), stop: StopEvent | None = None
) -> Iterator[tuple[Path, ...]]:
    """Yield ``()`` once the watcher runs, then the files changed by each burst of saves.

    Rebuild on each yield: saves made while the caller works are kept for the next one. Ends
    when ``stop`` is set; Ctrl-C raises KeyboardInterrupt, as anywhere else.
    """
    cards_dir = Path(cards_dir)
    if not cards_dir.is_dir():
        raise ContentError([Diagnostic(Location(str(cards_dir)), Severity.ERROR, "cards folder not found")])
    ready = False
    for changes in watch(
        cards_dir.resolve(),
        watch_filter=CardsFilter(cards_dir, ignore),
        debounce=MAX_WAIT_MS,
        step=QUIET_MS,
        rust_timeout=IDLE_MS,
        yield_on_timeout=True,  # the first (empty) yield says the watcher is running
        stop_event=stop,
    ):
        if changes or not ready:
            ready = True
            yield tuple(sorted({Path(path) for _, path in changes}))
