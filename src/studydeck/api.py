"""The Python API: every command is a thin layer over these functions, and tests call them directly.

Each function reads a cards folder through the one pass (`engine.pipeline`), caching each
validated card file in ``cache_dir`` (the default: `~/.cache/studydeck` or
`$STUDYDECK_CACHE_DIR`; None: no cache). The cache never changes a result, only how fast it
comes. Nothing here prints. Problems are raised as `ContentError` (with `.diagnostics`) or
`OutputError`; selections naming what the deck lacks as `SelectionError`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from studydeck.anki.notetypes import DEFAULT_NOTE_TYPES, NoteTypes
from studydeck.diagnostics import ContentError, Diagnostic, Diagnostics, Location, Severity
from studydeck.engine import BuildResult as BuildResult  # re-exported: build() returns it
from studydeck.engine import cyclic_gc_paused
from studydeck.engine.exclusive import exclusive_build
from studydeck.model import Cards, Item
from studydeck.outputs import PDF_SUFFIXES, check_output_files, check_output_folder, output_file
from studydeck.source.folder import LOCK_FILE

# The heavy stages (YAML parsing, Markdown, genanki, Typst) are imported inside the functions
# that use them, so commands that need little (an unchanged `build`, `lock`) start fast.
if TYPE_CHECKING:
    from studydeck.apply.plan import ApplyOptions, Plan
    from studydeck.apply.run import ApplyResult
    from studydeck.authoring.diff import CardsDiff
    from studydeck.authoring.scaffold import NewProject
    from studydeck.authoring.stats import DeckStats
    from studydeck.authoring.watch import StopEvent
    from studydeck.engine.cache import FileCache
    from studydeck.engine.session import BuildSession as BuildSession  # (what build_session returns)
    from studydeck.engine.sinks import CompiledDeck
    from studydeck.engine.validation import FileTracker as FileTracker  # (the type of `track=`)
    from studydeck.identity.lockfile import Lockfile
    from studydeck.identity.repair import Repair
    from studydeck.printing.pdf import Paper
    from studydeck.printing.quiz import QuizMode
    from studydeck.source.selection import Filters

#: Where validated card files are cached: "default", a folder, or None for no cache.
CacheDir = Path | Literal["default"] | None


def _cache(cache_dir: CacheDir) -> FileCache:
    from studydeck.engine.cache import FileCache, default_cache_dir

    return FileCache(default_cache_dir() if cache_dir == "default" else cache_dir)


# -- reading the cards -----------------------------------------------------------------------


def load_deck(cards_dir: Path, *, cache_dir: CacheDir = "default", track: FileTracker | None = None) -> Cards:
    """Load and validate a cards folder; raises ContentError listing every problem.

    ``track`` sees the files validated afresh as they finish (the CLI draws a progress bar with it).
    """
    from studydeck.engine.pipeline import open_folder
    from studydeck.engine.sinks import load_cards

    with cyclic_gc_paused():
        return load_cards(open_folder(cards_dir), _cache(cache_dir), track)


def load_lockfile(cards_dir: Path) -> Lockfile:
    from studydeck.identity.lockfile import load_lockfile as load

    return load(Path(cards_dir) / LOCK_FILE)


def compile_cards(
    cards_dir: Path,
    *,
    now: float | None = None,
    notetypes: NoteTypes = DEFAULT_NOTE_TYPES,
    cache_dir: CacheDir = "default",
    track: FileTracker | None = None,
) -> CompiledDeck:
    """Load, validate and compile, reconciled with the lockfile, without writing anything."""
    from studydeck.engine.pipeline import Identity, open_folder
    from studydeck.engine.sinks import compile_deck

    identity = Identity(load_lockfile(cards_dir), time.time() if now is None else now, notetypes)
    with cyclic_gc_paused():
        return compile_deck(open_folder(cards_dir), identity, _cache(cache_dir), track)


def check(
    cards_dir: Path, *, strict: bool = False, cache_dir: CacheDir = "default", track: FileTracker | None = None
) -> list[Diagnostic]:
    """Every warning; raises ContentError on errors (and on warnings too when ``strict``).

    It checks what `build` does, file by file as `build` reads them, and writes nothing.
    """
    from studydeck.engine.pipeline import Identity, read_sources, run_pass
    from studydeck.identity.lockfile import Lockfile, read_lockfile
    from studydeck.source.folder import read_folder

    cards_dir = Path(cards_dir)
    diags = Diagnostics()
    with cyclic_gc_paused():
        # Streamed: only digests are kept, and each file is read again when parsed.
        sources = read_sources(read_folder(cards_dir, keep_bytes=False), diags)
        lock = read_lockfile(cards_dir / LOCK_FILE, diags)
        if sources is None:
            raise ContentError(diags.sorted())
        if diags.has_errors:
            lock = Lockfile()  # a damaged lockfile is reported; the cards are still checked in full
        identity = Identity(lock, time.time(), DEFAULT_NOTE_TYPES)
        result = run_pass(sources, diags, cache=_cache(cache_dir), identity=identity, track=track)
    if result is None:  # (any error, the lockfile's included)
        raise ContentError(diags.sorted())
    if strict and result.warnings:
        raise ContentError(list(result.warnings))
    return list(result.warnings)


def build(
    cards_dir: Path,
    out_dir: Path,
    *,
    now: float | None = None,
    notetypes: NoteTypes = DEFAULT_NOTE_TYPES,
    strict: bool = False,
    cache_dir: CacheDir = "default",
    track: FileTracker | None = None,
) -> BuildResult:
    """Build ``<out_dir>/<deck id>.apkg`` and update the lockfile, atomically.

    Nothing is replaced unless everything succeeded: on any error the previous package and
    lockfile are left exactly as they were. One build at a time per cards folder: a second
    one raises OutputError at once. ``out_dir`` inside ``cards_dir`` raises OutputPathError.
    """
    from studydeck import engine

    cards_dir, out_dir = Path(cards_dir), Path(out_dir)
    check_output_folder(out_dir, cards_dir)
    return engine.build_deck(
        cards_dir, out_dir, notetypes=notetypes, now=now, strict=strict, cache_dir=cache_dir, track=track
    )


def build_session(
    cards_dir: Path,
    out_dir: Path,
    *,
    notetypes: NoteTypes = DEFAULT_NOTE_TYPES,
    cache_dir: CacheDir = "default",
) -> BuildSession:
    """A build kept between builds: ``session.build(now=None, strict=False, track=None)`` does
    exactly what `build` does, and returns the same result and the same files, but keeps what
    the next build needs in memory (`studydeck watch` builds with one after every save).
    ``out_dir`` inside ``cards_dir`` raises OutputPathError."""
    from studydeck.engine.session import BuildSession

    cards_dir, out_dir = Path(cards_dir), Path(out_dir)
    check_output_folder(out_dir, cards_dir)
    return BuildSession(cards_dir, out_dir, notetypes=notetypes, cache_dir=cache_dir)


# -- printing ----------------------------------------------------------------------------------


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
    cache_dir: CacheDir = "default",
) -> QuizResult:
    """Write the question sheet ``out`` and its answer key ``<out>-key.pdf`` (one pair per version;
    `.pdf` is added to ``out`` if it lacks it).

    ``date`` defaults to the day the deck last changed, from the lockfile. Raises
    SelectionError when the filters name what the deck lacks or select nothing, and
    OutputPathError when a file would land in the cards folder or on a folder.
    """
    from studydeck.outputs import write_files
    from studydeck.printing.printouts import deck_date, quiz_files, quiz_paths
    from studydeck.printing.quiz import DEFAULT_SEED, DEFAULT_TITLE, make_sheets, version_labels
    from studydeck.source.selection import ALL_ITEMS

    sheet = output_file(Path(out), Path(cards_dir), PDF_SUFFIXES)
    check_output_files([path for v in version_labels(versions) for path in quiz_paths(sheet, v)], Path(cards_dir))
    cards = load_deck(cards_dir, cache_dir=cache_dir)
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
    files = quiz_files(sheets, sheet, paper)
    write_files(files)
    return QuizResult(tuple(files), len(sheets[0].questions))


@dataclass(frozen=True)
class FlashcardsResult:
    file: Path
    card_count: int


def flashcards(
    cards_dir: Path,
    out: Path,
    *,
    filters: Filters | None = None,
    paper: Paper = "a4",
    cache_dir: CacheDir = "default",
) -> FlashcardsResult:
    """Write cut-out flashcards to ``out`` (`.pdf` added if it lacks it): fronts and mirrored
    backs on alternating pages. Raises OutputPathError as `quiz` does."""
    from studydeck.outputs import write_atomic
    from studydeck.printing.flashcards import make_flashcards
    from studydeck.printing.pdf import render_flashcards
    from studydeck.printing.printouts import flashcards_title
    from studydeck.source.selection import ALL_ITEMS, select_items

    path = output_file(Path(out), Path(cards_dir), PDF_SUFFIXES)
    cards = load_deck(cards_dir, cache_dir=cache_dir)
    made = make_flashcards(cards, select_items(cards, filters or ALL_ITEMS))
    write_atomic(path, render_flashcards(made, paper, flashcards_title(cards)))
    return FlashcardsResult(path, len(made))


# -- authoring ---------------------------------------------------------------------------------


def export(
    cards_dir: Path,
    fmt: str,
    *,
    filters: Filters | None = None,
    cache_dir: CacheDir = "default",
    track: Callable[[Sequence[Item]], Iterable[Item]] | None = None,
) -> tuple[bytes, int]:
    """The selected items in format ``fmt`` (one of `export.ALL_FORMATS`), as the file's bytes,
    and how many items it holds. Without filters every item goes out, even from an empty deck;
    with them, SelectionError as for `quiz`."""
    from studydeck.export import export_bytes
    from studydeck.export.items import untracked
    from studydeck.source.selection import ALL_ITEMS, select_cards

    cards = select_cards(load_deck(cards_dir, cache_dir=cache_dir), filters or ALL_ITEMS)
    return export_bytes(fmt, cards, track or untracked), len(cards.items)


def deck_stats(cards_dir: Path, *, cache_dir: CacheDir = "default") -> DeckStats:
    """What the deck holds, and which items still lack something (`studydeck stats`)."""
    from studydeck.authoring.stats import deck_stats as stats

    return stats(load_deck(cards_dir, cache_dir=cache_dir))


def diff(cards_dir: Path, revision: str | None = None) -> CardsDiff:
    """The items changed since a git ``revision``, or since the last build (`studydeck diff`)."""
    from studydeck.authoring.diff import diff_since_build, diff_since_revision

    return diff_since_build(cards_dir) if revision is None else diff_since_revision(cards_dir, revision)


def init(directory: Path, name: str | None = None) -> NewProject:
    """Start a new cards project (`studydeck init`)."""
    from studydeck.authoring.scaffold import init_project

    return init_project(directory, name)


def watch(cards_dir: Path, *, ignore: Sequence[Path] = (), stop: StopEvent | None = None) -> Iterator[tuple[Path, ...]]:
    """``()`` once watching, then the files each burst of saves changed (`studydeck watch`)."""
    from studydeck.authoring.watch import watch_cards

    return watch_cards(cards_dir, ignore=ignore, stop=stop)


# -- a learner's collection ------------------------------------------------------------------


def apply(
    package: Path | None,
    collection: Path | None = None,
    *,
    profile: str | None = None,
    cards_dir: Path = Path("cards"),
    out_dir: Path = Path("build"),
    options: ApplyOptions | None = None,
    dry_run: bool = False,
    show: Callable[[Plan], None] | None = None,
) -> ApplyResult:
    """Bring an Anki collection to exactly what ``package`` says (`studydeck apply`, DESIGN.md §6).

    ``collection`` is a profile's collection.anki2 or its folder; ``profile`` finds it in
    Anki's data folder instead. Without ``package``, the one the last build of ``cards_dir``
    wrote under ``out_dir``. Raises ApplyError (nothing changed) when refused.
    """
    from studydeck.apply.errors import ApplyError
    from studydeck.apply.profiles import COLLECTION_FILE, profile_collection
    from studydeck.apply.run import DEFAULT_OPTIONS, apply_package

    if profile is not None:
        collection = profile_collection(profile)
    if collection is None:
        raise ApplyError("give the collection to change: a path, or a profile's name")
    if collection.is_dir():  # the profile's folder
        collection = collection / COLLECTION_FILE
    if package is None:
        from studydeck.engine import package_path

        deck_id = load_lockfile(cards_dir).deck_id
        if deck_id is None:
            never_built = f"no PACKAGE given, and {cards_dir} was never built"
            raise ApplyError(f"{never_built}: run `studydeck build`, or give PACKAGE")
        package = package_path(out_dir, deck_id)
    return apply_package(package, collection, options or DEFAULT_OPTIONS, dry_run=dry_run, show=show)


# -- the lockfile ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LockRepairResult:
    path: Path
    repair: Repair | None  # None when there is no lockfile yet
    written: bool  # False when the lockfile was already sound and in order


def repair_lock(cards_dir: Path) -> LockRepairResult:
    """Rewrite a damaged lockfile, keeping every line that can still be read (`studydeck lock --repair`)."""
    from studydeck.identity.lockfile import format_lockfile, refuse_unless_a_file
    from studydeck.identity.repair import repair_lockfile
    from studydeck.outputs import write_atomic

    cards_dir = Path(cards_dir)
    path = cards_dir / LOCK_FILE
    with exclusive_build(cards_dir):
        refuse_unless_a_file(path)
        if not path.exists():
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
        write_atomic(path, new_text)
        return LockRepairResult(path, repair, written=True)


def forget_removed_ids(cards_dir: Path, ids: Iterable[str]) -> None:
    """Let removed item ids be used again (`studydeck lock --forget`).

    The lockfile remembers removed ids because learners still have their notes: a new item
    under an old id would take over an old note and its review history. Forget an id only
    if its item never reached learners.
    """
    from studydeck.identity.lockfile import format_lockfile
    from studydeck.outputs import write_atomic

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
        write_atomic(path, format_lockfile(replace(lock, gone=gone)))  # (the same format: a format 1 file stays one)
