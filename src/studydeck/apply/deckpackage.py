"""What a studydeck package holds, read with the standard library (no Anki needed).

The package is the only input apply trusts about the deck: its collection (notes, cards and
the decks they go to, note types) and its manifest (the deck's name and removed notes).
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studydeck.anki.manifest import ENTRY_NAME, Manifest, ManifestError, parse_manifest
from studydeck.apply.errors import ApplyError
from studydeck.model import ItemKind

Kind = ItemKind  # a note type's kind: basic or cloze
_COLLECTION = "collection.anki2"


@dataclass(frozen=True, slots=True)
class NotetypeInfo:
    """A note type as apply compares them, in the package or in the learner's collection."""

    id: int
    name: str
    kind: Kind
    fields: tuple[str, ...]
    templates: tuple[str, ...]
    mod: int


@dataclass(frozen=True, slots=True)
class PackageNote:
    guid: str
    item_id: str
    notetype_id: int
    kind: Kind
    mod: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    cards: Mapping[int, str]  # card ordinal → the deck the package puts it in


@dataclass(frozen=True)
class DeckPackage:
    path: Path
    manifest: Manifest
    notes: Mapping[str, PackageNote]  # by GUID, in the package's order
    notetypes: Mapping[int, NotetypeInfo]
    decks: tuple[str, ...]  # every deck the package's cards go to, and its top deck
    media: tuple[str, ...]  # the media files' names

    def in_tree(self, deck_name: str) -> bool:
        """Whether a deck is the package's top deck or below it: the only decks apply moves cards out of."""
        top = self.manifest.deck_name
        return deck_name.casefold() == top.casefold() or deck_name.casefold().startswith(top.casefold() + "::")


def read_package(path: Path) -> DeckPackage:
    """The package at ``path``; ApplyError when it is not a studydeck package."""
    shown = str(path)
    if not path.is_file():
        raise ApplyError(f"{shown}: no such package (build it with `studydeck build`, or give its path)")
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if _COLLECTION not in names:
                raise ApplyError(f"{shown} is not an Anki package (it has no {_COLLECTION})")
            if ENTRY_NAME not in names:
                raise ApplyError(
                    f"{shown} is not a studydeck package (it has no {ENTRY_NAME}; a package built by an older "
                    "studydeck lacks it: build it again)"
                )
            manifest = parse_manifest(archive.read(ENTRY_NAME))
            media = _media_names(archive.read("media")) if "media" in names else ()
            with _extracted(archive, _COLLECTION) as collection:
                return _read_collection(path, collection, manifest, media)
    except ManifestError as exc:
        raise ApplyError(f"{shown} is not a studydeck package this studydeck can read: {exc}") from None
    except (zipfile.BadZipFile, sqlite3.DatabaseError, KeyError, ValueError, TypeError) as exc:
        # (KeyError, ValueError, TypeError: JSON inside the collection that is not what a build writes)
        raise ApplyError(f"{shown} is not a studydeck package: it is damaged ({type(exc).__name__}: {exc})") from None
    except OSError as exc:
        raise ApplyError(f"cannot read {shown}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _extracted(archive: zipfile.ZipFile, name: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="studydeck-apply-") as folder:
        target = Path(folder) / "collection.sqlite"
        with archive.open(name) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
        yield target


def _media_names(data: bytes) -> tuple[str, ...]:
    names = json.loads(data.decode("utf-8"))
    if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
        raise ValueError("the media list is not a mapping of names")
    return tuple(sorted(names.values()))


def _read_collection(path: Path, collection: Path, manifest: Manifest, media: tuple[str, ...]) -> DeckPackage:
    conn = sqlite3.connect(f"file:{collection}?mode=ro", uri=True)
    try:
        models_json, decks_json = conn.execute("SELECT models, decks FROM col").fetchone()
        notetypes = {int(k): _notetype(v) for k, v in json.loads(models_json).items()}
        deck_names = {int(k): str(v["name"]) for k, v in json.loads(decks_json).items()}
        cards: dict[int, dict[int, str]] = {}
        for nid, ord_, did in conn.execute("SELECT nid, ord, did FROM cards ORDER BY nid, ord"):
            cards.setdefault(nid, {})[ord_] = deck_names[did]
        notes: dict[str, PackageNote] = {}
        rows = conn.execute("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id")
        for nid, guid, mid, mod, tags, flds in rows:
            notetype = notetypes[mid]
            fields = tuple(flds.split("\x1f"))
            item_id = fields[notetype.fields.index("ID")] if "ID" in notetype.fields else ""
            notes[guid] = PackageNote(
                guid, item_id, mid, notetype.kind, mod, fields, tuple(tags.split()), cards.get(nid, {})
            )
    finally:
        conn.close()
    if manifest.deck_name not in deck_names.values():
        raise ApplyError(f"{path} is damaged: its manifest names the deck {manifest.deck_name!r}, which it lacks")
    _check_identity(path, manifest, notes)
    used = {deck for note in notes.values() for deck in note.cards.values()}
    decks = tuple(sorted(name for name in deck_names.values() if name in used or name == manifest.deck_name))
    return DeckPackage(path, manifest, notes, notetypes, decks, media)


def _check_identity(path: Path, manifest: Manifest, notes: Mapping[str, PackageNote]) -> None:
    """Every GUID is the one the deck id and item id give (DESIGN.md §4): apply changes no note
    outside the deck's own, whatever a damaged or doctored package says."""
    from studydeck.anki.notes import note_guid

    named = [(guid, note.item_id) for guid, note in notes.items()]
    named += [(guid, removed.item_id) for guid, removed in manifest.removed.items()]
    for guid, item_id in named:
        if note_guid(manifest.deck_id, item_id) != guid:
            raise ApplyError(
                f"{path} is damaged: note {guid!r} (item {item_id!r}) is not one of deck {manifest.deck_id!r}'s notes"
            )


def _notetype(data: dict[str, Any]) -> NotetypeInfo:
    return NotetypeInfo(
        id=int(data["id"]),
        name=str(data["name"]),
        kind="cloze" if data.get("type") == 1 else "basic",
        fields=tuple(str(f["name"]) for f in data["flds"]),
        templates=tuple(str(t["name"]) for t in data["tmpls"]),
        mod=int(data.get("mod", 0)),
    )
