"""What the last build was made of, so the next one compiles only the card files that changed.

`<out>/.studydeck-index` records, for each card file in order, the cache key it was built
from (its path and bytes, deck.yaml, studydeck's code), its warnings and a summary of each
item; the lockfile that build wrote; and how the package's collection was compressed.
`<out>/.studydeck-collection.anki2` is that build's collection, which the next build patches.

Both are only a shortcut (`staleness.usable_index` says when it may be taken). The index is
deleted before the collection is changed and written after the outputs, so a build that
dies in between leaves no index and the next build starts from scratch. Both files are
safe to delete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import marshal
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.anki.apkg import Segments
from studydeck.diagnostics import Diagnostic
from studydeck.engine.codec import codec
from studydeck.identity.lockfile import LockEntry, Lockfile, NoteTypeEntry
from studydeck.model import FileItems
from studydeck.outputs import write_atomic
from studydeck.source.folder import FileStat

INDEX_FILE = ".studydeck-index"
COLLECTION_FILE = ".studydeck-collection.anki2"
INDEX_FORMAT = 3


@dataclass(frozen=True)
class FileSummary:
    """A card file as a build compiled it: what the next build needs to reuse it unread."""

    path: str
    key: str  # its cache key: a changed file, deck.yaml or studydeck has another key
    reusable: bool  # False when an item shows an image: its bytes are read afresh every build
    diagnostics: tuple[Diagnostic, ...]
    items: FileItems
    entries: tuple[LockEntry, ...]  # each item's lockfile entry, in the same order


@dataclass(frozen=True)
class BuildIndex:
    context: str  # `staleness.index_context`: the code, deck.yaml and the note types
    files: tuple[FileSummary, ...]
    lockfile: Lockfile  # as written by that build (its items are the files' entries)
    lock_digest: str  # the lockfile's SHA-256 as written
    package: FileStat | None  # the package's stat as written
    segments: Segments  # how the package's collection was compressed
    collection: FileStat | None  # the working collection's stat
    decks: str  # `staleness.decks_key`: what the collection's decks and note types are made from
    # Each file's summary as stored, so that an unchanged file is written back without encoding it again.
    encoded: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    def starts(self) -> dict[str, int]:
        """Where each card file's notes started in that build (their cards are due in order)."""
        starts, position = {}, 0
        for summary in self.files:
            starts[summary.path] = position
            position += len(summary.entries)
        return starts


@dataclass(frozen=True)
class _Stored:
    """The index as stored: each file's summary encoded on its own (`BuildIndex.encoded`)."""

    context: str
    files: tuple[bytes, ...]
    deck_id: str | None
    notetypes: tuple[NoteTypeEntry, ...]
    gone: tuple[LockEntry, ...]
    lock_digest: str
    package: FileStat | None
    segments: Segments
    collection: FileStat | None
    decks: str


def read_index(out_dir: Path) -> BuildIndex | None:
    """The last build's index, or None when there is none or it cannot be read."""
    try:
        version, row = marshal.loads((out_dir / INDEX_FILE).read_bytes())
        if version != INDEX_FORMAT:
            return None
        stored = codec(_Stored).decode(row)
        summaries = tuple(codec(FileSummary).loads(data) for data in stored.files)
        items = {entry.id: entry for summary in summaries for entry in summary.entries}
        return BuildIndex(
            context=stored.context,
            files=summaries,
            lockfile=Lockfile(
                stored.deck_id, {nt.id: nt for nt in stored.notetypes}, items, {e.id: e for e in stored.gone}
            ),
            lock_digest=stored.lock_digest,
            package=stored.package,
            segments=stored.segments,
            collection=stored.collection,
            decks=stored.decks,
            encoded={summary.path: data for summary, data in zip(summaries, stored.files, strict=True)},
        )
    except (OSError, ValueError, EOFError, TypeError, IndexError, KeyError):
        return None


def write_index(out_dir: Path, index: BuildIndex, previous: BuildIndex | None) -> BuildIndex:
    """Write ``index``; files summarised as in ``previous`` keep their stored bytes. Returns
    ``index`` with each file's stored bytes, as `read_index` would read it back."""
    # A reused file's summary is the very object the previous index read: its bytes are as stored.
    kept = {id(f): previous.encoded[f.path] for f in previous.files} if previous else {}
    files = tuple(kept.get(id(f)) or codec(FileSummary).dumps(f) for f in index.files)
    lock = index.lockfile
    stored = _Stored(
        index.context, files, lock.deck_id, tuple(lock.notetypes.values()), tuple(lock.gone.values()),
        index.lock_digest, index.package, index.segments, index.collection, index.decks,
    )  # fmt: skip
    # Not flushed to disk: after a power cut a torn index fails to read, and the next build runs in full.
    write_atomic(out_dir / INDEX_FILE, marshal.dumps((INDEX_FORMAT, codec(_Stored).encode(stored))), durable=False)
    return dataclasses.replace(index, encoded={f.path: data for f, data in zip(index.files, files, strict=True)})


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
