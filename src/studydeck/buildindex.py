"""What the last build was made of, so the next one compiles only the card files that changed.

`<out>/.studydeck-index` records, for each card file in order, the cache key it was built
from (its path and bytes, deck.yaml, studydeck's code), its warnings and a summary of each
item; the lockfile that build wrote; and how the package's collection was compressed.
`<out>/.studydeck-collection.anki2` is that build's collection, which the next build patches.

Both are only a shortcut. The index is used only when deck.yaml, the note types, the
lockfile, the package and the collection are exactly as that build left them; it is
deleted before the collection is changed and written after the outputs, so a build that
dies in between leaves no index and the next build starts from scratch. Both files are
safe to delete.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studydeck.archive import Segments
from studydeck.cardsfolder import FileStat
from studydeck.diagnostics import Diagnostic, Location, Severity
from studydeck.lockfile import LockEntry, Lockfile, NoteTypeEntry, lock_entries
from studydeck.model import FileItems
from studydeck.version import code_digest

INDEX_FILE = ".studydeck-index"
COLLECTION_FILE = ".studydeck-collection.anki2"
INDEX_FORMAT = 2  # 2: lockfile entries carry the item's kind


@dataclass(frozen=True)
class FileSummary:
    """A card file as the last build compiled it."""

    path: str
    key: str  # `collect.file_key`: a changed file, deck.yaml or studydeck has another key
    reusable: bool  # False when an item shows an image: its bytes are read afresh every build
    diagnostics: tuple[Diagnostic, ...]
    items: FileItems
    entries: tuple[LockEntry, ...]  # each item's lockfile entry, in the same order
    # As stored in the index: an unchanged file is written back without encoding it again.
    encoded: bytes = field(default=b"", compare=False, repr=False)


@dataclass(frozen=True)
class BuildIndex:
    context: str  # `index_context`: deck.yaml and the note types
    files: tuple[FileSummary, ...]
    lockfile: Lockfile  # as written by that build (its items are the files' entries)
    lock_digest: str  # the lockfile's SHA-256 as written
    package: FileStat | None  # the package's stat as written
    segments: Segments  # how the package's collection was compressed
    collection: FileStat | None  # the working collection's stat
    decks: str  # `rebuild.decks_key`: what the collection's decks and note types are made from


def index_context(deck_digest: str, notetype_hashes: list[str]) -> str:
    return hashlib.sha256(f"{INDEX_FORMAT}\0{code_digest()}\0{deck_digest}\0{notetype_hashes}".encode()).hexdigest()


def _stat_of(values: tuple[int, ...] | None) -> FileStat | None:
    if values is None:
        return None
    size, mtime, ctime, inode, device = values
    return (size, mtime, ctime, inode, device)


def read_index(out_dir: Path) -> BuildIndex | None:
    """The last build's index, or None when there is none or it cannot be read."""
    try:
        data = marshal.loads((out_dir / INDEX_FILE).read_bytes())
        if data[0] != INDEX_FORMAT:
            return None
        _, context, files, lock, lock_digest, package, segments, collection, decks = data
        deck_id, notetypes, gone = lock
        summaries = tuple(map(_file_summary, files))  # each file's own marshal bytes
        items = {entry.id: entry for summary in summaries for entry in summary.entries}
        return BuildIndex(
            context=context,
            files=summaries,
            lockfile=Lockfile(deck_id, {nt[0]: NoteTypeEntry(*nt) for nt in notetypes}, items, _entries(gone)),
            lock_digest=lock_digest,
            package=_stat_of(package),
            segments=Segments(*segments),
            collection=_stat_of(collection),
            decks=decks,
        )
    except (OSError, ValueError, EOFError, TypeError, IndexError, KeyError):
        return None


def write_index(out_dir: Path, index: BuildIndex) -> None:
    lock = index.lockfile
    data = (
        INDEX_FORMAT,
        index.context,
        [f.encoded or marshal.dumps(_file_columns(f)) for f in index.files],
        (lock.deck_id, [(nt.id, nt.hash, nt.mod) for nt in lock.notetypes.values()], _columns(lock.gone.values())),
        index.lock_digest,
        index.package,
        (index.segments.digests, index.segments.sizes),
        index.collection,
        index.decks,
    )
    path = out_dir / INDEX_FILE
    temp = path.with_name(f"{INDEX_FILE}.{os.getpid()}.tmp")
    try:
        temp.write_bytes(marshal.dumps(data))
        os.replace(temp, path)
    finally:
        with contextlib.suppress(OSError):
            temp.unlink()


# Columns rather than rows: marshal reads a tuple of strings far faster than as many tuples.


def _file_columns(f: FileSummary) -> tuple[Any, ...]:
    items = f.items
    _, hashes, note_ids, mods, _, kinds = _columns(f.entries)
    diagnostics = [_diagnostic(d) for d in f.diagnostics]
    return (f.path, f.key, f.reusable, diagnostics, items.path, items.ids, items.lines, items.cols, items.prompts,
            items.subdecks, hashes, note_ids, mods, kinds)  # fmt: skip


def _file_summary(encoded: bytes) -> FileSummary:
    columns = marshal.loads(encoded)
    path, key, reusable, diagnostics, items_path, ids, lines, cols, prompts, subdecks, hashes, note_ids, mods, kinds = (
        columns
    )
    return FileSummary(
        path,
        key,
        reusable,
        tuple(Diagnostic(Location(*loc), Severity(sev), msg) for loc, sev, msg in diagnostics),
        FileItems(items_path, ids, lines, cols, prompts, subdecks),
        tuple(lock_entries(zip(ids, hashes, note_ids, mods, subdecks, kinds, strict=True))),
        encoded,
    )


def _columns(entries: Iterable[LockEntry]) -> tuple[tuple[Any, ...], ...]:
    return tuple(zip(*entries, strict=True)) or ((),) * len(LockEntry._fields)


def _entries(columns: tuple[tuple[Any, ...], ...]) -> dict[str, LockEntry]:
    return {entry.id: entry for entry in lock_entries(zip(*columns, strict=True))}


def _diagnostic(d: Diagnostic) -> tuple[tuple[str, int, int], str, str]:
    return (d.location.path, d.location.line, d.location.col), d.severity.value, d.message


def journal_path(out_dir: Path) -> Path:
    """SQLite's rollback journal for the working collection, present while it is being changed."""
    return out_dir / f"{COLLECTION_FILE}-journal"


def discard_collection(out_dir: Path) -> None:
    """Delete the working collection and any journal a killed build left: a journal found
    later would be played back into whatever collection then has this name."""
    for path in (out_dir / COLLECTION_FILE, journal_path(out_dir)):
        with contextlib.suppress(OSError):  # (an unwritable folder is reported when outputs are written)
            path.unlink()


def forget_index(out_dir: Path) -> None:
    """Delete the index: what it describes is about to change."""
    with contextlib.suppress(FileNotFoundError):
        (out_dir / INDEX_FILE).unlink()
