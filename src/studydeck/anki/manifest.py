"""`studydeck.json`, the entry a build adds to its package so that `studydeck apply` needs
nothing else: the deck's id and name, and the notes the deck has removed (the lockfile's
`gone` ids, as GUIDs, each with the time the deck last changed it), which a learner who has
only the package cannot know otherwise.

Anki's import reads `collection.anki2`, `media` and the numbered media files, and nothing
else from the zip (tests/test_apply_package.py proves it with the real backend). The bytes
depend only on the deck and the lockfile, so a rebuild stays byte-identical (DESIGN.md §5).
The build writes it (`manifest_entry`), `studydeck apply` reads it (`parse_manifest`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from studydeck.anki.notes import note_guid
from studydeck.model import Deck

ENTRY_NAME = "studydeck.json"
FORMAT = "studydeck-package 1"


@dataclass(frozen=True, slots=True)
class RemovedNote:
    item_id: str
    mod: int  # when the deck last changed the item (s): a later note was edited in Anki


@dataclass(frozen=True)
class Manifest:
    deck_id: str
    deck_name: str  # the top of the deck's tree in Anki
    removed: Mapping[str, RemovedNote]  # by GUID: every item the deck has removed


def manifest_entry(deck: Deck, removed_items: Mapping[str, int]) -> tuple[str, bytes]:
    """The package's `studydeck.json` entry, (name, bytes), for the items the deck removed
    (item id → when the deck last changed it)."""
    removed = {note_guid(deck.id, item_id): RemovedNote(item_id, mod) for item_id, mod in removed_items.items()}
    return ENTRY_NAME, format_manifest(Manifest(deck.id, deck.name, removed))


def format_manifest(manifest: Manifest) -> bytes:
    data = {
        "format": FORMAT,
        "deck": {"id": manifest.deck_id, "name": manifest.deck_name},
        "removed": {guid: {"item": r.item_id, "mod": r.mod} for guid, r in manifest.removed.items()},
    }
    # Sorted keys, no floats, no time: the same deck and lockfile give the same bytes.
    return (json.dumps(data, sort_keys=True, ensure_ascii=False, indent=1) + "\n").encode()


class ManifestError(ValueError):
    """Not a manifest this studydeck can read; the message says why."""


def parse_manifest(data: bytes) -> Manifest:
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{ENTRY_NAME} is not valid JSON ({exc})") from None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("format"), str):
        raise ManifestError(f"{ENTRY_NAME} does not say its format")
    if parsed["format"] != FORMAT:
        raise ManifestError(f"{ENTRY_NAME} has format {parsed['format']!r}; this studydeck reads {FORMAT!r} (upgrade)")
    deck, removed = parsed.get("deck"), parsed.get("removed")
    if (
        not isinstance(deck, dict)
        or not isinstance(deck.get("id"), str)
        or not isinstance(deck.get("name"), str)
        or not deck["name"]
        or not isinstance(removed, dict)
        or not all(isinstance(v, dict) and _removed_ok(v) for v in removed.values())
    ):
        raise ManifestError(f"{ENTRY_NAME} is damaged")
    return Manifest(deck["id"], deck["name"], {k: RemovedNote(v["item"], v["mod"]) for k, v in removed.items()})


def _removed_ok(value: dict[str, object]) -> bool:
    mod = value.get("mod")
    return isinstance(value.get("item"), str) and isinstance(mod, int) and not isinstance(mod, bool)
