"""`studydeck apply` against the real Anki backend: the issue's scenario, end to end (DESIGN.md §6)."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from anki.collection import Collection

from studydeck import api
from studydeck.anki.notes import note_guid

from anki_backend import new_collection
from apply_helpers import (
    DRUGS_V1,
    FILTERED_DECK,
    LEARNERS_EDIT,
    V2_CARDS,
    Scenario,
    collection_content,
    item_id,
    make_scenario,
    opened,
    untouchable_rows,
)
from helpers import CardsFolder


@pytest.fixture(scope="module")
def scenario_template(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return make_scenario(tmp_path_factory.mktemp("apply-scenario"))


@pytest.fixture
def scenario(scenario_template: Scenario, tmp_path: Path) -> Scenario:
    """A fresh copy of the learner's collection before apply, and the v2 package."""
    return scenario_template.copy(tmp_path / "scenario")


def deck_cards(col: Collection) -> dict[str, dict[int, tuple[int, str, str]]]:
    """item → {ordinal: (card id, home deck, deck it is in)} for every studydeck note."""
    found: dict[str, dict[int, tuple[int, str, str]]] = {}
    for cid in col.find_cards('"ID:_*"'):
        card = col.get_card(cid)
        home = card.odid or card.did
        where = (card.id, col.decks.name(home), col.decks.name(card.did))
        found.setdefault(item_id(col, card.nid), {})[card.ord] = where
    return found


