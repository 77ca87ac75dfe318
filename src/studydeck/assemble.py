"""`build`'s validate-and-compile pass: every card file streamed into the collection, in order.

A card file unchanged since the last build (same key in its `BuildIndex`) is not read again:
its items keep their lockfile entries and their rows in the last build's collection, and at
most their cards' positions move. Every other file is validated (from the cache, or in
worker processes), compiled and its notes written as it arrives, so a large deck is never
held in memory whole. Without an index every file is new, which is a cold build: one path
for both, so a patched collection is the same as a fresh one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studydeck.buildindex import BuildIndex, FileSummary
from studydeck.cache import FileCache
from studydeck.cardsfolder import FolderContents
from studydeck.collect import file_key, validated
from studydeck.compile import MediaFile, Note, NoteContent, Reconciler, item_content, make_note
from studydeck.diagnostics import Diagnostics
from studydeck.lockfile import Lockfile
from studydeck.model import ChangeReport, Deck
from studydeck.notetypes import NoteType, NoteTypes
from studydeck.package import Collection
from studydeck.progress import FileTracker
from studydeck.validate import FileResult, check_across_files, file_items


@dataclass(frozen=True)
class Assembled:
    lockfile: Lockfile
    report: ChangeReport
    notetypes: tuple[tuple[NoteType, int], ...]  # each with its modification time
    files: tuple[FileSummary, ...]  # for the next build's index
    media: tuple[MediaFile, ...]
    deck_names: tuple[str, ...]
    note_count: int


def assemble(
    folder: FolderContents,
    deck: Deck,
    deck_digest: str,
    lock: Lockfile,
    notetypes: NoteTypes,
    now: float,
    cache: FileCache,
    diags: Diagnostics,
    collection: Collection | None = None,
    base: BuildIndex | None = None,
    track: FileTracker | None = None,
) -> Assembled | None:
    """Validate and compile the folder, writing notes into ``collection`` (when given).

    ``base`` is the index of the build ``collection`` and ``lock`` come from, if any.
    Returns None when any error was found (all are in ``diags``).
    """
    files = folder.card_files
    keys = {i: file_key(file, deck_digest) for i, file in enumerate(files)}
    previous = {f.path: f for f in base.files} if base else {}
    reused = {i: previous[str(f.path)] for i, f in enumerate(files) if _reusable(previous.get(str(f.path)), keys[i])}
    fresh = validated(folder, deck, {i: k for i, k in keys.items() if i not in reused}, cache, track)
    old_starts = _starts(base) if base else {}

    reconciler = Reconciler(deck, lock, now, diags)
    summaries: list[FileSummary] = []
    media: dict[str, MediaFile] = {}
    moved_cards: list[tuple[int, int]] = []  # (note id, new position) of unchanged notes
    position = 0
    for index, file in enumerate(files):
        if index in reused:  # its items are as the last build (and the lockfile) has them
            summary = reused[index]
            diags.items.extend(summary.diagnostics)
            reconciler.keep(summary.entries)
            if old_starts[summary.path] != position:  # files before it grew or shrank: its cards move
                moved_cards.extend((e.note_id, position + n) for n, e in enumerate(summary.entries, start=1))
            position += len(summary.entries)
            summaries.append(summary)
            continue
        at, (result, contents) = next(fresh)
        assert at == index
        notes = _compile_file(folder.root, deck, result, contents, notetypes, reconciler, media, position)
        diags.items.extend(result.diagnostics)
        position += len(notes)
        entries = () if diags.has_errors else tuple(reconciler.entries[item.id] for item in result.items)
        items = file_items(result.items)
        summaries.append(
            FileSummary(str(file.path), keys[index], not result.images, result.diagnostics, items, entries)
        )
        if collection is not None and not diags.has_errors:
            if base:  # these notes may be in the last build's collection: replace them
                collection.remove(note.note_id for note, _ in notes)
            collection.add(notes)

    check_across_files([summary.items for summary in summaries], diags)
    if diags.has_errors:
        return None
    new_lock, report, notetype_mods = reconciler.finish(notetypes)
    if collection is not None:
        if base:
            collection.remove(base.lockfile.items[item_id].note_id for item_id in report.removed)
        collection.set_due(moved_cards)
    subdecks = {subdeck for summary in summaries for subdeck in summary.items.subdecks}
    return Assembled(
        lockfile=new_lock,
        report=report,
        notetypes=notetype_mods,
        files=tuple(summaries),
        media=tuple(media[name] for name in sorted(media)),
        deck_names=tuple(sorted({deck.name, *(f"{deck.name}::{s}" if s else deck.name for s in subdecks)})),
        note_count=position,
    )


def _reusable(summary: FileSummary | None, key: str) -> bool:
    return summary is not None and summary.reusable and summary.key == key and bool(key)


def _starts(base: BuildIndex) -> dict[str, int]:
    """Where each card file's items started in the last build (their cards are due in order)."""
    starts, position = {}, 0
    for summary in base.files:
        starts[summary.path] = position
        position += len(summary.entries)
    return starts


def _compile_file(
    root: Path,
    deck: Deck,
    result: FileResult,
    contents: tuple[NoteContent | None, ...],
    notetypes: NoteTypes,
    reconciler: Reconciler,
    media: dict[str, MediaFile],
    position: int,
) -> list[tuple[Note, int]]:
    """The file's notes, each with its position in the deck (ids already used are skipped:
    the check across files reports them)."""
    notes: list[tuple[Note, int]] = []
    for item, cached in zip(result.items, contents, strict=True):
        if item.id in reconciler.entries:
            continue
        notetype = notetypes.for_kind(item.kind)
        content, medium = item_content(root, deck, item, notetype, cached)
        if medium is not None:
            media[medium.name] = medium
        lock_entry = reconciler.entry(item.id, content.content_hash, item.subdeck, item.location, item.kind)
        if lock_entry is not None:
            note = make_note(deck, item.id, item.subdeck, notetype, content, lock_entry)
            notes.append((note, position + len(notes) + 1))
    return notes
