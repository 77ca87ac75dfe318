"""Each card file validated once: from the cache when unchanged, in worker processes when many
changed (YAML parsing is the bulk of a cold build), in file order either way.

Validating a file also computes its items' note contents, so that the cache holds both.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from studydeck.anki.notes import NoteContent, note_content
from studydeck.anki.notetypes import DEFAULT_NOTE_TYPES
from studydeck.diagnostics import Diagnostic, Location, Severity
from studydeck.engine.cache import MIN_ENTRIES_KEPT, FileCache, decode_entry, encode_entry
from studydeck.model import Deck, Item
from studydeck.source.folder import FileBytes
from studydeck.source.validate import validate_card_file

#: Below this much work, starting processes costs more than it saves.
PARALLEL_MIN_FILES = 8
PARALLEL_MIN_BYTES = 1 << 20

CHANGED_WHILE_BUILDING = "the file changed while studydeck was reading the folder; run the command again"


@dataclass(frozen=True)
class ValidatedFile:
    """One card file, validated, with its items' note contents (None for an item with an
    image: its bytes are read afresh on every build). It depends only on the file's bytes,
    deck.yaml and the images it names (``images``: each path with what was found there)."""

    items: tuple[Item, ...]
    diagnostics: tuple[Diagnostic, ...]
    images: tuple[tuple[str, str], ...]
    contents: tuple[NoteContent | None, ...]


#: How the API reports progress on long work without printing anything itself: the files
#: validated afresh pass through it as they finish, with how many to expect. The CLI's draws a bar.
FileTracker = Callable[[Iterable[ValidatedFile], int], Iterable[ValidatedFile]]


def validated_files(
    files: tuple[FileBytes, ...],
    root: Path,
    deck: Deck,
    keys: Mapping[int, str],
    cache: FileCache,
    track: FileTracker | None = None,
) -> Iterator[tuple[int, ValidatedFile]]:
    """Each card file whose index is in ``keys`` (index → cache key, "" for a file that could
    not be read), validated, in file order.

    Results stream: each file comes as soon as it is ready, so a caller that keeps only what
    it needs never holds the whole deck. Files not in the cache are validated in worker
    processes, ahead of the caller.
    """
    misses = [i for i, key in keys.items() if key and not cache.has(key)]
    encoded: deque[bytes] = deque()  # each fresh result as the cache stores it, beside its decoded form

    def fresh() -> Iterator[ValidatedFile]:
        for data in _run([(files[i], root, deck) for i in misses]):
            encoded.append(data)
            yield decode_entry(data)

    tracked = iter(fresh() if track is None else track(fresh(), len(misses)))
    missed = set(misses)
    for index, key in keys.items():
        file = files[index]
        if file.digest is None:
            yield index, ValidatedFile((), file.problems, (), ())
            continue
        entry = None if index in missed else cache.get(key, root)
        if entry is None:  # not cached, or the entry was damaged or its images changed since
            if index in missed:
                entry, data = next(tracked), encoded.popleft()
            else:
                data = _validate((file, root, deck))
                entry = decode_entry(data)
            if not _changed_while_reading(entry):  # (never cached: the file's key names other bytes)
                cache.put(key, data)
        yield index, entry
    next(tracked, None)  # runs the tracker to its end (it reports when the last file is done)
    if misses:
        cache.prune(max(MIN_ENTRIES_KEPT, 4 * len(files)))


Job = tuple[FileBytes, Path, Deck]


def _changed_while_reading(file: ValidatedFile) -> bool:
    return any(d.message == CHANGED_WHILE_BUILDING for d in file.diagnostics)


def _validate(job: Job) -> bytes:
    """Parse, validate and precompile one file (in a worker process when there are many),
    encoded as the cache stores it. A file that is no longer what the build first read is reported."""
    file, root, deck = job
    data = file.content()
    if data is None:
        problem = Diagnostic(Location(str(file.path)), Severity.ERROR, CHANGED_WHILE_BUILDING)
        return encode_entry(ValidatedFile((), (problem,), (), ()))
    result = validate_card_file(file.path, data, deck, root)
    contents = [
        None if item.image else note_content(deck, item, DEFAULT_NOTE_TYPES.for_kind(item.kind))
        for item in result.items
    ]
    return encode_entry(ValidatedFile(result.items, result.diagnostics, result.images, tuple(contents)))


def _run(jobs: list[Job]) -> Iterator[bytes]:
    """Each job's encoded result, in order, as soon as it is ready."""
    workers = min(os.cpu_count() or 1, len(jobs))
    size = sum(job[0].size for job in jobs)
    if workers < 2 or len(jobs) < PARALLEL_MIN_FILES or size < PARALLEL_MIN_BYTES:
        yield from map(_validate, jobs)
        return
    # fork starts workers in milliseconds; elsewhere the platform default (spawn) is the safe choice.
    import multiprocessing  # (here: a rebuild after a small edit needs no processes)
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_validate, jobs, chunksize=max(1, len(jobs) // (workers * 16)))
