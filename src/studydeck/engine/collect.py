"""Load and validate a whole cards folder: each card file once, from the cache when unchanged,
in parallel processes when many files changed (YAML parsing is the bulk of a cold build)."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studydeck.anki.notetypes import DEFAULT_NOTE_TYPES
from studydeck.diagnostics import Diagnostic, Diagnostics, Location, Severity
from studydeck.engine.cache import MIN_ENTRIES_KEPT, FileCache, decode_result, encode_result
from studydeck.identity.compile import NoteContent, note_content
from studydeck.model import Cards, Deck
from studydeck.source.folder import DECK_FILE, FileBytes, FolderContents
from studydeck.source.load import parse_card_file
from studydeck.source.validate import FileResult, check_across_files, file_items, validate_card_file, validate_deck

if TYPE_CHECKING:
    from studydeck.cli.progress import FileTracker

#: Below this much work, starting processes costs more than it saves.
PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 1 << 20


@dataclass(frozen=True)
class Collected:
    """A validated deck, with the note contents computed alongside (by item id)."""

    cards: Cards
    contents: dict[str, NoteContent]


def collect_cards(
    folder: FolderContents, cache: FileCache, diags: Diagnostics, track: FileTracker | None = None
) -> Collected | None:
    """The validated deck, or None when any error was found (all are in ``diags``).

    ``track`` sees each freshly validated file's result as it comes (for a progress bar).
    """
    loaded = load_deck_file(folder, diags)
    if loaded is None:
        return None
    deck, deck_digest = loaded
    files = validated_files(folder, deck, deck_digest, cache, track)
    items = [item for result, _ in files for item in result.items]
    contents = {
        item.id: content
        for result, file_contents in files
        for item, content in zip(result.items, file_contents, strict=True)
        if content is not None
    }
    for result, _ in files:
        diags.items.extend(result.diagnostics)
    check_across_files([file_items(result.items) for result, _ in files], diags)
    if diags.errors:
        return None
    return Collected(Cards(folder.root, deck, tuple(items), tuple(diags.warnings)), contents)


def load_deck_file(folder: FolderContents, diags: Diagnostics) -> tuple[Deck, str] | None:
    """deck.yaml, validated, and a digest of its bytes; None when it has errors (in ``diags``)."""
    root = folder.root
    if not root.is_dir():
        diags.error(Location(str(root)), "cards folder not found")
        return None
    if folder.deck is None:
        message = "deck.yaml is missing; it names the deck and gives it a stable id"
        diags.error(Location(str(root / DECK_FILE)), message)
        return None
    diags.items.extend(folder.deck.problems)
    deck_bytes = folder.deck.data
    deck = validate_deck(parse_card_file(folder.deck.path, root, deck_bytes, diags), root, diags)
    if deck is None or deck_bytes is None:
        return None
    return deck, hashlib.sha256(deck_bytes).hexdigest()


FileEntry = tuple[FileResult, tuple[NoteContent | None, ...]]


def validated_files(
    folder: FolderContents, deck: Deck, deck_digest: str, cache: FileCache, track: FileTracker | None = None
) -> list[FileEntry]:
    """One result per card file, in file order, each with its items' note contents."""
    keys = {i: file_key(file, deck_digest) for i, file in enumerate(folder.card_files)}
    return [entry for _, entry in validated(folder, deck, keys, cache, track)]


def file_key(file: FileBytes, deck_digest: str) -> str:
    """The file's cache key ("" for a file that could not be read)."""
    return "" if file.digest is None else FileCache.key(file.path, file.digest, deck_digest)


def validated(
    folder: FolderContents, deck: Deck, keys: dict[int, str], cache: FileCache, track: FileTracker | None = None
) -> Iterator[tuple[int, FileEntry]]:
    """Each card file whose index is in ``keys`` (index → `file_key`), validated, in file order.

    Results stream: each file comes as soon as it is ready, so a caller that keeps only what
    it needs never holds the whole deck. Files not in the cache are validated in worker
    processes, ahead of the caller.
    """
    root, files = folder.root, folder.card_files
    misses = [i for i, key in keys.items() if key and not cache.has(key)]
    jobs = [(files[i], root, deck) for i in misses]
    fresh = iter(_run(jobs) if track is None else track(_run(jobs), len(jobs)))
    missed = set(misses)
    for index, key in keys.items():
        file = files[index]
        if file.digest is None:
            yield index, (FileResult((), file.problems), ())
            continue
        entry = None if index in missed else cache.get(key, root)
        if entry is None:  # not cached, or the entry was damaged or its images changed since
            encoded = next(fresh) if index in missed else _validate_encoded((file, root, deck))
            if not encoded:  # the file changed since the build first read it: reported, never cached
                problem = Diagnostic(Location(str(file.path)), Severity.ERROR, CHANGED_WHILE_BUILDING)
                yield index, (FileResult((), (problem,)), ())
                continue
            cache.put(key, encoded)
            # Fresh results take the same encode/decode path as cached ones, so both are identical.
            entry = decode_result(encoded)
        yield index, entry
    next(fresh, None)  # runs the tracker to its end (it reports when the last file is done)
    if misses:
        cache.prune(max(MIN_ENTRIES_KEPT, 4 * len(files)))


Job = tuple[FileBytes, Path, Deck]


CHANGED_WHILE_BUILDING = "the file changed while studydeck was reading the folder; run the command again"


def _validate_encoded(job: Job) -> bytes:
    """Parse, validate and precompile one file (in a worker process when there are many);
    empty when the file is no longer what was first read."""
    file, root, deck = job
    data = file.content()
    if data is None:
        return b""
    diags = Diagnostics()
    result = validate_card_file(parse_card_file(file.path, root, data, diags), deck, root, diags)
    contents = [
        None if item.image else note_content(deck, item, DEFAULT_NOTE_TYPES.for_kind(item.kind))
        for item in result.items
    ]
    return encode_result(result, contents)


def _run(jobs: list[Job]) -> Iterator[bytes]:
    """Each job's encoded result, in order, as soon as it is ready."""
    workers = min(os.cpu_count() or 1, len(jobs))
    size = sum(job[0].size for job in jobs)
    if workers < 2 or len(jobs) < PARALLEL_MIN_FILES or size < PARALLEL_MIN_BYTES:
        yield from map(_validate_encoded, jobs)
        return
    # fork starts workers in milliseconds; elsewhere the platform default (spawn) is the safe choice.
    import multiprocessing  # (here: a rebuild after a small edit needs no processes)
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_validate_encoded, jobs, chunksize=max(1, len(jobs) // (workers * 16)))
