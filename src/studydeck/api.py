"""The Python API: every command is a thin layer over these functions, and tests call them directly."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from studydeck.buildlock import exclusive_build
from studydeck.buildstate import (
    STATE_FILE,
    BuildState,
    file_digest,
    files_fingerprint,
    fingerprint,
    format_state,
    read_state,
)
from studydeck.diagnostics import ContentError, Diagnostic, Diagnostics, Location, Severity
from studydeck.load import DECK_FILE, LOCK_FILE, find_card_files
from studydeck.lockfile import Lockfile, format_lockfile, read_lockfile
from studydeck.model import Cards, ChangeReport
from studydeck.notetypes import DEFAULT_NOTE_TYPES, NoteTypes
from studydeck.outputs import remove_leftovers, staged, write_atomic

#: `build` prints the whole deck only up to this size: a larger deck would make a sheet of
#: hundreds of pages (and seconds of rendering on every edit); print a selection with `quiz`.
MAX_PRINTED_ITEMS = 1500

# The heavy stages (YAML parsing, Markdown, genanki, Typst) are imported inside the functions
# that use them, so commands that need little (an unchanged `build`, `lock`) start fast.
if TYPE_CHECKING:
    from studydeck.collect import Collected
    from studydeck.compile import CompiledDeck
    from studydeck.lockrepair import Repair
    from studydeck.pdf import Paper
    from studydeck.quiz import Filters, QuizMode


def load_deck(cards_dir: Path, *, cache_dir: Path | Literal["default"] | None = "default") -> Cards:
    """Load and validate a cards folder; raises ContentError listing every problem.

    Validated files are cached by content in ``cache_dir`` (default: `default_cache_dir()`;
    None: no cache). The cache never changes the result, only how fast it comes.
    """
    return _collect(cards_dir, cache_dir).cards


def _collect(cards_dir: Path, cache_dir: Path | Literal["default"] | None = "default") -> Collected:
    from studydeck.cache import FileCache, default_cache_dir
    from studydeck.collect import collect_cards

    diags = Diagnostics()
    cache = FileCache(default_cache_dir() if cache_dir == "default" else cache_dir)
    collected = collect_cards(Path(cards_dir), cache, diags)
    if collected is None:
        raise ContentError(diags.sorted())
    return collected


def load_lockfile(cards_dir: Path) -> Lockfile:
    diags = Diagnostics()
    lock = read_lockfile(Path(cards_dir) / LOCK_FILE, diags)
    if diags.errors:
        raise ContentError(diags.sorted())
    return lock


def compile_cards(
    cards_dir: Path, *, now: float | None = None, notetypes: NoteTypes = DEFAULT_NOTE_TYPES
) -> CompiledDeck:
    """Load, validate and compile, without writing anything."""
    from studydeck.compile import compile_deck

    collected = _collect(cards_dir)
    lock = load_lockfile(cards_dir)
    return compile_deck(collected.cards, lock, notetypes, time.time() if now is None else now, collected.contents)


def check(cards_dir: Path, *, strict: bool = False) -> list[Diagnostic]:
    """Every warning; raises ContentError on errors (and on warnings too when ``strict``)."""
    compiled = compile_cards(cards_dir)
    warnings = list(compiled.warnings)
    if strict and warnings:
        raise ContentError(warnings)
    return warnings


@dataclass(frozen=True)
class BuildResult:
    package: Path
    report: ChangeReport
    warnings: tuple[Diagnostic, ...]
    note_count: int
    card_count: int
    printouts: tuple[Path, ...] = ()  # the quiz sheet, its key and the flashcards, as PDF
    written: tuple[Path, ...] = ()  # the outputs made anew (the others were already up to date)
    printouts_skipped: bool = False  # the deck is too large for whole-deck printouts


def package_path(out_dir: Path, deck_id: str) -> Path:
    return Path(out_dir) / f"{deck_id}.apkg"


def build(
    cards_dir: Path,
    out_dir: Path,
    *,
    now: float | None = None,
    notetypes: NoteTypes = DEFAULT_NOTE_TYPES,
    strict: bool = False,
) -> BuildResult:
    """Build ``<out_dir>/<deck id>.apkg`` and update the lockfile, atomically.

    Nothing is replaced unless everything succeeded: on any error the previous package and
    lockfile are left exactly as they were. One build at a time per cards folder: a second
    one raises OutputError at once.
    """
    cards_dir, out_dir = Path(cards_dir), Path(out_dir)
    with exclusive_build(cards_dir):
        return _build_locked(cards_dir, out_dir, now=now, notetypes=notetypes, strict=strict)


def _inputs_fingerprint(cards_part: str, cards_dir: Path, images: Iterable[str]) -> str:
    """Every input of a build: the card files (read up front), the lockfile and the images."""
    return fingerprint(
        [cards_part, files_fingerprint([cards_dir / LOCK_FILE]), files_fingerprint(cards_dir / i for i in images)]
    )


def _unchanged_build(
    state: BuildState, cards_part: str, cards_dir: Path, out_dir: Path, strict: bool
) -> BuildResult | None:
    """The last build's result, when no input and no output changed since (else None)."""
    package = next((name for name in state.outputs if name.endswith(".apkg")), None)
    if package is None or state.inputs != _inputs_fingerprint(cards_part, cards_dir, state.images):
        return None
    if not all(state.is_current(out_dir / name, entry[0]) for name, entry in state.outputs.items()):
        return None
    warnings = tuple(Diagnostic(Location(p, line, col), Severity.WARNING, m) for p, line, col, m in state.warnings)
    if strict and warnings:
        raise ContentError(list(warnings))
    printouts = [out_dir / name for name in state.outputs if name.endswith(".pdf")]
    return BuildResult(
        package=out_dir / package,
        report=ChangeReport(),
        warnings=warnings,
        note_count=state.counts[0],
        card_count=state.counts[1],
        printouts=tuple(printouts),
        printouts_skipped=state.counts[0] > 0 and not printouts,
    )


