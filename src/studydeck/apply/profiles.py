"""Where Anki keeps a profile's collection (`--profile NAME`), as Anki desktop finds it.

Anki's data folder is `$ANKI_BASE` when set, else per system: `%APPDATA%\\Anki2` on Windows,
`~/Library/Application Support/Anki2` on macOS, `$XDG_DATA_HOME/Anki2` (by default
`~/.local/share/Anki2`) elsewhere (aqt/profiles.py, `ProfileManager._default_base`). Each
profile is a folder in it holding `collection.anki2`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

from studydeck.apply.errors import ApplyError

COLLECTION_FILE = "collection.anki2"


def anki_base(environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """Anki's data folder (``environ`` and ``platform`` default to this process's)."""
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if environ.get("ANKI_BASE"):
        return Path(environ["ANKI_BASE"])
    home = Path(environ.get("HOME") or environ.get("USERPROFILE") or Path.home())
    if platform.startswith("win"):
        appdata = environ.get("APPDATA")
        return (Path(appdata) if appdata else home / "AppData" / "Roaming") / "Anki2"
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Anki2"
    return Path(environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "Anki2"


def profile_collection(name: str, environ: Mapping[str, str] | None = None, platform: str | None = None) -> Path:
    """The collection of the profile called ``name``; ApplyError (naming the profiles there) if none."""
    base = anki_base(environ, platform)
    path = base / name / COLLECTION_FILE
    if path.is_file():
        return path
    found = sorted(p.parent.name for p in base.glob(f"*/{COLLECTION_FILE}")) if base.is_dir() else []
    there = f"profiles there: {', '.join(found)}" if found else "no profiles there"
    raise ApplyError(f"no Anki profile {name!r} in {base} ({there}); or give the file with --collection")


def backup_folder(collection: Path) -> Path:
    """Where Anki desktop keeps the profile's backups, and restores them from."""
    return collection.parent / "backups"
