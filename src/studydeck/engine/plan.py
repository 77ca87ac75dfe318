"""Whether `build` has anything to do: its inputs, read once, and the last build's state.

A build first reads the card files and fingerprints them (`read_inputs`). When nothing
changed since the last build and every output is intact, the last result is replayed
(`unchanged_result`), and nothing else is even imported. Otherwise `engine.build` does the work.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studydeck.anki.notetypes import NoteTypes
from studydeck.diagnostics import ContentError
from studydeck.engine import BuildResult
from studydeck.engine.staleness import build_inputs, folder_fingerprint, still_as_written, unchanged_since
from studydeck.engine.state import STATE_FILE, BuildState, read_state
from studydeck.model import ChangeReport
from studydeck.source.folder import FolderContents, KnownFiles, read_folder

if TYPE_CHECKING:
    from studydeck.engine.session import Remembered


@dataclass(frozen=True)
class BuildInputs:
    """A build's folders, the card files as read once for the whole build, their fingerprint,
    and the last build's state."""

    cards_dir: Path
    out_dir: Path
    folder: FolderContents
    folder_fingerprint: str
    state: BuildState
    read_ns: int  # when the card files were read

    def known_files(self) -> KnownFiles:
        """The card files as read, for the next build."""
        files = {str(f.path): (f.stat, f.digest) for f in self.folder.card_files if f.stat and f.digest}
        return KnownFiles(files, self.read_ns)

    def fingerprint(self, images: Iterable[str]) -> str:
        """Every input of the build, the images its items show included."""
        return build_inputs(self.folder_fingerprint, self.cards_dir, images)


def read_inputs(
    cards_dir: Path, out_dir: Path, notetypes: NoteTypes, remembered: Remembered | None = None
) -> BuildInputs:
    """Read the card files: the build fingerprints them, and loads exactly these bytes (a file
    that changes before it is loaded is reported, not loaded). Files the last build read, and
    unchanged since, are taken at its word (`KnownFiles`). The last build's state comes from
    the session's memory while the file is as that build wrote it."""
    if remembered is not None and still_as_written(out_dir / STATE_FILE, remembered.state_stat):
        state = remembered.state
    else:
        state = read_state(out_dir)
    read_ns = time.time_ns()
    folder = read_folder(cards_dir, keep_bytes=False, known=state.known)  # (each file read again when parsed)
    return BuildInputs(cards_dir, out_dir, folder, folder_fingerprint(folder, notetypes), state, read_ns)


def unchanged_result(inputs: BuildInputs, strict: bool) -> BuildResult | None:
    """The last build's result, when no input and no output changed since (else None)."""
    state, out_dir = inputs.state, inputs.out_dir
    if not unchanged_since(state, out_dir, inputs.fingerprint(state.images)):
        return None
    if strict and state.warnings:
        raise ContentError(list(state.warnings))
    package = next(name for name in state.outputs if name.endswith(".apkg"))
    printouts = [out_dir / name for name in state.outputs if name.endswith(".pdf")]
    return BuildResult(
        package=out_dir / package,
        report=ChangeReport(),
        warnings=state.warnings,
        note_count=state.counts[0],
        card_count=state.counts[1],
        printouts=tuple(printouts),
        printouts_skipped=state.counts[0] > 0 and not printouts,
        warning_summary=state.summary,
    )
