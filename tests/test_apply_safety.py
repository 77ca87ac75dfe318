"""`studydeck apply` refuses what it must not touch, and a killed run is finished by the next one."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from anki.collection import Collection

from studydeck.apply.execute import DIE_AFTER, STEPS

from apply_helpers import Scenario, collection_content, item_id, make_scenario, opened, run_cli


@pytest.fixture(scope="module")
def scenario_template(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return make_scenario(tmp_path_factory.mktemp("apply-safety"))


@pytest.fixture
def scenario(scenario_template: Scenario, tmp_path: Path) -> Scenario:
    return scenario_template.copy(tmp_path / "scenario")


def refused(scenario: Scenario, collection: Path, *args: str) -> str:
    """Run apply on ``collection``; it must exit 1 with a one-line message and no traceback."""
    result = run_cli(scenario.learner_folder, "apply", scenario.package.name, "--collection", str(collection), *args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert result.stdout == ""
    return lines[0]


HOLD = """
import sys
from anki.collection import Collection
col = Collection(sys.argv[1])
print("open", flush=True)
sys.stdin.read()  # until the test closes our stdin
col.close()
"""


def test_a_collection_open_in_another_program_is_refused_and_left_alone(scenario: Scenario) -> None:
    before = collection_content(scenario.collection)
    files = sorted(p.name for p in scenario.collection.parent.iterdir())
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(scenario.collection)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        message = refused(scenario, scenario.collection, "--allow-full-sync")
        assert "is open in Anki or another program: close the profile" in message
        assert refused(scenario, scenario.collection, "--dry-run").startswith("error: ")  # even to look
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait()
    assert holder.returncode == 0
    assert collection_content(scenario.collection) == before
    assert sorted(p.name for p in scenario.collection.parent.iterdir()) == files  # no backups/ either


def test_what_is_not_an_anki_collection_is_refused_and_left_alone(scenario: Scenario, tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("my shopping list\n")
    assert "not an Anki collection (not an SQLite database)" in refused(scenario, text)
    assert text.read_text() == "my shopping list\n"

    other_db = tmp_path / "other" / "collection.anki2"
    other_db.parent.mkdir()
    conn = sqlite3.connect(other_db)
    conn.execute("CREATE TABLE recipes (name TEXT)")
    conn.commit()
    conn.close()
    data = other_db.read_bytes()
    assert "not an Anki collection (it lacks Anki's tables)" in refused(scenario, other_db)
    assert other_db.read_bytes() == data and sorted(os.listdir(other_db.parent)) == ["collection.anki2"]

    missing = tmp_path / "nowhere" / "collection.anki2"
    assert "no such collection" in refused(scenario, missing)
    assert not missing.parent.exists()  # (Anki itself would have made a new, empty collection there)
    assert f"{tmp_path / 'collection.anki2'}: no such collection" in refused(scenario, tmp_path)  # a folder


def test_a_file_that_is_not_a_studydeck_package_is_refused(scenario: Scenario, tmp_path: Path) -> None:
    before = collection_content(scenario.collection)
    notes = scenario.learner_folder / "notes.apkg"
    notes.write_text("not a zip")
    result = run_cli(scenario.learner_folder, "apply", "notes.apkg", "--collection", str(scenario.collection))
    assert result.exit_code == 1
    assert result.stderr.startswith("error: notes.apkg is not a studydeck package")
    assert collection_content(scenario.collection) == before and not scenario.backups


def deck_state(path: Path) -> dict[str, object]:
    """What a learner sees of the deck: each item's note, and each card's place and history."""
    col = Collection(str(path))
    try:
        assert col.db.scalar("PRAGMA integrity_check") == "ok"
        notes = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            notes[item_id(col, nid) or note.fields[0]] = (note.note_type()["name"], note.fields, sorted(note.tags))  # type: ignore[index]
        cards = {}
        for cid in col.find_cards(""):
            card = col.get_card(cid)
            reviews = col.db.scalar("SELECT count() FROM revlog WHERE cid = ?", cid)
            home = col.decks.name(card.odid or card.did)
            key = (item_id(col, card.nid) or col.get_note(card.nid).fields[0], card.ord)
            cards[key] = (home, col.decks.name(card.did), card.queue, card.type, reviews)
        return {"notes": notes, "cards": cards}
    finally:
        col.close()


@pytest.fixture(scope="module")
def applied_once(scenario_template: Scenario, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The deck as one uninterrupted run leaves it."""
    reference = scenario_template.copy(tmp_path_factory.mktemp("apply-reference"))
    assert reference.apply("--allow-full-sync").exit_code == 0
    return deck_state(reference.collection)


@pytest.mark.parametrize("step", STEPS)
def test_a_killed_apply_leaves_a_collection_anki_opens_and_the_next_run_completes_it(
    scenario: Scenario, applied_once: dict[str, object], step: str
) -> None:
    command = [sys.executable, "-m", "studydeck", "apply", scenario.package.name,
               "--collection", str(scenario.collection), "--allow-full-sync"]  # fmt: skip
    killed = subprocess.run(
        command, cwd=scenario.learner_folder, env={**os.environ, DIE_AFTER: step}, capture_output=True, text=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    with opened(scenario.collection) as col:  # Anki opens it as usual
        assert col.db.scalar("PRAGMA integrity_check") == "ok"
    again = scenario.apply("--allow-full-sync")
    assert again.exit_code == 0, again.output
    assert deck_state(scenario.collection) == applied_once
    assert "Nothing to change" in scenario.apply("--allow-full-sync").output
