"""The Python API: every command is a thin layer over these functions, and tests call them directly."""

from __future__ import annotations

import contextlib
import gc
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from studydeck.builder import BuildResult as BuildResult  # re-exported: build() returns it
from studydeck.builder import read_inputs, unchanged_result
from studydeck.buildlock import exclusive_build
from studydeck.cardsfolder import LOCK_FILE, FolderContents, read_folder
from studydeck.diagnostics import ContentError, Diagnostic, Diagnostics, Location, Severity
from studydeck.model import Cards
from studydeck.notetypes import DEFAULT_NOTE_TYPES, NoteTypes

# The heavy stages (YAML parsing, Markdown, genanki, Typst) are imported inside the functions
# that use them, so commands that need little (an unchanged `build`, `lock`) start fast.
if TYPE_CHECKING:
    from studydeck.collect import Collected
    from studydeck.compile import CompiledDeck
    from studydeck.lockfile import Lockfile
    from studydeck.lockrepair import Repair
    from studydeck.pdf import Paper
    from studydeck.progress import FileTracker
    from studydeck.quiz import Filters, QuizMode


@contextlib.contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a build makes its 100,000s of small objects: it
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


def load_deck(
    cards_dir: Path, *, cache_dir: Path | Literal["default"] | None = "default", track: FileTracker | None = None
) -> Cards:
    """Load and validate a cards folder; raises ContentError listing every problem.

    Validated files are cached by content in ``cache_dir`` (default: `default_cache_dir()`;
    None: no cache). The cache never changes the result, only how fast it comes. ``track``
    sees the files validated afresh as they finish (the CLI draws a progress bar with it).
    """
    return _collect(cards_dir, cache_dir, track).cards


def _collect(
    cards_dir: Path,
    cache_dir: Path | Literal["default"] | None = "default",
    track: FileTracker | None = None,
    folder: FolderContents | None = None,
) -> Collected:
    """Validate the folder; ``folder`` is the files already read, when the caller has them."""
    from studydeck.cache import FileCache, default_cache_dir
    from studydeck.collect import collect_cards

    diags = Diagnostics()
    cache = FileCache(default_cache_dir() if cache_dir == "default" else cache_dir)
    collected = collect_cards(folder or read_folder(Path(cards_dir)), cache, diags, track)
    if collected is None:
        raise ContentError(diags.sorted())
    return collected


def load_lockfile(cards_dir: Path) -> Lockfile:
    from studydeck import lockfile

    return lockfile.load_lockfile(Path(cards_dir) / LOCK_FILE)


def compile_cards(
    cards_dir: Path,
    *,
    now: float | None = None,
    notetypes: NoteTypes = DEFAULT_NOTE_TYPES,
    track: FileTracker | None = None,
) -> CompiledDeck:
    """Load, validate and compile, without writing anything."""
    return _compile(cards_dir, now, notetypes, track)[1]


def _compile(
    cards_dir: Path,
    now: float | None,
    notetypes: NoteTypes,
    track: FileTracker | None,
    folder: FolderContents | None = None,
) -> tuple[Cards, CompiledDeck]:
    from studydeck.compile import compile_deck

    collected = _collect(cards_dir, track=track, folder=folder)
    lock = load_lockfile(cards_dir)
    now = time.time() if now is None else now
    return collected.cards, compile_deck(collected.cards, lock, notetypes, now, collected.contents)


def check(cards_dir: Path, *, strict: bool = False, track: FileTracker | None = None) -> list[Diagnostic]:
    """Every warning; raises ContentError on errors (and on warnings too when ``strict``).

    It checks what `build` does, file by file as `build` reads them, and writes nothing.
    """
    with cyclic_gc_paused():
        return _check(Path(cards_dir), strict, track)


def _check(cards_dir: Path, strict: bool, track: FileTracker | None) -> list[Diagnostic]:
    from studydeck.assemble import assemble
    from studydeck.cache import FileCache, default_cache_dir
    from studydeck.collect import load_deck_file
    from studydeck.lockfile import Lockfile, read_lockfile

    folder = read_folder(cards_dir, keep_bytes=False)  # (streamed: a large deck is never in memory whole)
    diags = Diagnostics()
    loaded = load_deck_file(folder, diags)
    lock = read_lockfile(cards_dir / LOCK_FILE, diags)
    if loaded is None:
        raise ContentError(diags.sorted())
    if diags.has_errors:
        lock = Lockfile()  # a damaged lockfile is reported; the cards are still checked in full
    cache = FileCache(default_cache_dir())
    # (None when anything, the lockfile included, had an error)
    if assemble(folder, *loaded, lock, DEFAULT_NOTE_TYPES, time.time(), cache, diags, track=track) is None:
        raise ContentError(diags.sorted())
    warnings = diags.warnings
    if strict and warnings:
        raise ContentError(warnings)
    return warnings


