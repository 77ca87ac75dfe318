"""The regeneration promise, checked against the real Anki backend (DESIGN.md §4)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from studydeck.anki.notetypes import DEFAULT_NOTE_TYPES, NoteTypes

from anki_backend import import_package, new_collection, notes_by_item_id, notetype_names, study_everything
from helpers import CardsFolder


def test_rebuild_after_edits_updates_in_place_and_keeps_history(folder: CardsFolder, tmp_path: Path) -> None:
    folder.build()
    col = new_collection(tmp_path / "anki")
    first = import_package(col, folder.package)
    assert len(first.new) == 3 and not first.conflicting
    notetypes_before = notetype_names(col)
    before = notes_by_item_id(col)
    studied = study_everything(col, "Test deck")
    assert len(studied) == 5  # basic, basic + reverse, cloze c1 + c2
    reviews_before = {cid: col.db.scalar("select count() from revlog where cid = ?", cid) for cid in studied}
    assert all(count >= 1 for count in reviews_before.values())

    # Edit one answer, add an item, remove an item; rebuild at once (no sleeping).
    folder.edit("drugs.yaml", "0.4 g/kg per day IV for 5 days.", "0.4 g/kg per day IV for 5 days (2 g/kg).")
    folder.edit(
        "drugs.yaml",
        "  - id: ivig-brand\n",
        "  - id: ivig-new\n    category: indication\n    q: Name one indication of IVIG.\n    a: CIDP\n"
        "  - id: ivig-brand\n",
    )
    folder.edit("drugs.yaml", "  - id: cidp-remission", "  - id: removed-later")
    text = (folder.cards / "drugs.yaml").read_text()
    (folder.cards / "drugs.yaml").write_text(text.split("  - id: removed-later")[0])
    result = folder.build()
    assert result.report.changed == ("ivig-dose",)
    assert result.report.added == ("ivig-new",)
    assert result.report.removed == ("cidp-remission",)

    second = import_package(col, folder.package)
    assert not second.conflicting
    # Anki logs an existing note that is not newer as "duplicate": it was skipped, not copied.
    assert [n.fields[-1] for n in second.duplicate] == ["ivig-brand"]
    after = notes_by_item_id(col)
    assert all(len(ids) == 1 for ids in after.values()), "no duplicate notes"
    # The edited note changed in place, under the same note id.
    assert after["ivig-dose"] == before["ivig-dose"]
    edited = col.get_note(after["ivig-dose"][0])
    assert "(2 g/kg)" in edited["Answer"]
    assert [n.id.nid for n in second.updated] == after["ivig-dose"]
    # The new note exists; the removed one is still there (Anki never deletes on import).
    assert "ivig-new" in after and "cidp-remission" in after
    # No copy of a note type was created.
    assert notetype_names(col) == notetypes_before
    # Every studied card is still there with its review log and scheduling.
    for cid, count in reviews_before.items():
        card = col.get_card(cid)
        assert card.type != 0, "studied card is no longer new"
        assert col.db.scalar("select count() from revlog where cid = ?", cid) == count


def test_unchanged_rebuild_imports_as_no_op(folder: CardsFolder, tmp_path: Path) -> None:
    folder.build()
    col = new_collection(tmp_path / "anki")
    import_package(col, folder.package)
    folder.build()
    again = import_package(col, folder.package)
    assert not again.new and not again.updated and not again.conflicting
    assert len(again.duplicate) == 3  # Anki's word for "already there, not newer"


def test_template_and_css_changes_reach_an_existing_collection(folder: CardsFolder, tmp_path: Path) -> None:
    folder.build()
    col = new_collection(tmp_path / "anki")
    import_package(col, folder.package)
    names_before = notetype_names(col)

    basic = DEFAULT_NOTE_TYPES.basic
    styled = replace(basic, css=basic.css + "\n.sd-answer { color: rebeccapurple; }")
    result = folder.build(notetypes=NoteTypes(styled, DEFAULT_NOTE_TYPES.cloze))
    assert result.report.notetypes_changed == ("studydeck Basic",)
    log = import_package(col, folder.package)
    assert not log.conflicting
    model = col.models.by_name("studydeck Basic")
    assert model is not None and "rebeccapurple" in model["css"]
    assert notetype_names(col) == names_before


def test_import_into_new_collection_uses_first_seen_time_and_subdecks(folder: CardsFolder, tmp_path: Path) -> None:
    result = folder.build(now=1_750_000_000.0)
    col = new_collection(tmp_path / "anki")
    import_package(col, folder.package)
    notes = notes_by_item_id(col)
    assert len(notes) == 3
    note = col.get_note(notes["ivig-dose"][0])
    assert note.id // 1000 >= 1_750_000_000  # "added" is when the item was first seen, not 1970
    assert note.mod == 1_750_000_000
    decks = {col.decks.name(card.did) for card in note.cards()}
    assert decks == {"Test deck::Drugs::Immunoglobulin"}
    assert set(note.tags) >= {"ivig", "category::dosing", "source::src"}
    assert result.card_count == 5
