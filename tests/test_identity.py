"""Note identity, modification times and byte-reproducible packages (DESIGN.md §4–5)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import genanki
import pytest

from studydeck import api
from studydeck.anki.notes import note_guid

from helpers import CardsFolder

T0 = 1_750_000_000.0


def test_same_cards_and_lockfile_give_identical_bytes(folder: CardsFolder, tmp_path: Path) -> None:
    folder.build(now=T0)
    first = folder.package.read_bytes()
    lock = folder.lockfile.read_bytes()
    # Much later, on another folder: only the cards and the lockfile matter, not the clock.
    copy = CardsFolder(tmp_path / "copy")
    shutil.copytree(folder.cards, copy.cards)
    copy.build(now=T0 + 86_400 * 365)
    assert copy.package.read_bytes() == first
    assert copy.lockfile.read_bytes() == lock


def test_package_has_no_wall_clock_inside(folder: CardsFolder) -> None:
    folder.build(now=T0)
    with zipfile.ZipFile(folder.package) as archive:
        assert [info.filename for info in archive.infolist()] == ["collection.anki2", "media", "studydeck.json"]
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_edit_changes_only_that_items_time_and_strictly_later(folder: CardsFolder) -> None:
    folder.build(now=T0)
    before = api.load_lockfile(folder.cards)
    folder.edit("drugs.yaml", "a: Immunoglobulins", "a: Immunoglobulins (pooled human IgG)")
    folder.build(now=T0)  # the same second as the first build
    after = api.load_lockfile(folder.cards)
    assert after.items["ivig-brand"].mod > before.items["ivig-brand"].mod
    assert after.items["ivig-brand"].note_id == before.items["ivig-brand"].note_id
    for item_id in ("ivig-dose", "cidp-remission"):
        assert after.items[item_id] == before.items[item_id]


def test_moving_an_item_keeps_its_guid_and_time_and_is_reported(folder: CardsFolder) -> None:
    folder.build(now=T0)
    before = api.load_lockfile(folder.cards)
    text = (folder.cards / "drugs.yaml").read_text()
    moved_item = text[text.index("  - id: cidp-remission") :]
    (folder.cards / "drugs.yaml").write_text(text[: text.index("  - id: cidp-remission")])
    folder.write("prognosis/cidp.yaml", "deck: Prognosis\nsource: src\ntags: [ivig]\nitems:\n" + moved_item)
    result = folder.build(now=T0 + 10)
    assert result.report.moved == (
        ("cidp-remission", "Test deck::Drugs::Immunoglobulin", "Test deck::Prognosis"),
    )
    assert not result.report.changed and not result.report.added and not result.report.removed
    assert api.load_lockfile(folder.cards).items["cidp-remission"].mod == before.items["cidp-remission"].mod


def test_guid_depends_on_deck_id_and_item_id_only(folder: CardsFolder) -> None:
    compiled = api.compile_cards(folder.cards, now=T0)
    guid = {n.item_id: n.guid for n in compiled.notes}["ivig-dose"]
    assert guid == note_guid("test-deck", "ivig-dose")
    folder.edit("deck.yaml", "name: Test deck", "name: Renamed deck")
    folder.edit("drugs.yaml", "What IVIG regimen", "Which IVIG regimen")
    compiled = api.compile_cards(folder.cards, now=T0)
    assert {n.item_id: n.guid for n in compiled.notes}["ivig-dose"] == guid


def test_new_items_get_distinct_note_ids_from_first_seen_time(folder: CardsFolder) -> None:
    folder.build(now=T0)
    lock = api.load_lockfile(folder.cards)
    ids = sorted(e.note_id for e in lock.items.values())
    assert ids[0] >= int(T0 * 1000)
    assert len(set(ids)) == 3
    new_item = "  - id: later\n    category: indication\n    q: Later?\n    a: Much later\n"
    folder.edit("drugs.yaml", "items:\n", "items:\n" + new_item)
    folder.build(now=T0)  # same clock: still unique and after the others
    later = api.load_lockfile(folder.cards).items["later"]
    assert later.note_id > ids[-1]


def test_removed_items_are_remembered_and_reported(folder: CardsFolder) -> None:
    folder.build(now=T0)
    text = (folder.cards / "drugs.yaml").read_text()
    (folder.cards / "drugs.yaml").write_text(text[: text.index("  - id: cidp-remission")])
    result = folder.build(now=T0 + 5)
    assert result.report.removed == ("cidp-remission",)
    lock_text = folder.lockfile.read_text()
    assert "\ngone cidp-remission " in lock_text
    out = folder.run("build", "--cards", "cards", "--out", "build")
    assert out.exit_code == 0
    assert "No changes since the last build." in out.output


def test_build_reports_removals_with_anki_instructions(folder: CardsFolder) -> None:
    assert folder.run("build").exit_code == 0
    text = (folder.cards / "drugs.yaml").read_text()
    (folder.cards / "drugs.yaml").write_text(text[: text.index("  - id: cidp-remission")])
    out = folder.run("build")
    assert out.exit_code == 0
    assert "removed  cidp-remission" in out.output
    assert '"ID:cidp-remission"' in out.output and "never deletes" in out.output


def test_lockfile_is_sorted_plain_text(folder: CardsFolder) -> None:
    folder.build(now=T0)
    lines = [line for line in folder.lockfile.read_text().splitlines() if line.startswith("item ")]
    assert lines == sorted(lines)
    assert [line.split()[1] for line in lines] == ["cidp-remission", "ivig-brand", "ivig-dose"]


@pytest.mark.parametrize("deck_id", ["test-deck", "sensory-neuropathy", "a", "x" * 80])
def test_guid_is_genankis(deck_id: str) -> None:
    """studydeck computes genanki's guid_for itself (to start faster); both must always agree,
    or every learner's notes would be duplicated."""

    for item_id in ["ivig-dose", "a", "cidp.relapse_2", "z" * 120, *[f"item-{n:06d}" for n in range(500)]]:
        assert note_guid(deck_id, item_id) == genanki.guid_for(deck_id, item_id)