def test_apply_brings_the_collection_to_the_package_and_keeps_every_review(scenario: Scenario) -> None:
    before = collection_content(scenario.collection)

    # A dry run prints the plan and changes nothing.
    dry = scenario.apply("--dry-run", "--allow-full-sync")
    assert dry.exit_code == 0, dry.output
    assert "Dry run, nothing was changed." in dry.output
    assert collection_content(scenario.collection) == before and not scenario.backups

    result = scenario.apply("--allow-full-sync")
    assert result.exit_code == 0, result.output
    plan_part = dry.output.split("Dry run")[0]
    assert result.output.startswith(plan_part), "the run carries out the plan the dry run printed"
    for line in (
        "  added       new-fact",
        "  updated     ivig-dose",
        "  removed     old-fact: note deleted",
        "  moved       moved-fact: Test deck::Drugs → Test deck::Prognosis",
        "  moved       cram-fact: Test deck::Drugs → Test deck::Prognosis (home deck; the card stays in filtered deck"
        " 'Cram')",
        "  retyped     ivig-class: basic → cloze; card 1 keeps its review history",
        "  retyped     gbs-walk: cloze → basic; card 1 keeps its review history, 1 other card removed",
        "  empty card  ivig-brand: card 2 removed",
        "  empty card  cidp-remission: card 2 removed",
        "  local edit  pred-dose: kept as edited in Anki (Answer); --overwrite-local-edits replaces it",
    ):
        assert line in result.output.splitlines(), f"{line!r} not in:\n{result.output}"
    assert "mine-fact" not in result.output  # the learner's own placement: nothing to say
    (backup,) = scenario.backups
    assert f"Backup: {backup} " in result.output
    assert backup.suffix == ".colpkg" and zipfile.is_zipfile(backup)

    with opened(scenario.collection) as col:
        # The deck's notes are exactly the package's: one per item, the removed one gone (and
        # recorded as deleted, so that AnkiWeb deletes it too).
        guids = {note_guid("test-deck", i) for i in [*V2_CARDS, "old-fact"]}
        deck_notes = {g: nid for nid, g in col.db.all("SELECT id, guid FROM notes") if g in guids}
        assert set(deck_notes) == {note_guid("test-deck", i) for i in V2_CARDS}
        note_grave = "SELECT count() FROM graves WHERE type = 1 AND oid = ?"  # (type 1: a note)
        assert col.db.scalar(note_grave, scenario.v1_notes["old-fact"]) == 1
        # Every card is where the package puts it, save the learner's own placements; no extra cards.
        cards = deck_cards(col)
        assert {item: {o: home for o, (_, home, _) in c.items()} for item, c in cards.items()} == V2_CARDS
        assert cards["cram-fact"][0][2] == FILTERED_DECK  # still being crammed
        # Every card that still exists kept its id, scheduling and every review.
        survivors = {cid for c in cards.values() for cid, _, _ in c.values()}
        for key, cid in scenario.v1_cards.items():
            if cid in survivors:
                count = col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", cid)
                assert count == scenario.reviews[cid], key
                assert col.get_card(cid).type != 0, f"{key} is new again"
        lost = {key for key, cid in scenario.v1_cards.items() if cid not in survivors}
        assert lost == {("old-fact", 0), ("ivig-brand", 1), ("cidp-remission", 1), ("gbs-walk", 1)}
        # Retyped: card 1 is the card with the history; the new type's other cards are new.
        assert cards["ivig-class"][0][0] == scenario.v1_cards[("ivig-class", 0)]
        assert cards["gbs-walk"][0][0] == scenario.v1_cards[("gbs-walk", 0)]
        reverse = cards["gbs-walk"][1][0]  # the new reverse card is not the old cloze's second card
        assert col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", reverse) == 0
        ivig_class = col.get_note(deck_notes[note_guid("test-deck", "ivig-class")])
        assert ivig_class.note_type()["name"] == "studydeck Cloze"  # type: ignore[index]
        assert ivig_class["Text"] == "IVIG blocks {{c1::Fc receptors}} and {{c2::complement}}."
        assert "studydeck::retyping" not in ivig_class.tags
        gbs = col.get_note(deck_notes[note_guid("test-deck", "gbs-walk")])
        assert (gbs["Question"], gbs["Answer"], gbs["Reverse"]) == (
            "What share of GBS patients walk unaided at 6 months?",
            "80%",
            "1",
        )
        # The edited item, updated; nothing left empty.
        dose = col.get_note(deck_notes[note_guid("test-deck", "ivig-dose")])
        assert dose["Answer"] == "0.4 g/kg per day IV for 5 days (2 g/kg per course)."
        assert not col.get_empty_cards().notes
        # The other deck, the learner's own note in the deck, and their edit: untouched.
        assert untouchable_rows(col, scenario.other_notes) == scenario.others
        pred = col.get_note(deck_notes[note_guid("test-deck", "pred-dose")])
        assert pred["Answer"] == LEARNERS_EDIT

    # A second run right after changes nothing, and says so.
    after = collection_content(scenario.collection)
    again = scenario.apply("--allow-full-sync")
    assert again.exit_code == 0, again.output
    assert "Nothing to change: the collection holds the deck as this package has it." in again.output
    assert "pred-dose: kept as edited in Anki" in again.output  # still said: it is still so
    assert collection_content(scenario.collection) == after
    assert scenario.backups == [backup]
    with opened(scenario.collection) as col:  # Anki's Tools › Check Database finds nothing to fix
        assert col.fix_integrity() == ("Database rebuilt and optimized.", True)


def test_without_allow_full_sync_kind_changes_are_listed_and_left_alone(scenario: Scenario) -> None:
    with opened(scenario.collection) as col:
        (nid,) = col.find_notes('"ID:ivig-class"')
        before = untouchable_rows(col, [nid])
    result = scenario.apply()
    assert result.exit_code == 0, result.output
    assert (
        "  not applied ivig-class: basic → cloze changes the note's type, which needs a one-way full sync: "
        "run with --allow-full-sync"
    ) in result.output.splitlines()
    assert "gbs-walk: cloze → basic changes the note's type" in result.output
    assert "Note types were changed" not in result.output
    with opened(scenario.collection) as col:
        assert untouchable_rows(col, [nid]) == before
        assert not col.schema_changed() or col.db.scalar("SELECT ls FROM col") == 0  # (never synced here)
    # Allowed later, it is done then, and only that is left to do.
    later = scenario.apply("--allow-full-sync")
    assert later.exit_code == 0, later.output
    assert "Applied: 2 retyped, 1 local edit kept." in later.output
    assert "choose Upload" in later.output