def _build_locked(
    cards_dir: Path, out_dir: Path, *, now: float | None, notetypes: NoteTypes, strict: bool
) -> BuildResult:
    # Card files are fingerprinted before they are read: one edited during this build makes
    # the next build run in full instead of trusting what this one saw.
    cards_part = fingerprint(
        [files_fingerprint([cards_dir / DECK_FILE, *find_card_files(cards_dir)])]
        + [nt.content_hash() for nt in notetypes]
    )
    state = read_state(out_dir)
    unchanged = _unchanged_build(state, cards_part, cards_dir, out_dir, strict)
    if unchanged is not None:
        return unchanged
    from studydeck.cache import encode_items
    from studydeck.compile import compile_deck
    from studydeck.package import write_package
    from studydeck.pdf import TEMPLATES
    from studydeck.printouts import build_printouts, deck_date, printout_paths

    collected = _collect(cards_dir)
    cards = collected.cards
    compiled = compile_deck(
        cards, load_lockfile(cards_dir), notetypes, time.time() if now is None else now, collected.contents
    )
    if strict and compiled.warnings:
        raise ContentError(list(compiled.warnings))
    target = package_path(out_dir, compiled.deck.id)
    lock_path = cards_dir / LOCK_FILE
    lock_text = format_lockfile(compiled.lockfile)
    lock_changed = not lock_path.exists() or lock_path.read_text(encoding="utf-8") != lock_text

    # Each output is made only when what it is made from changed since the last build.
    deck = compiled.deck
    fingerprints = {
        target: fingerprint(
            [lock_text, deck.id, deck.name, deck.description, "\n".join(note.item_id for note in compiled.notes)]
        )
    }
    writers: dict[Path, Callable[[Path], object]] = {}
    if not state.is_current(target, fingerprints[target]):
        writers[target] = lambda temp: write_package(compiled, temp)
    printouts = printout_paths(cards, out_dir) if len(cards.items) <= MAX_PRINTED_ITEMS else []
    if printouts:
        date = deck_date(compiled.lockfile)
        sources = repr(sorted(deck.sources.items()))
        templates = files_fingerprint(sorted(TEMPLATES.glob("*.typ")))  # an edited template reprints
        printout_inputs = fingerprint([encode_items(cards.items), deck.name, deck.id, sources, date, templates])
        fingerprints.update(dict.fromkeys(printouts, printout_inputs))
        if not all(state.is_current(path, printout_inputs) for path in printouts):
            for path, pdf in build_printouts(cards, out_dir, date).items():
                writers[path] = lambda temp, pdf=pdf: temp.write_bytes(pdf)  # type: ignore[misc]
    if lock_changed:
        writers[lock_path] = lambda temp: temp.write_text(lock_text, encoding="utf-8")

    state_path = out_dir / STATE_FILE
    remove_leftovers([target, lock_path, *printouts, state_path])
    digests = {path: state.outputs[path.name][1] for path in fingerprints if path not in writers}
    with staged(list(writers)) as temps:
        for path, temp in zip(writers, temps, strict=True):
            writers[path](temp)
            digests[path] = file_digest(temp)
    if not printouts:  # printouts of an earlier, smaller deck no longer describe it
        for stale in printout_paths(cards, out_dir):
            stale.unlink(missing_ok=True)
    # Written last: if this build dies before, the old state no longer matches and the next
    # build simply runs in full.
    images = tuple(sorted({item.image for item in cards.items if item.image}))
    new_state = BuildState(
        outputs={path.name: (fingerprints[path], digests[path]) for path in fingerprints},
        inputs=_inputs_fingerprint(cards_part, cards_dir, images),
        images=images,
        warnings=tuple((w.location.path, w.location.line, w.location.col, w.message) for w in compiled.warnings),
        counts=(len(compiled.notes), sum(len(n.card_ords) for n in compiled.notes)),
    )
    write_atomic(state_path, lambda temp: temp.write_text(format_state(new_state), encoding="utf-8"))
    return BuildResult(
        package=target,
        report=compiled.report,
        warnings=compiled.warnings,
        note_count=len(compiled.notes),
        card_count=sum(len(n.card_ords) for n in compiled.notes),
        printouts=tuple(printouts),
        written=tuple(path for path in writers if path != lock_path),
        printouts_skipped=bool(cards.items) and not printouts,
    )


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


def flashcards(
    cards_dir: Path, out: Path, *, filters: Filters | None = None, paper: Paper = "a4"
) -> FlashcardsResult:
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
        new_text = format_lockfile(Lockfile(lock.deck_id, lock.notetypes, lock.items, gone))
        _replace_text(path, new_text)


def _replace_text(path: Path, text: str) -> None:
    with staged([path]) as (temp,):
        temp.write_text(text, encoding="utf-8")
