"""What a cards folder holds: deck.yaml, the lockfile, and card files at any depth.

Kept free of the YAML machinery, so that commands which only need to know the files (an
unchanged `build`, `watch`) start fast.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.diagnostics import Diagnostic, Diagnostics, Location

DECK_FILE = "deck.yaml"
LOCK_FILE = "studydeck.lock"
YAML_SUFFIXES = (".yaml", ".yml")
#: Largest card file we read; bigger ones are refused before reading so memory stays bounded.
MAX_FILE_BYTES = 16 * 1024 * 1024


#: What `os.stat` says of a file: size, modification and change times (ns), inode, device.
FileStat = tuple[int, int, int, int, int]
#: A file changed this long before a read began cannot change again with its stat unchanged
#: (timestamps are as coarse as 2 s on some filesystems); newer ones are always read.
SETTLED_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class FileBytes:
    """One file as read: a digest of its bytes and, unless the reader chose not to keep them,
    the bytes; or no digest, with the problems that stopped the reading."""

    path: Path
    digest: str | None  # SHA-256 of the bytes read
    size: int = 0
    data: bytes | None = None
    problems: tuple[Diagnostic, ...] = ()
    stat: FileStat | None = None  # as found just before reading

    def content(self) -> bytes | None:
        """The bytes as first read: kept, or read again (None if the file has changed since)."""
        if self.data is not None or self.digest is None:
            return self.data
        with contextlib.suppress(OSError):
            data = self.path.read_bytes()
            if hashlib.sha256(data).hexdigest() == self.digest:
                return data
        return None


@dataclass(frozen=True)
class KnownFiles:
    """The card files as an earlier read found them: each one's stat and digest, and when
    that read began. A file whose stat is the same, and was settled by then, is not read again
    (what git does for its index)."""

    files: Mapping[str, tuple[FileStat, str]] = field(default_factory=dict)
    read_ns: int = 0

    def digest(self, path: Path, stat: FileStat) -> str | None:
        recorded = self.files.get(str(path))
        if recorded is None or recorded[0] != stat or max(stat[1], stat[2]) >= self.read_ns - SETTLED_NS:
            return None
        return recorded[1]


@dataclass(frozen=True)
class FolderContents:
    """What a build reads from a cards folder, read once: deck.yaml (None if absent) and the card files."""

    root: Path
    deck: FileBytes | None
    card_files: tuple[FileBytes, ...]


def read_folder(root: Path, *, keep_bytes: bool = True, known: KnownFiles | None = None) -> FolderContents:
    """Read deck.yaml and every card file (a missing folder reads as empty).

    Without ``keep_bytes`` only digests are kept (deck.yaml's bytes always are): a large deck
    then never sits in memory whole, and `FileBytes.content` reads a file again when needed.
    Card files ``known`` unchanged are not even read.
    """
    if not root.is_dir():
        return FolderContents(root, None, ())
    deck_path = root / DECK_FILE
    # (deck.yaml that is a folder or a pipe is read, to be reported as what it is, not as missing)
    deck = _read(deck_path, root, keep=True) if deck_path.exists() or deck_path.is_symlink() else None
    card_files = tuple(_read(path, root, keep=keep_bytes, known=known) for path in find_card_files(root))
    return FolderContents(root, deck, card_files)


def _read(path: Path, root: Path, *, keep: bool, known: KnownFiles | None = None) -> FileBytes:
    stat = file_stat(path)
    if stat is not None and known is not None and not keep and not path.is_symlink():
        digest = known.digest(path, stat)
        if digest is not None:
            return FileBytes(path, digest, stat[0], stat=stat)
    diags = Diagnostics()
    data = read_card_bytes(path, root, diags)
    if data is None:
        return FileBytes(path, None, problems=tuple(diags.items))
    return FileBytes(path, hashlib.sha256(data).hexdigest(), len(data), data if keep else None, stat=stat)


def file_stat(path: Path) -> FileStat | None:
    """The file's stat (None if it cannot be had): equal stats, settled, mean equal bytes."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)


def not_a_regular_file(path: Path) -> str | None:
    """What is at ``path`` when it is there but is not a regular file ("a folder", "a pipe", "a
    device", "a socket", "a symbolic link that leads nowhere"); None for a regular file or for
    nothing at all. Never opens it: reading a pipe or a device could block or never end."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a symbolic link that leads nowhere" if path.is_symlink() else None
    except OSError:  # (reading it says what is wrong)
        return None
    if stat.S_ISREG(mode):
        return None
    kinds = [(stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a pipe"), (stat.S_ISCHR, "a device"),
             (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]  # fmt: skip
    return next((kind for test, kind in kinds if test(mode)), "not a regular file")


def is_card_file_name(name: str) -> bool:
    """Whether a file of this name is read as a card file (or is deck.yaml): `.yaml` or `.yml`
    in any case (`drugs.YAML` too), and not hidden. The one rule for `build` and `watch`."""
    return not name.startswith(".") and name.lower().endswith(YAML_SUFFIXES)


def is_hidden(name: str) -> bool:
    """Whether a file or folder of this name is skipped (`.git`, an editor's `.x.yaml.swp`)."""
    return name.startswith(".")


def find_card_files(root: Path) -> list[Path]:
    """Every card file (`is_card_file_name`) below ``root`` except deck.yaml, in a stable order;
    hidden folders skipped.

    Symbolic links to folders outside ``root`` are listed too, so that `read_card_bytes` refuses
    them out loud instead of their files silently going missing.
    """
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not is_hidden(d))
        for name in dirs:
            path = Path(folder, name)
            if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
                found.append((path.relative_to(root).as_posix(), path))
        for name in files:
            if not is_card_file_name(name):
                continue
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if rel != DECK_FILE:
                found.append((rel, path))
    return [path for _, path in sorted(found)]


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # how Python keeps the bytes of a file name that is not UTF-8


def read_card_bytes(path: Path, root: Path, diags: Diagnostics) -> bytes | None:
    """A file's bytes, refusing files that are too big, lead out of ``root``, are not regular
    files, or have a name that is not UTF-8 (no output, report or record could hold it)."""
    loc = Location(str(path))
    not_utf8 = _NOT_UTF8.search(str(path.relative_to(root)) if path.is_relative_to(root) else str(path))
    if not_utf8 is not None:
        byte = ord(not_utf8.group()) - 0xDC00
        diags.error(loc, f"the file's name is not valid UTF-8 (byte 0x{byte:02x}); rename it")
        return None
    if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
        diags.error(loc, "symbolic link leads outside the cards folder; copy the file in instead")
        return None
    kind = not_a_regular_file(path)
    if kind is not None:  # reading a pipe or a device could block or never end
        diags.error(loc, f"not a regular file ({kind}); studydeck reads only plain files")
        return None
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            diags.error(
                loc,
                f"file is {size / 2**20:.1f} MiB; card files are limited to "
                f"{MAX_FILE_BYTES // 2**20} MiB, split it into several files",
            )
            return None
        return path.read_bytes()
    except OSError as exc:
        diags.error(loc, f"cannot read file: {exc.strerror or exc}")
        return None


def image_state(path: Path, root: Path) -> str:
    """What is at an image path, so a cached result can tell that the image changed."""
    if not path.resolve().is_relative_to(root.resolve()):
        return "outside"
    kind = not_a_regular_file(path)
    if kind is None:
        return "file" if path.exists() else "missing"
    return "dir" if kind == "a folder" else kind
