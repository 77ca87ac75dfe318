"""A content-addressed cache of validated card files, so a rebuild only re-reads what changed.

An entry's key (`staleness.cache_key`) is a hash of everything its result depends on: the
file's path and bytes, deck.yaml's bytes, studydeck's code and the cache format. A changed
input therefore means a different key, never a stale entry. Images a file names are
rechecked on every hit. An unreadable entry is deleted and recomputed. The folder
(`~/.cache/studydeck`, or `$STUDYDECK_CACHE_DIR`) is safe to delete at any time.
"""

from __future__ import annotations

import contextlib
import marshal
import os
from pathlib import Path
from typing import TYPE_CHECKING

from studydeck.diagnostics import OutputError
from studydeck.engine.codec import codec
from studydeck.source.folder import image_state

if TYPE_CHECKING:
    from studydeck.engine.validation import ValidatedFile

CACHE_FORMAT = 3
#: Old entries beyond this many (or four per card file) are pruned after a build.
MIN_ENTRIES_KEPT = 2000
#: A cache kept between builds (`watch`'s session) prunes again only after this many new entries:
#: listing a large cache would cost every one-item rebuild about 10 ms.
PRUNE_AFTER_ENTRIES = 64


def default_cache_dir() -> Path | None:
    """`$STUDYDECK_CACHE_DIR` (empty: no cache), else the user cache folder."""
    configured = os.environ.get("STUDYDECK_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "studydeck"


def encode_entry(file: ValidatedFile) -> bytes:
    from studydeck.engine.validation import ValidatedFile

    return marshal.dumps((CACHE_FORMAT, codec(ValidatedFile).encode(file)))


def decode_entry(data: bytes) -> ValidatedFile:
    from studydeck.engine.validation import ValidatedFile

    version, row = marshal.loads(data)
    if version != CACHE_FORMAT:
        raise ValueError("cache format")
    file: ValidatedFile = codec(ValidatedFile).decode(row)
    return file


class FileCache:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._pruned = False
        self._added = 0  # entries stored since the last prune

    def _entry(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / key

    def has(self, key: str) -> bool:
        return self.directory is not None and self._entry(key).is_file()

    def get(self, key: str, root: Path) -> ValidatedFile | None:
        """A stored entry, decoded, if present and the images it names are as they were."""
        if self.directory is None:
            return None
        entry = self._entry(key)
        try:
            file = decode_entry(entry.read_bytes())
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry (e.g. a killed build, another version): recompute
            with contextlib.suppress(OSError):
                entry.unlink()
            return None
        if any(image_state(root / raw, root) != state for raw, state in file.images):
            return None  # an image the file names appeared, vanished or changed kind
        return file

    def put(self, key: str, encoded: bytes) -> None:
        """Store an entry made by `encode_entry`; a cache that cannot be written is skipped."""
        if self.directory is None:
            return
        from studydeck.outputs import write_atomic  # (an unchanged build writes nothing: it need not load this)

        entry = self._entry(key)
        with contextlib.suppress(OSError, OutputError):
            entry.parent.mkdir(parents=True, exist_ok=True)
            # Not durable: a torn entry after a crash is unreadable, and unreadable entries are recomputed.
            write_atomic(entry, encoded, durable=False)
            self._added += 1

    def prune(self, keep: int) -> None:
        """Delete the oldest entries beyond ``keep`` (the first time, then every PRUNE_AFTER_ENTRIES new ones)."""
        if self.directory is None or not self.directory.is_dir():
            return
        if self._pruned and self._added < PRUNE_AFTER_ENTRIES:
            return
        self._pruned, self._added = True, 0
        entries = [p for p in self.directory.glob("??/*") if p.is_file()]
        if len(entries) <= keep:
            return
        entries.sort(key=lambda p: p.stat().st_mtime)
        for old in entries[: len(entries) - keep]:
            with contextlib.suppress(OSError):
                old.unlink()
