"""What the last successful build wrote, and from which inputs, so a rebuild skips unchanged outputs.

`<out>/.studydeck-build.json` maps each output's file name to a fingerprint of everything it
is made from and the SHA-256 of the bytes written (`staleness.output_is_current` compares
them); it also records the fingerprint of all the build's inputs, its warnings and counts,
and the card files' stats. It is written last, together with the outputs, and is safe to delete.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.diagnostics import Diagnostic
from studydeck.engine.codec import codec
from studydeck.source.folder import FileStat, KnownFiles

STATE_FILE = ".studydeck-build.json"
STATE_FORMAT = 3


@dataclass(frozen=True)
class BuildState:
    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (inputs, sha256)
    # The whole build: a fingerprint of every input, the images it used (their bytes are
    # inputs too), and what it reported, so an unchanged folder needs no work at all.
    inputs: str = ""
    images: tuple[str, ...] = ()
    warnings: tuple[Diagnostic, ...] = ()
    counts: tuple[int, int] = (0, 0)  # notes, cards
    known: KnownFiles = field(default_factory=KnownFiles)  # the card files as that build read them


def read_state(out_dir: Path) -> BuildState:
    """The recorded state; an absent or unreadable file means nothing can be reused."""
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
        if data.get("format") == STATE_FORMAT:
            return BuildState(
                outputs={name: (entry[0], entry[1]) for name, entry in data["outputs"].items()},
                inputs=str(data["inputs"]),
                images=tuple(data["images"]),
                warnings=tuple(codec(Diagnostic).decode(row) for row in data["warnings"]),
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
        "warnings": [codec(Diagnostic).encode(w) for w in state.warnings],
        "counts": list(state.counts),
        "outputs": {name: list(entry) for name, entry in state.outputs.items()},  # in the order made
        "read_ns": state.known.read_ns,
        "files": {path: [list(stat), digest] for path, (stat, digest) in state.known.files.items()},
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