def test_keep_removed_suspends_and_tags_and_a_later_run_without_it_deletes(scenario: Scenario) -> None:
    result = scenario.apply("--keep-removed", "--allow-full-sync")
    assert result.exit_code == 0, result.output
    assert "  removed     old-fact: cards suspended, tagged studydeck::removed" in result.output.splitlines()
    with opened(scenario.collection) as col:
        (nid,) = col.find_notes('"ID:old-fact"')
        note = col.get_note(nid)
        assert "studydeck::removed" in note.tags
        assert all(card.queue == -1 for card in note.cards())  # suspended
        assert col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", note.cards()[0].id) >= 1
    again = scenario.apply("--keep-removed", "--allow-full-sync")
    assert "Nothing to change" in again.output
    # Without --keep-removed, the note apply kept is deleted after all.
    delete = scenario.apply("--allow-full-sync")
    assert "  removed     old-fact: note deleted" in delete.output.splitlines()
    with opened(scenario.collection) as col:
        assert not col.find_notes('"ID:old-fact"')


def test_overwrite_local_edits_replaces_the_learners_edit(scenario: Scenario) -> None:
    result = scenario.apply("--overwrite-local-edits", "--allow-full-sync")
    assert result.exit_code == 0, result.output
    assert "  overwrite   pred-dose: edit in Anki replaced (Answer)" in result.output.splitlines()
    with opened(scenario.collection) as col:
        (nid,) = col.find_notes('"ID:pred-dose"')
        assert col.get_note(nid)["Answer"] == "1 mg/kg per day"
        (cid,) = col.find_cards('"ID:pred-dose"')
        assert cid == scenario.v1_cards[("pred-dose", 0)]  # the same card, history and all
    assert "Nothing to change" in scenario.apply("--allow-full-sync").output


def test_the_package_alone_is_enough(scenario: Scenario, tmp_path: Path) -> None:
    """The learner's folder holds the package and nothing else; the author's folder may be gone."""
    shutil.rmtree(scenario.root / "author")
    assert [p.name for p in scenario.learner_folder.iterdir()] == [scenario.package.name]
    result = scenario.apply("--allow-full-sync")
    assert result.exit_code == 0, result.output
    assert "old-fact: note deleted" in result.output


def test_a_new_learner_gets_the_whole_deck_and_the_next_run_finds_nothing_to_change(
    folder: CardsFolder, tmp_path: Path
) -> None:
    """Text as Anki's import stores it (escaped HTML, Unicode it normalizes, a picture) compares
    equal to the package's: nothing is mistaken for a local edit."""
    folder.write("media/trace.png", b"\x89PNG\r\n\x1a\n not really a picture")
    decomposed = "Guillain-Barre\u0301"  # "é" as e + combining accent: Anki stores it composed
    folder.edit("drugs.yaml", "    reverse: true\n", "    reverse: true\n    image: media/trace.png\n")
    answer = f"**Immunoglobulins** (5 < 10 & <b>not bold</b>), {decomposed}"
    folder.edit("drugs.yaml", "a: Immunoglobulins", f'a: "{answer}"')
    folder.build()
    profile = tmp_path / "profile"
    new_collection(profile).close()
    first = folder.run("apply", "--collection", str(profile))
    assert first.exit_code == 0, first.output
    assert "Applied: 3 added, 2 note types added or updated, 2 decks added, 1 media file added." in first.output
    with opened(profile / "collection.anki2") as col:
        (picture,) = os.listdir(col.media.dir())
        assert picture.startswith("sd-")
        assert len(col.find_cards('"deck:Test deck"')) == 5
        (nid,) = col.find_notes('"ID:ivig-brand"')
        stored = col.get_note(nid)["Answer"]
        assert "Guillain-Barré" in stored and decomposed not in stored  # (what the comparison must allow for)
    second = folder.run("apply", "--collection", str(profile))
    assert second.exit_code == 0, second.output
    nothing = "Nothing to change: the collection holds the deck as this package has it."
    assert second.output.splitlines()[1:] == [nothing]


