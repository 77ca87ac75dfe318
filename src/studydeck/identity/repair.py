"""Repairing a damaged lockfile: keep every line that can still be read, drop the rest.

What learners have in Anki hangs on two numbers per item, its note id and its modification
time, so a repair keeps both for every readable line: their notes go on being updated in
place. An id found on several lines (both sides of a merge conflict) keeps the earliest note
id and the latest modification time, with that line's content hash; if the merged content
differs, the next build then gives the item a time later than any side has shipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from studydeck.diagnostics import ContentError, Diagnostic, Location, Severity
from studydeck.identity.lockfile import BadLine, DeckLine, EntryLine, Lockfile, NoteTypeEntry, lines_of, parse_line
from studydeck.identity.reconcile import NOTE_ID_STRIDE


@dataclass(frozen=True, slots=True)
class DroppedLine:
    location: Location
    text: str
    reason: str


@dataclass(frozen=True)
class Repair:
    lockfile: Lockfile
    dropped: tuple[DroppedLine, ...]
    merged: tuple[str, ...]  # ids found on more than one line
    renumbered: tuple[str, ...]  # ids given a fresh note id because another id had the same one


def repair_lockfile(text: str, path: str) -> Repair:
    """The lockfile that ``text`` still describes; ContentError if a newer studydeck wrote it."""
    deck_id: str | None = None
    notetypes: dict[int, NoteTypeEntry] = {}
    entries: dict[str, EntryLine] = {}
    dropped: list[DroppedLine] = []
    merged: set[str] = set()
    formats: set[str] = set()
    for number, line in enumerate(lines_of(text), start=1):
        loc = Location(path, number, 1)
        try:
            parsed = parse_line(line)
        except BadLine as exc:
            if line.startswith("studydeck-lock "):
                raise ContentError(
                    [Diagnostic(loc, Severity.ERROR, f"{exc}: written by a newer studydeck; upgrade instead")]
                ) from None
            dropped.append(DroppedLine(loc, line, str(exc)))
            continue
        match parsed:
            case "format" | "format 1":
                formats.add(parsed)
            case DeckLine(read_id):
                if deck_id is None:
                    deck_id = read_id
                elif read_id != deck_id:
                    dropped.append(DroppedLine(loc, line, f"a second deck id (kept {deck_id!r})"))
            case NoteTypeEntry():
                known = notetypes.get(parsed.id)
                if known is None or parsed.mod > known.mod:
                    notetypes[parsed.id] = parsed
            case EntryLine(_, entry):
                known_line = entries.get(entry.id)
                if known_line is not None:
                    merged.add(entry.id)
                    parsed = _merge(known_line, parsed)
                entries[entry.id] = parsed
    renumbered = _renumber_shared_note_ids(entries)
    items = {key: e.entry for key, e in entries.items() if e.kind == "item"}
    gone = {key: e.entry for key, e in entries.items() if e.kind == "gone"}
    # Cloze items are marked only in format 2: lines from a format 1 side may lack the mark.
    kinds_known = formats == {"format"}
    lockfile = Lockfile(deck_id, notetypes, items, gone, kinds_known)
    return Repair(lockfile, tuple(dropped), tuple(sorted(merged)), renumbered)


def _merge(first: EntryLine, second: EntryLine) -> EntryLine:
    """One entry for an id written twice: alive if either says so, earliest note id, latest time."""
    newer = second.entry if second.entry.mod > first.entry.mod else first.entry
    note_id = min(first.entry.note_id, second.entry.note_id)
    kind: Literal["item", "gone"] = "item" if "item" in (first.kind, second.kind) else "gone"
    return EntryLine(kind, newer._replace(note_id=note_id))


def _renumber_shared_note_ids(entries: dict[str, EntryLine]) -> tuple[str, ...]:
    """Give every id but the first (in id order) that shares a note id a fresh one, after all others."""
    next_note_id = max((e.entry.note_id for e in entries.values()), default=0) + NOTE_ID_STRIDE
    owners: dict[int, str] = {}
    renumbered = []
    for key in sorted(entries):
        line = entries[key]
        if owners.setdefault(line.entry.note_id, key) != key:
            entries[key] = EntryLine(line.kind, line.entry._replace(note_id=next_note_id))
            next_note_id += NOTE_ID_STRIDE
            renumbered.append(key)
    return tuple(renumbered)
