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
from studydeck.identity.lockfile import (
    BadLine,
    DeckLine,
    EntryLine,
    Lockfile,
    NoteTypeEntry,
    crowded_note_ids,
    free_note_ids,
    lines_of,
    parse_line,
)


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
    renumbered: tuple[str, ...]  # ids given a fresh note id: another's was the same or too close


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
    renumbered = _renumber_crowded_note_ids(entries)
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


def _renumber_crowded_note_ids(entries: dict[str, EntryLine]) -> tuple[str, ...]:
    """Give a fresh note id to every entry whose note id is the same as another's or less than
    `NOTE_ID_STRIDE` above it (their cards' ids could collide), keeping the earlier one's. Anki
    matches notes by GUID, not by id, so learners' notes still update in place."""
    crowded = [entry.id for entry, _ in crowded_note_ids(line.entry for line in entries.values())]
    note_ids = [line.entry.note_id for line in entries.values()]
    fresh = free_note_ids(lambda: min(note_ids, default=0), max(note_ids, default=0))
    for key in crowded:
        line = entries[key]
        entries[key] = EntryLine(line.kind, line.entry._replace(note_id=next(fresh)))
    return tuple(sorted(crowded))

