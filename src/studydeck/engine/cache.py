"""A content-addressed cache of validated card files, so a rebuild only re-reads what changed.

An entry's key is a hash of everything its result depends on: the file's path and bytes,
deck.yaml's bytes, studydeck's code (`version.code_digest`) and the cache format. A changed input therefore
means a different key, never a stale entry. Images a file names are rechecked on every hit.
Entries are written atomically; an unreadable one is deleted and recomputed. The folder
(`~/.cache/studydeck`, or `$STUDYDECK_CACHE_DIR`) is safe to delete at any time.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from studydeck.diagnostics import Diagnostic, Location, Severity
from studydeck.identity.compile import NoteContent
from studydeck.model import Item, SourceRef
from studydeck.source.validate import FileResult, image_state
from studydeck.version import code_digest

CACHE_FORMAT = 2
#: Old entries beyond this many (or four per card file) are pruned after a build.
MIN_ENTRIES_KEPT = 2000


def default_cache_dir() -> Path | None:
    """`$STUDYDECK_CACHE_DIR` (empty: no cache), else the user cache folder."""
    configured = os.environ.get("STUDYDECK_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "studydeck"


class FileCache:
    def __init__(self, directory: Path | None) -> None:
        self.directory = directory

    @staticmethod
    def key(path: Path, file_digest: str, deck_digest: str) -> str:
        """The key of a file's entry (``file_digest``: the SHA-256 of its bytes)."""
        parts = f"{CACHE_FORMAT}\0{code_digest()}\0{sys.version}\0{path}\0{deck_digest}\0{file_digest}"
        return hashlib.sha256(parts.encode()).hexdigest()

    def _entry(self, key: str) -> Path:
        assert self.directory is not None
        return self.directory / key[:2] / key

    def has(self, key: str) -> bool:
        return self.directory is not None and self._entry(key).is_file()

    def get(self, key: str, root: Path) -> tuple[FileResult, tuple[NoteContent | None, ...]] | None:
        """A stored entry, decoded, if present and the images it names are as they were."""
        if self.directory is None:
            return None
        entry = self._entry(key)
        try:
            result, contents = decode_result(entry.read_bytes())
        except FileNotFoundError:
            return None
        except Exception:  # a damaged entry (e.g. a killed build, another version): recompute
            with contextlib.suppress(OSError):
                entry.unlink()
            return None
        if any(image_state(root / raw, root) != state for raw, state in result.images):
            return None  # an image the file names appeared, vanished or changed kind
        return result, contents

    def put(self, key: str, encoded: bytes) -> None:
        """Store an entry made by `encode_result`; a cache that cannot be written is skipped."""
        if self.directory is None:
            return
        entry = self._entry(key)
        temp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
        try:
            entry.parent.mkdir(parents=True, exist_ok=True)
            temp.write_bytes(encoded)
            os.replace(temp, entry)
        except OSError:
            with contextlib.suppress(OSError):
                temp.unlink()

    def prune(self, keep: int) -> None:
        """Delete the oldest entries beyond ``keep``."""
        if self.directory is None or not self.directory.is_dir():
            return
        entries = [p for p in self.directory.glob("??/*") if p.is_file()]
        if len(entries) <= keep:
            return
        entries.sort(key=lambda p: p.stat().st_mtime)
        for old in entries[: len(entries) - keep]:
            with contextlib.suppress(OSError):
                old.unlink()


# marshal reads and writes only plain values (it cannot run code, unlike pickle) and is fast.


def _location(loc: Location) -> tuple[str, int, int]:
    return (loc.path, loc.line, loc.col)


def encode_items(items: Iterable[Item]) -> bytes:
    """Items as bytes: equal bytes exactly when the items are equal."""
    return marshal.dumps([_item_fields(i) for i in items])


def _item_fields(i: Item) -> tuple[Any, ...]:
    return (
        i.id, i.category, i.kind, _location(i.location), i.subdeck, i.q, i.a, i.cloze, i.extra,
        i.caution, i.tags, (i.source.key, i.source.section) if i.source else None, i.image,
        i.wrong, i.reverse,
    )  # fmt: skip


def encode_result(result: FileResult, contents: Sequence[NoteContent | None]) -> bytes:
    """A validated file and its items' note contents (None where not precomputed)."""
    items = [_item_fields(i) for i in result.items]
    diagnostics = [(_location(d.location), d.severity.value, d.message) for d in result.diagnostics]
    notes = [
        None if c is None else (c.notetype_id, c.guid, c.fields, c.tags, c.content_hash, c.card_ords) for c in contents
    ]
    return marshal.dumps((CACHE_FORMAT, items, diagnostics, result.images, notes))


def decode_result(data: bytes) -> tuple[FileResult, tuple[NoteContent | None, ...]]:
    version, items, diagnostics, images, notes = marshal.loads(data)
    if version != CACHE_FORMAT:
        raise ValueError("cache format")
    result = FileResult(
        items=tuple(_item(fields) for fields in items),
        diagnostics=tuple(Diagnostic(Location(*loc), Severity(sev), msg) for loc, sev, msg in diagnostics),
        images=tuple((raw, state) for raw, state in images),
    )
    return result, tuple(None if n is None else NoteContent(*n) for n in notes)


def _item(f: Any) -> Item:
    return Item(
        id=f[0], category=f[1], kind=f[2], location=Location(*f[3]), subdeck=f[4], q=f[5], a=f[6],
        cloze=f[7], extra=f[8], caution=f[9], tags=f[10], source=SourceRef(*f[11]) if f[11] else None,
        image=f[12], wrong=f[13], reverse=f[14],
    )  # fmt: skip
