"""`studydeck watch`: notice saves below the cards folder, a burst of saves at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from watchfiles import Change, DefaultFilter, watch

from studydeck.diagnostics import ContentError, Diagnostic, Location, Severity
from studydeck.source.folder import LOCK_FILE, YAML_SUFFIXES
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


class CardsFilter(DefaultFilter):
    """Card files and pictures only: not the lockfile a build writes, nor hidden or temporary files."""

    def __init__(self, cards_dir: Path, ignore: Sequence[Path]) -> None:
        super().__init__(ignore_paths=[str(Path(p).resolve()) for p in ignore])
        self.cards_dir = cards_dir.resolve()

    def __call__(self, change: Change, path: str) -> bool:
        changed = Path(path)
        try:
            parts = changed.relative_to(self.cards_dir).parts
        except ValueError:
            return False
        if not parts or any(part.startswith(".") for part in parts) or changed.name == LOCK_FILE:
            return False
        suffix = changed.suffix.lower()
        # A folder moved in brings card files; editors' temporary files have no such suffix.
        relevant = suffix in YAML_SUFFIXES or suffix in IMAGE_SUFFIXES or changed.is_dir()
        return relevant and super().__call__(change, path)


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
