"""The incremental build: plan → pipeline → outputs → record.

`build_deck` is a `session.BuildSession` that builds once (`watch` keeps one and builds
after every burst of saves). A build reads the folder once (`plan`), replays the last result when nothing changed, and
otherwise runs the one pass over the cards (`pipeline`, through `validation` and its
`cache`) into the working collection (`sinks`), then writes each stale output and records
what it made (`build`, with `index` and `state`). `staleness` owns every decision about
what is still valid; `exclusive` lets one build run at a time.

Owns: the pass, the cache, the build index and state.
Must not import: export, authoring, apply, cli, api.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from studydeck.diagnostics import Diagnostic, DiagnosticSummary

if TYPE_CHECKING:
    from studydeck.anki.notetypes import NoteTypes
    from studydeck.engine.validation import FileTracker
    from studydeck.model import ChangeReport


@dataclass(frozen=True)
class BuildResult:
    package: Path
    report: ChangeReport
    # Every warning, in order. After a build that had nothing to do they are read from its
    # state only when asked for: `warning_summary` is what the terminal shows.
    warnings: Sequence[Diagnostic]
    note_count: int
    card_count: int
    printouts: tuple[Path, ...] = ()  # the quiz sheet, its key and the flashcards, as PDF
    written: tuple[Path, ...] = ()  # the outputs made anew (the others were already up to date)
    printouts_skipped: bool = False  # the deck is too large for whole-deck printouts
    warning_summary: DiagnosticSummary = field(default_factory=DiagnosticSummary)  # the first few of each kind
    first_build: bool = False  # no earlier build's outputs were there: everything was made anew


def package_path(out_dir: Path, deck_id: str) -> Path:
    """Where a build writes a deck's package: `<out>/<deck id>.apkg`."""
    return Path(out_dir) / f"{deck_id}.apkg"


def build_deck(
    cards_dir: Path,
    out_dir: Path,
    *,
    notetypes: NoteTypes,
    now: float | None = None,
    strict: bool = False,
    cache_dir: Path | Literal["default"] | None,
    track: FileTracker | None = None,
) -> BuildResult:
    """Build ``<out_dir>/<deck id>.apkg`` and its printouts, and update the lockfile, atomically."""
    from studydeck.engine.session import BuildSession

    # The one-shot build is a session that builds once (`watch` keeps one for every save).
    session = BuildSession(cards_dir, out_dir, notetypes=notetypes, cache_dir=cache_dir, keep_package=False)
    return session.build(now=now, strict=strict, track=track)


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a pass makes its 100,000s of small objects: it
    would otherwise scan them all again and again (a third of a large rebuild's time).
    Reference counting still frees everything as usual; nothing here makes cycles to speak of."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
