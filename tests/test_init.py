"""`studydeck init`: a new project that checks strictly and builds at once, and never overwrites."""

from __future__ import annotations

from pathlib import Path

import pytest

from studydeck import api
from studydeck.authoring.scaffold import init_project
from studydeck.source.validate import ID_PATTERN

from helpers import CardsFolder


def test_a_new_project_passes_strict_check_and_builds(tmp_path: Path) -> None:
    project = CardsFolder(tmp_path / "pharmacology")
    project.root.mkdir()
    created = project.run("init", "--name", "Pharmacology: basics")
    assert created.exit_code == 0, created.output
    assert "cd " not in created.output  # already in the project folder

    checked = project.run("check", "--strict")
    assert checked.exit_code == 0, checked.output
    built = project.run("build")
    assert built.exit_code == 0, built.output

    cards = api.load_deck(project.cards)
    assert cards.deck.name == "Pharmacology: basics"
    assert ID_PATTERN.match(cards.deck.id) and cards.deck.id.startswith("pharmacology-basics-")
    assert sorted(item.kind for item in cards.items) == ["basic", "cloze"]
    assert (project.out / f"{cards.deck.id}.apkg").is_file()
    assert "build/" in (project.root / ".gitignore").read_text().splitlines()


def test_each_new_deck_gets_its_own_id(tmp_path: Path) -> None:
    first = init_project(tmp_path / "a", "Same name")
    second = init_project(tmp_path / "b", "Same name")
    assert first.deck_id != second.deck_id  # two decks called alike must not share note identities
    assert first.deck_name == "Same name"
    assert init_project(tmp_path / "my-notes_2").deck_name == "My notes 2"


def test_init_refuses_to_overwrite_an_existing_deck(folder: CardsFolder) -> None:
    before = folder.snapshot() | {"deck": (folder.cards / "deck.yaml").read_text()}
    result = folder.run("init")
    assert result.exit_code == 1
    assert "cards/deck.yaml: error: already exists; `studydeck init` never overwrites it" in result.stderr
    assert "Traceback" not in result.output
    assert folder.snapshot() | {"deck": (folder.cards / "deck.yaml").read_text()} == before
    assert not (folder.cards / "example.yaml").exists()
    assert not (folder.root / ".gitignore").exists()


def test_init_adds_build_to_an_existing_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc")  # no final newline
    init_project(tmp_path, "Deck")
    assert (tmp_path / ".gitignore").read_text() == "*.pyc\nbuild/\n"
    (tmp_path / "cards" / "deck.yaml").unlink()
    (tmp_path / "cards" / "example.yaml").unlink()
    init_project(tmp_path, "Deck")
    assert (tmp_path / ".gitignore").read_text() == "*.pyc\nbuild/\n"  # not added twice


@pytest.mark.parametrize(
    ("name", "deck_name"),
    [
        ("Pharm::", "Pharm"),
        ("::Pharm", "Pharm"),
        ("A::::B", "A::B"),
        ("A:::B", "A::B"),
        (" A :: B ", "A::B"),
        ("Pharm\nacology", "Pharm acology"),
        ("Pharm\tacology", "Pharm acology"),
        ("Pharm\x07", "Pharm"),
        ("Pharm::\u200b::x", "Pharm::x"),
        ("Cafe\u0301", "Caf\u00e9"),
    ],
)
def test_any_name_gives_a_deck_that_passes_strict_check(tmp_path: Path, name: str, deck_name: str) -> None:
    """README promises that a new deck passes `check --strict` (issue 16, item 14): a name Anki or
    the checks would refuse is made into one they accept, and the command says which."""
    project = CardsFolder(tmp_path / "deck")
    project.root.mkdir()
    created = project.run("init", "--name", name)
    assert created.exit_code == 0, created.output
    assert created.output.startswith(f"Created the deck {deck_name!r}")
    checked = project.run("check", "--strict")
    assert checked.exit_code == 0, checked.output
    assert api.load_deck(project.cards).deck.name == deck_name


@pytest.mark.parametrize("name", ["", "::", " : ", "\x07", "\u200b"])
def test_a_name_with_nothing_to_call_a_deck_is_a_usage_error(tmp_path: Path, name: str) -> None:
    project = CardsFolder(tmp_path / "deck")
    project.root.mkdir()
    result = project.run("init", "--name", name)
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--name'" in result.stderr and "nothing a deck can be called" in result.stderr
    assert not project.cards.exists()
