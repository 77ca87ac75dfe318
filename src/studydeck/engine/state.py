"""What the last successful build wrote, and from which inputs, so a rebuild skips unchanged outputs.

`<out>/.studydeck-build.json` maps each output's file name to a fingerprint of everything it
is made from and the SHA-256 of the bytes written. An output is reused only when both still
match, so a deleted or hand-edited output, or any changed input, is simply rebuilt. The file
is written together with the outputs and is safe to delete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.source.folder import MAX_FILE_BYTES, FileStat, KnownFiles
from studydeck.version import code_digest

STATE_FILE = ".studydeck-build.json"
STATE_FORMAT = 2


@dataclass(frozen=True)
class BuildState:
    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (inputs, sha256)
    # The whole build: a fingerprint of every input, the images it used (their bytes are
    # inputs too), and what it reported, so an unchanged folder needs no work at all.
    inputs: str = ""
    images: tuple[str, ...] = ()
    warnings: tuple[tuple[str, int, int, str], ...] = ()
    counts: tuple[int, int] = (0, 0)  # notes, cards
    known: KnownFiles = field(default_factory=KnownFiles)  # the card files as that build read them

    def is_current(self, path: Path, inputs: str) -> bool:
        """True when ``path`` holds exactly what a build from ``inputs`` wrote last time."""
        recorded = self.outputs.get(path.name)
        if recorded is None or recorded[0] != inputs:
            return False
        try:
            return file_digest(path) == recorded[1]
        except OSError:
            return False


def fingerprint(parts: Iterable[str | bytes]) -> str:
    """A hash of an output's inputs (studydeck's own code always included)."""
    digest = hashlib.sha256(f"{STATE_FORMAT}\0{code_digest()}".encode())
    for part in parts:
        digest.update(b"\0")
        digest.update(part.encode() if isinstance(part, str) else part)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def read_state(out_dir: Path) -> BuildState:
    """The recorded state; an absent or unreadable file means nothing can be reused."""
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
        if data.get("format") == STATE_FORMAT:
            return BuildState(
                outputs={name: (entry[0], entry[1]) for name, entry in data["outputs"].items()},
                inputs=str(data["inputs"]),
                images=tuple(data["images"]),
                warnings=tuple((w[0], int(w[1]), int(w[2]), str(w[3])) for w in data["warnings"]),
                counts=(int(data["counts"][0]), int(data["counts"][1])),
                known=KnownFiles(
                    {path: (_file_stat(stat), str(digest)) for path, (stat, digest) in data["files"].items()},
                    int(data["read_ns"]),
                ),
            )
    return BuildState()


def _file_stat(values: list[object]) -> FileStat:
    size, mtime, ctime, inode, device = (int(str(v)) for v in values)
    return (size, mtime, ctime, inode, device)


def format_state(state: BuildState) -> str:
    data = {
        "format": STATE_FORMAT,
        "inputs": state.inputs,
        "images": list(state.images),
        "warnings": [list(w) for w in state.warnings],
        "counts": list(state.counts),
        "outputs": {name: list(entry) for name, entry in state.outputs.items()},  # in the order made
        "read_ns": state.known.read_ns,
        "files": {path: [list(stat), digest] for path, (stat, digest) in state.known.files.items()},
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def files_fingerprint(paths: Iterable[Path]) -> str:
    """What a build reads from these files: each one's place, kind and bytes (a missing one counts too)."""
    parts: list[str | bytes] = []
    for path in paths:
        parts.append(f"{path}\0{path.is_symlink()}")
        try:
            info = path.stat()
            # Never read a pipe (it may never end) or a file too big to be a card file (loading
            # refuses both): their kind, size and time stand in for their bytes.
            if stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES:
                parts.append(path.read_bytes())
            else:
                parts.append(f"{stat.S_IFMT(info.st_mode)} {info.st_size} {info.st_mtime_ns}")
        except OSError as exc:
            parts.append(f"unreadable {exc.errno}")
    return fingerprint(parts)
