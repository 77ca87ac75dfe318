"""Stage 1: read and parse the cards folder's YAML files, positions kept (`cardsfolder` lists them)."""

from __future__ import annotations

import stat
from dataclasses import dataclass
from pathlib import Path

from studydeck.diagnostics import Diagnostics, Location
from studydeck.yamlfile import MAX_FILE_BYTES, Node, decode, parse


@dataclass(frozen=True, slots=True)
class CardFile:
    """One parsed YAML file; ``root`` is None when it was empty or could not be parsed."""

    path: Path
    rel: str  # relative to the cards folder, with forward slashes
    root: Node | None

    @property
    def location(self) -> Location:
        return Location(str(self.path))


def read_card_bytes(path: Path, root: Path, diags: Diagnostics) -> bytes | None:
    """A file's bytes, refusing files that are too big or lead out of ``root``."""
    loc = Location(str(path))
    if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
        diags.error(loc, "symbolic link leads outside the cards folder; copy the file in instead")
        return None
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # reading a pipe or a device could block or never end
            diags.error(loc, "not a regular file; card files must be plain files")
            return None
        size = info.st_size
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


def parse_card_file(path: Path, root: Path, data: bytes | None, diags: Diagnostics) -> CardFile:
    """Decode and parse bytes read by `read_card_bytes` (None: reading failed, already reported)."""
    rel = path.relative_to(root).as_posix()
    text = decode(data, str(path), diags) if data is not None else None
    root_node = parse(text, str(path), diags) if text is not None else None
    return CardFile(path, rel, root_node)