def build(
    cards_dir: Path,
    out_dir: Path,
    *,
    now: float | None = None,
    notetypes: NoteTypes = DEFAULT_NOTE_TYPES,
    strict: bool = False,
    track: FileTracker | None = None,
) -> BuildResult:
    """Build ``<out_dir>/<deck id>.apkg`` and update the lockfile, atomically.

    Nothing is replaced unless everything succeeded: on any error the previous package and
    lockfile are left exactly as they were. One build at a time per cards folder: a second
    one raises OutputError at once.
    """
    cards_dir, out_dir = Path(cards_dir), Path(out_dir)
    with exclusive_build(cards_dir), cyclic_gc_paused():
        inputs = read_inputs(cards_dir, out_dir, notetypes)
        unchanged = unchanged_result(inputs, strict)
        if unchanged is not None:
            return unchanged
        from studydeck.rebuild import make_outputs

        return make_outputs(inputs, notetypes, time.time() if now is None else now, strict, track)


@dataclass(frozen=True)
class QuizResult:
    files: tuple[Path, ...]  # each version's question sheet, then its answer key
    question_count: int


def quiz(
    cards_dir: Path,
    out: Path,
    *,
    filters: Filters | None = None,
    count: int | None = None,
    seed: int | None = None,
    mode: QuizMode = "open",
    paper: Paper = "a4",
    title: str | None = None,
    date: str | None = None,
    versions: int = 1,
) -> QuizResult:
    """Write the question sheet ``out`` and its answer key ``<out>-key.pdf`` (one pair per version).

    ``date`` defaults to the day the deck last changed, from the lockfile. Raises
    SelectionError when the filters name what the deck lacks or select nothing.
    """
    from studydeck.printouts import deck_date, quiz_files, write_files
    from studydeck.quiz import ALL_ITEMS, DEFAULT_SEED, DEFAULT_TITLE, make_sheets

    cards = load_deck(cards_dir)
    if date is None:
        date = deck_date(load_lockfile(cards_dir))
    sheets = make_sheets(
        cards,
        filters or ALL_ITEMS,
        count=count,
        seed=DEFAULT_SEED if seed is None else seed,
        mode=mode,
        versions=versions,
        title=DEFAULT_TITLE if title is None else title,
        date=date,
    )
    files = quiz_files(sheets, Path(out), paper)
    write_files(files)
    return QuizResult(tuple(files), len(sheets[0].questions))


@dataclass(frozen=True)
class FlashcardsResult:
    file: Path
    card_count: int


def flashcards(cards_dir: Path, out: Path, *, filters: Filters | None = None, paper: Paper = "a4") -> FlashcardsResult:
    """Write cut-out flashcards to ``out``: fronts and mirrored backs on alternating pages."""
    from studydeck.flashcards import make_flashcards
    from studydeck.pdf import render_flashcards
    from studydeck.printouts import flashcards_title, write_files
    from studydeck.quiz import ALL_ITEMS, select_items

    cards = load_deck(cards_dir)
    made = make_flashcards(cards, select_items(cards, filters or ALL_ITEMS))
    write_files({Path(out): render_flashcards(made, paper, flashcards_title(cards))})
    return FlashcardsResult(Path(out), len(made))


@dataclass(frozen=True)
class LockRepairResult:
    path: Path
    repair: Repair | None  # None when there is no lockfile yet
    written: bool  # False when the lockfile was already sound and in order


def repair_lock(cards_dir: Path) -> LockRepairResult:
    """Rewrite a damaged lockfile, keeping every line that can still be read (`studydeck lock --repair`)."""
    from studydeck.lockfile import format_lockfile
    from studydeck.lockrepair import repair_lockfile

    cards_dir = Path(cards_dir)
    path = cards_dir / LOCK_FILE
    with exclusive_build(cards_dir):
        if not path.is_file():
            return LockRepairResult(path, None, written=False)
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")  # unreadable bytes spoil only their line
        except OSError as exc:
            problem = Diagnostic(Location(str(path)), Severity.ERROR, f"cannot read the lockfile: {exc.strerror}")
            raise ContentError([problem]) from exc
        repair = repair_lockfile(text, str(path))
        new_text = format_lockfile(repair.lockfile)
        if new_text == text:
            return LockRepairResult(path, repair, written=False)
        _replace_text(path, new_text)
        return LockRepairResult(path, repair, written=True)


def forget_removed_ids(cards_dir: Path, ids: Iterable[str]) -> None:
    """Let removed item ids be used again (`studydeck lock --forget`).

    The lockfile remembers removed ids because learners still have their notes: a new item
    under an old id would take over an old note and its review history. Forget an id only
    if its item never reached learners.
    """
    from studydeck.lockfile import format_lockfile

    cards_dir, forget = Path(cards_dir), sorted(set(ids))
    path = cards_dir / LOCK_FILE
    with exclusive_build(cards_dir):
        lock = load_lockfile(cards_dir)
        diags = Diagnostics()
        for item_id in forget:
            if item_id in lock.items:
                diags.error(Location(str(path)), f"{item_id!r} is a current item, not a removed one; nothing to forget")
            elif item_id not in lock.gone:
                diags.error(Location(str(path)), f"{item_id!r} is not a removed id in the lockfile; nothing to forget")
        if diags.errors:
            raise ContentError(diags.sorted())
        gone = {key: entry for key, entry in lock.gone.items() if key not in forget}
        new_text = format_lockfile(replace(lock, gone=gone))  # (the same format: a format 1 file stays one)
        _replace_text(path, new_text)


def _replace_text(path: Path, text: str) -> None:
    from studydeck.outputs import staged

    with staged([path]) as (temp,):
        temp.write_text(text, encoding="utf-8")
