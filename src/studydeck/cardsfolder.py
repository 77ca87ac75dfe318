"""What a cards folder holds: deck.yaml, the lockfile, and card files at any depth.

Kept free of the YAML machinery, so that commands which only need to know the files (an
unchanged `build`, `watch`) start fast.
"""

from __future__ import annotations

import os
from pathlib import Path

DECK_FILE = "deck.yaml"
LOCK_FILE = "studydeck.lock"
YAML_SUFFIXES = (".yaml", ".yml")


def find_card_files(root: Path) -> list[Path]:
    """Every *.yaml / *.yml below ``root`` except deck.yaml, in a stable order; hidden folders skipped.

    Symbolic links to folders outside ``root`` are listed too, so that `read_card_bytes` refuses
    them out loud instead of their files silently going missing.
    """
    found: list[tuple[str, Path]] = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in dirs:
            path = Path(folder, name)
            if path.is_symlink() and not path.resolve().is_relative_to(root.resolve()):
                found.append((path.relative_to(root).as_posix(), path))
        for name in files:
            if not name.endswith(YAML_SUFFIXES) or name.startswith("."):
                continue
            path = Path(folder, name)
            rel = path.relative_to(root).as_posix()
            if rel != DECK_FILE:
                found.append((rel, path))
    return [path for _, path in sorted(found)]
