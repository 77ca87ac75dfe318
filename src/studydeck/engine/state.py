"""What the last successful build wrote, and from which inputs, so a rebuild skips unchanged outputs.

`<out>/.studydeck-build.json` maps each output's file name to a fingerprint of everything it
is made from and the SHA-256 of the bytes written (`staleness.output_is_current` compares
them); it also records the fingerprint of all the build's inputs, its warnings and counts,
and the card files' stats. It is written last, together with the outputs, and is safe to delete.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from studydeck.diagnostics import Diagnostic, DiagnosticSummary
from studydeck.engine.codec import codec
from studydeck.source.folder import FileStat, KnownFiles

STATE_FILE = ".studydeck-build.json"
STATE_FORMAT = 4


@dataclass(frozen=True)
class BuildState:
    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)  # name -> (inputs, sha256)
    # The whole build: a fingerprint of every input, the images it used (their bytes are
    # inputs too), and what it reported, so an unchanged folder needs no work at all.
    inputs: str = ""
    images: tuple[str, ...] = ()
    warnings: Sequence[Diagnostic] = ()
    counts: tuple[int, int] = (0, 0)  # notes, cards
    known: KnownFiles = field(default_factory=KnownFiles)  # the card files as that build read them
    summary: DiagnosticSummary = field(default_factory=DiagnosticSummary)  # the warnings as the terminal shows them


class RecordedWarnings(Sequence[Diagnostic]):
    """The warnings a state records, decoded only when someone asks for them: an unchanged build
    shows the recorded summary, and must not pay for 10,000s of warnings it does not print."""

    def __init__(self, encoded: str, count: int) -> None:
        self._encoded, self._count = encoded, count
        self._decoded: tuple[Diagnostic, ...] | None = None

    def _all(self) -> tuple[Diagnostic, ...]:
        if self._decoded is None:
            self._decoded = tuple(codec(Diagnostic).decode(tuple(row)) for row in json.loads(self._encoded))
        return self._decoded

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Diagnostic: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Diagnostic]: ...
    def __getitem__(self, index: int | slice) -> Diagnostic | Sequence[Diagnostic]:
        return self._all()[index]

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        return tuple(self) == tuple(other) if isinstance(other, Sequence) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"RecordedWarnings({self._count} warnings)"


def _encode_warnings(warnings: Sequence[Diagnostic]) -> str:
    if isinstance(warnings, RecordedWarnings):  # (still as read: no need to decode them to write them again)
        return warnings._encoded
    return json.dumps([codec(Diagnostic).encode(w) for w in warnings], ensure_ascii=False)


def read_state(out_dir: Path) -> BuildState:
    """The recorded state; an absent or unreadable file means nothing can be reused."""
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        data = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
        if data.get("format") == STATE_FORMAT:
            return BuildState(
                outputs={name: (entry[0], entry[1]) for name, entry in data["outputs"].items()},
                inputs=str(data["inputs"]),
                images=tuple(data["images"]),
                warnings=RecordedWarnings(str(data["warnings"]), int(data["warning_count"])),
                counts=(int(data["counts"][0]), int(data["counts"][1])),
                known=KnownFiles(
                    {path: (_file_stat(stat), str(digest)) for path, (stat, digest) in data["files"].items()},
                    int(data["read_ns"]),
                ),
                summary=_decode_summary(data["summary"]),
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
        # All warnings as one string: reading the state parses it in one go, and decodes it
        # only when asked (`RecordedWarnings`); the summary is what an unchanged build prints.
        "warnings": _encode_warnings(state.warnings),
        "warning_count": len(state.warnings),
        "summary": _encode_summary(state.summary),
        "counts": list(state.counts),
        "outputs": {name: list(entry) for name, entry in state.outputs.items()},  # in the order made
        "read_ns": state.known.read_ns,
        "files": {path: [list(stat), digest] for path, (stat, digest) in state.known.files.items()},
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def _encode_summary(summary: DiagnosticSummary) -> dict[str, object]:
    return {
        "shown": [codec(Diagnostic).encode(d) for d in summary.shown],
        "more": [list(pair) for pair in summary.more],
        "errors": summary.errors,
        "warnings": summary.warnings,
    }


def _decode_summary(data: dict[str, Any]) -> DiagnosticSummary:
    return DiagnosticSummary(
        shown=tuple(codec(Diagnostic).decode(tuple(row)) for row in data["shown"]),
        more=tuple((str(kind), int(count)) for kind, count in data["more"]),
        errors=int(data["errors"]),
        warnings=int(data["warnings"]),
    )
