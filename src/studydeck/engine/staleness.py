"""What is still valid: every fingerprint recipe, and each decision taken with them.

A build reuses earlier work at four levels, each decided here and nowhere else:
- a card file's validation, from the cache: `cache_key`;
- a card file's notes, from the last build's collection: `usable_index`, `reusable_file`;
- an output file (package, printouts): `output_is_current` with `package_inputs`,
  `printout_inputs`;
- the whole build, when nothing changed: `build_inputs` against the recorded state;
- what a session (`engine.session`, e.g. `watch`) remembers of its last build's state and
  index, instead of reading them again: `still_as_written`.

Every recipe goes through `fingerprint`, which always includes studydeck's own code, so no
result outlives the code that made it. Adding an input means adding it to a recipe here.
"""

from __future__ import annotations

import functools
import hashlib
import stat
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from studydeck.source.folder import LOCK_FILE, MAX_FILE_BYTES, FileBytes, FileStat, FolderContents, file_stat
from studydeck.version import code_digest

if TYPE_CHECKING:
    from studydeck.anki.notetypes import NoteType, NoteTypes
    from studydeck.engine.index import BuildIndex, FileSummary
    from studydeck.engine.state import BuildState
    from studydeck.model import Deck

#: Bump to make every recorded fingerprint (cache keys, index, state) stale at once.
RECIPES = 3


def fingerprint(parts: Iterable[str | bytes]) -> str:
    """A hash of everything something was made from (studydeck's own code always included)."""
    digest = hashlib.sha256(f"{RECIPES}\0{code_digest()}".encode())
    for part in parts:
        digest.update(b"\0")
        # (surrogateescape: a file name that is not UTF-8 is fingerprinted too, before it is refused)
        digest.update(part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part)
    return digest.hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


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


# -- a card file's validation (the cache) --------------------------------------------------


def cache_key(file: FileBytes, deck_digest: str) -> str:
    """The cache key of a card file's validation ("" for a file that could not be read): its
    path and bytes, deck.yaml's bytes, and the Python that marshals the entry."""
    if file.digest is None:
        return ""
    return _cache_key(str(file.path), deck_digest, file.digest)


@functools.lru_cache(maxsize=8192)
def _cache_key(path: str, deck_digest: str, digest: str) -> str:
    # (remembered: a session computes the same keys for every unchanged file at every build)
    return fingerprint(["cache", sys.version, path, deck_digest, digest])


# -- a card file's notes (the index and the working collection) ----------------------------


def index_context(deck_digest: str, notetypes: NoteTypes) -> str:
    """What every note in the working collection depends on beyond its own card file."""
    return fingerprint(["index", deck_digest, *(nt.content_hash() for nt in notetypes)])


def usable_index(
    index: BuildIndex | None, out_dir: Path, context: str, lock_bytes: bytes | None, package: Path
) -> bool:
    """Whether the last build's index may be used: everything it describes (the context, the
    lockfile, the package, the working collection) is exactly as that build left it."""
    from studydeck.engine.index import COLLECTION_FILE, journal_path

    if index is None or index.context != context or journal_path(out_dir).exists():
        return False  # (a journal: a build died while changing the collection)
    return (
        lock_bytes is not None
        and hashlib.sha256(lock_bytes).hexdigest() == index.lock_digest
        and None not in (index.package, index.collection)
        and file_stat(package) == index.package
        and file_stat(out_dir / COLLECTION_FILE) == index.collection
    )


def reusable_file(summary: FileSummary | None, key: str) -> bool:
    """Whether a card file's notes can stay as the last build made them, unread."""
    return summary is not None and summary.reusable and bool(key) and summary.key == key


def decks_key(deck: Deck, deck_names: Sequence[str], notetypes: Sequence[tuple[NoteType, int]]) -> str:
    """What the collection's description of its decks and note types is made from."""
    parts = [(nt.id, nt.content_hash(), mod) for nt, mod in notetypes]
    return fingerprint(["decks", deck.id, deck.name, deck.description, repr(tuple(deck_names)), repr(parts)])


def still_as_written(path: Path, written: FileStat | None) -> bool:
    """Whether a file a build of this session wrote (the state, the index) is still exactly
    what it wrote, so that what the session remembers of it may stand in for reading it.

    Every such file is replaced by a rename, so a rewrite by anyone gives it another inode or
    change time; equal stats are the same test `usable_index` applies to the package."""
    return written is not None and file_stat(path) == written


# -- each output -------------------------------------------------------------------------


def package_inputs(lock_text: str, deck: Deck, item_ids: Iterable[str]) -> str:
    """What the package is made from, beyond the collection the pass wrote: the lockfile
    (every note's content hash, id and time), the deck, and the order of the items."""
    return fingerprint(["package", lock_text, deck.id, deck.name, deck.description, "\n".join(item_ids)])


def printout_inputs(file_keys: Iterable[str], deck: Deck, date: str, templates: Sequence[Path]) -> str:
    """What the whole-deck printouts are made from: every card file (its cache key covers its
    bytes, deck.yaml and studydeck's code), the sources, the date printed and the templates."""
    sources = repr(sorted(deck.sources.items()))
    return fingerprint(["printouts", *file_keys, deck.name, deck.id, sources, date, files_fingerprint(templates)])


def output_is_current(state: BuildState, path: Path, inputs: str) -> bool:
    """True when ``path`` holds exactly what a build from ``inputs`` wrote last time."""
    recorded = state.outputs.get(path.name)
    if recorded is None or recorded[0] != inputs:
        return False
    try:
        return file_digest(path) == recorded[1]
    except OSError:
        return False


# -- the whole build -----------------------------------------------------------------------


def folder_fingerprint(folder: FolderContents, notetypes: NoteTypes) -> str:
    """The cards folder as read (deck.yaml and every card file, by digest) and the note types."""
    parts: list[str | bytes] = ["folder", *(nt.content_hash() for nt in notetypes)]
    for file in [*([folder.deck] if folder.deck else []), *folder.card_files]:
        parts.append(str(file.path))
        parts.append(file.digest or "\n".join(map(str, file.problems)))
    return fingerprint(parts)


def build_inputs(folder: str, cards_dir: Path, images: Iterable[str]) -> str:
    """Every input of a build: the card files as read (`folder_fingerprint`), the lockfile as it
    is now, and the images the items show."""
    lockfile = files_fingerprint([cards_dir / LOCK_FILE])
    return fingerprint(["build", folder, lockfile, files_fingerprint(cards_dir / image for image in images)])


def first_build(state: BuildState) -> bool:
    """Whether no earlier build's outputs are recorded in the output folder (a fresh clone, or
    a deleted build folder): the build makes everything anew, whatever the lockfile says."""
    return not any(name.endswith(".apkg") for name in state.outputs)


def unchanged_since(state: BuildState, out_dir: Path, inputs: str) -> bool:
    """Whether the last build's outputs still stand: same inputs, every output intact."""
    return (
        not first_build(state)
        and state.inputs == inputs
        and all(output_is_current(state, out_dir / name, entry[0]) for name, entry in state.outputs.items())
    )
