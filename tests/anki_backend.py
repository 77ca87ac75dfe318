"""The real Anki backend (the `anki` package: the Rust core that Anki desktop runs)."""

from __future__ import annotations

from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportResponse


def new_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_package(col: Collection, package: Path) -> ImportResponse.Log:
    """Import with the options a fresh Anki profile uses (as the desktop import dialog presets them)."""
    options = col._backend.get_import_anki_package_presets()
    response = col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))
    return response.log


def study_everything(col: Collection, deck_name: str) -> list[int]:
    """Answer every due card of the deck (and its subdecks) with 'Easy', so each graduates at once."""
    col.decks.select(col.decks.id_for_name(deck_name))
    answered = []
    while True:
        card = col.sched.getCard()
        if card is None:
            break
        col.sched.answerCard(card, 4)
        answered.append(card.id)
        if len(answered) > 10_000:
            raise AssertionError("study loop did not end")
    return answered


def notetype_names(col: Collection) -> list[str]:
    return sorted(entry.name for entry in col.models.all_names_and_ids())


def notes_by_item_id(col: Collection) -> dict[str, list[int]]:
    """Note ids per studydeck item id (the ID field), to spot duplicates."""
    found: dict[str, list[int]] = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        if "ID" in note:
            found.setdefault(note["ID"], []).append(nid)
    return found