def test_a_removed_item_edited_in_anki_is_kept_unless_asked(scenario: Scenario) -> None:
    with opened(scenario.collection) as col:
        note = col.get_note(scenario.v1_notes["old-fact"])  # type: ignore[arg-type]
        note["Extra"] = "My own note: ask the pharmacist."
        col.update_note(note)
    result = scenario.apply("--allow-full-sync")
    kept = "old-fact: removed from the deck, but edited in Anki since; --overwrite-local-edits removes it too"
    assert f"  kept        {kept}" in result.output.splitlines()
    with opened(scenario.collection) as col:
        assert col.find_notes('"ID:old-fact"')
    forced = scenario.apply("--allow-full-sync", "--overwrite-local-edits")
    assert "  removed     old-fact: note deleted" in forced.output.splitlines()
    with opened(scenario.collection) as col:
        assert not col.find_notes('"ID:old-fact"')


def test_an_item_back_in_the_deck_is_unsuspended_and_untagged(scenario: Scenario) -> None:
    assert scenario.apply("--keep-removed", "--allow-full-sync").exit_code == 0
    cards = scenario.root / "author" / "cards"
    drugs = cards / "drugs.yaml"
    old_fact = DRUGS_V1[DRUGS_V1.index("  - id: old-fact") :]
    drugs.write_text(drugs.read_text() + old_fact)
    result = api.build(cards, scenario.root / "author" / "build")
    assert "old-fact" in api.load_lockfile(cards).items  # back, under its old note id and time
    shutil.copy(result.package, scenario.package)
    back = scenario.apply("--keep-removed", "--allow-full-sync")
    assert "  restored    old-fact: untagged, 1 card unsuspended" in back.output.splitlines()
    with opened(scenario.collection) as col:
        (nid,) = col.find_notes('"ID:old-fact"')
        assert nid == scenario.v1_notes["old-fact"]
        note = col.get_note(nid)
        assert "studydeck::removed" not in note.tags
        assert [card.queue for card in note.cards()] != [-1]
        assert note.cards()[0].id == scenario.v1_cards[("old-fact", 0)]
    assert "Nothing to change" in scenario.apply("--keep-removed", "--allow-full-sync").output


def test_a_removed_item_the_learner_moved_to_a_deck_of_their_own_is_theirs(scenario: Scenario) -> None:
    with opened(scenario.collection) as col:
        col.set_deck(col.find_cards('"ID:old-fact"'), col.decks.id("Keep forever"))  # type: ignore[arg-type]
    for args in ((), ("--keep-removed",), ("--overwrite-local-edits",)):
        result = scenario.apply("--allow-full-sync", *args)
        assert "  kept        old-fact: removed from the deck, but you moved its cards to a deck of your own; " in (
            result.output
        )
        with opened(scenario.collection) as col:
            (nid,) = col.find_notes('"ID:old-fact"')
            note = col.get_note(nid)
            assert "studydeck::removed" not in note.tags and note.cards()[0].queue != -1


def test_an_emptied_card_in_a_deck_of_the_learners_own_is_left_to_them(scenario: Scenario) -> None:
    with opened(scenario.collection) as col:
        col.set_deck(col.find_cards('"ID:ivig-brand"'), col.decks.id("Keep forever"))  # type: ignore[arg-type]
    result = scenario.apply("--allow-full-sync")
    assert (
        "  not applied ivig-brand: card 2 is left empty by the new text, but it is in your deck 'Keep forever': "
        "Tools › Empty Cards removes it"
    ) in result.output.splitlines()
    with opened(scenario.collection) as col:
        cards = {col.get_card(cid).ord: cid for cid in col.find_cards('"ID:ivig-brand"')}
        assert cards == {0: scenario.v1_cards[("ivig-brand", 0)], 1: scenario.v1_cards[("ivig-brand", 1)]}
        assert {col.decks.name(col.get_card(cid).did) for cid in cards.values()} == {"Keep forever"}
