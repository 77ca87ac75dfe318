"""What `build` writes, and only what changed: the package, the printouts, the lockfile.

A build first fingerprints its inputs (`read_inputs`). When nothing changed since the last
build and every output is intact, the last result is replayed (`unchanged_result`).
Otherwise each output whose own inputs changed is made anew and all of them are renamed into
place together (`write_outputs`). `build/.studydeck-build.json` records what was made from
what; it is written last, so a build that dies before leaves a state that no longer matches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studydeck.buildstate import (
    STATE_FILE,
    BuildState,
    file_digest,
    files_fingerprint,
    fingerprint,
    format_state,
    read_state,
)
from studydeck.cardsfolder import LOCK_FILE, FolderContents, read_folder
from studydeck.diagnostics import ContentError, Diagnostic, Location, Severity
from studydeck.lockfile import format_lockfile
from studydeck.model import Cards, ChangeReport
from studydeck.notetypes import NoteTypes
from studydeck.outputs import remove_leftovers, staged, write_atomic

if TYPE_CHECKING:
    from studydeck.compile import CompiledDeck

#: `build` prints the whole deck only up to this size: a larger deck would make a sheet of
#: hundreds of pages (and seconds of rendering on every edit); print a selection with `quiz`.
MAX_PRINTED_ITEMS = 1500


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


@dataclass(frozen=True)
class BuildInputs:
    """A build's folders, the card files as read once for the whole build, their fingerprint,
    and the last build's state."""

    cards_dir: Path
    out_dir: Path
    folder: FolderContents
    cards_part: str
    state: BuildState

    def fingerprint(self, images: Iterable[str]) -> str:
        """Every input: the card files (as read), the lockfile as it is now, the images."""
        lockfile = files_fingerprint([self.cards_dir / LOCK_FILE])
        return fingerprint([self.cards_part, lockfile, files_fingerprint(self.cards_dir / i for i in images)])


def read_inputs(cards_dir: Path, out_dir: Path, notetypes: NoteTypes) -> BuildInputs:
    """Read the card files once: the build fingerprints and loads exactly these bytes."""
    folder = read_folder(cards_dir)
    parts: list[str | bytes] = [nt.content_hash() for nt in notetypes]
    for file in [*([folder.deck] if folder.deck else []), *folder.card_files]:
        parts.append(str(file.path))
        parts.append(file.data if file.data is not None else "\n".join(map(str, file.problems)))
    return BuildInputs(cards_dir, out_dir, folder, fingerprint(parts), read_state(out_dir))


def unchanged_result(inputs: BuildInputs, strict: bool) -> BuildResult | None:
    """The last build's result, when no input and no output changed since (else None)."""
    state, out_dir = inputs.state, inputs.out_dir
    package = next((name for name in state.outputs if name.endswith(".apkg")), None)
    if package is None or state.inputs != inputs.fingerprint(state.images):
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


def write_outputs(inputs: BuildInputs, cards: Cards, compiled: CompiledDeck) -> BuildResult:
    """Make every output whose inputs changed; rename them and the lockfile into place together."""
    from studydeck.cache import encode_items
    from studydeck.package import write_package
    from studydeck.pdf import TEMPLATES
    from studydeck.printouts import build_printouts, deck_date, printout_paths

    state, cards_dir, out_dir = inputs.state, inputs.cards_dir, inputs.out_dir
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
        inputs=inputs.fingerprint(images),
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
