"""Whether `build` has anything to do: its inputs, read once, and the last build's result.

A build first fingerprints its inputs (`read_inputs`). When nothing changed since the last
build and every output is intact, the last result is replayed (`unchanged_result`), and
nothing else is even imported. Otherwise `rebuild.make_outputs` does the work.
`build/.studydeck-build.json` records what was made from what.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from studydeck.anki.notetypes import NoteTypes
from studydeck.diagnostics import ContentError, Diagnostic, Location, Severity
from studydeck.engine.state import BuildState, files_fingerprint, fingerprint, read_state
from studydeck.model import ChangeReport
from studydeck.source.folder import LOCK_FILE, FolderContents, KnownFiles, read_folder

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
    read_ns: int  # when the card files were read

    def known_files(self) -> KnownFiles:
        """The card files as read, for the next build."""
        files = {str(f.path): (f.stat, f.digest) for f in self.folder.card_files if f.stat and f.digest}
        return KnownFiles(files, self.read_ns)

    def fingerprint(self, images: Iterable[str]) -> str:
        """Every input: the card files (as read), the lockfile as it is now, the images."""
        lockfile = files_fingerprint([self.cards_dir / LOCK_FILE])
        return fingerprint([self.cards_part, lockfile, files_fingerprint(self.cards_dir / i for i in images)])


def read_inputs(cards_dir: Path, out_dir: Path, notetypes: NoteTypes) -> BuildInputs:
    """Read the card files: the build fingerprints them, and loads exactly these bytes (a file
    that changes before it is loaded is reported, not loaded). Files the last build read, and
    unchanged since, are taken at its word (`KnownFiles`)."""
    state = read_state(out_dir)
    read_ns = time.time_ns()
    folder = read_folder(cards_dir, keep_bytes=False, known=state.known)  # (read again as needed: see `assemble`)
    parts: list[str | bytes] = [nt.content_hash() for nt in notetypes]
    for file in [*([folder.deck] if folder.deck else []), *folder.card_files]:
        parts.append(str(file.path))
        parts.append(file.digest or "\n".join(map(str, file.problems)))
    return BuildInputs(cards_dir, out_dir, folder, fingerprint(parts), state, read_ns)


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
