"""Stage 1: read and parse the cards folder's YAML files, positions kept (`cardsfolder` lists them)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studydeck.diagnostics import Diagnostics, Location
from studydeck.source.yamlfile import Node, decode, parse


@dataclass(frozen=True, slots=True)
class CardFile:
    """One parsed YAML file; ``root`` is None when it was empty or could not be parsed."""

    path: Path
    rel: str  # relative to the cards folder, with forward slashes
    root: Node | None

    @property
    def location(self) -> Location:
        return Location(str(self.path))


def parse_card_file(path: Path, root: Path, data: bytes | None, diags: Diagnostics) -> CardFile:
    """Decode and parse bytes read by `cardsfolder.read_card_bytes` (None: reading failed, already reported)."""
    rel = path.relative_to(root).as_posix()
    text = decode(data, str(path), diags) if data is not None else None
    root_node = parse(text, str(path), diags) if text is not None else None
    return CardFile(path, rel, root_node)
