"""The deck we ship (cards/) builds, imports into the real Anki backend and renders cleanly."""

from __future__ import annotations

import html as html_module
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from studydeck import api

from anki_backend import import_package, new_collection, notes_by_item_id

CARDS = Path(__file__).resolve().parent.parent / "cards"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory) -> tuple[api.Cards, Path]:
    """Build a copy of cards/ (so the committed lockfile is never touched)."""
    root = tmp_path_factory.mktemp("shipped")
    shutil.copytree(CARDS, root / "cards")
    result = api.build(root / "cards", root / "build")
    return api.load_deck(root / "cards"), result.package


def test_shipped_deck_is_strictly_valid() -> None:
    assert api.check(CARDS, strict=True) == []


def test_committed_lockfile_describes_the_cards() -> None:
    """Building the committed cards changes nothing: the lockfile was committed with them."""
    compiled = api.compile_cards(CARDS)
    assert compiled.report.is_empty, compiled.report


def test_shipped_deck_imports_and_renders(shipped: tuple[api.Cards, Path], tmp_path: Path) -> None:
    cards, package = shipped
    col = new_collection(tmp_path / "anki")
    log = import_package(col, package)
    assert not log.conflicting
    notes = notes_by_item_id(col)
    assert len(notes) == len(cards.items) == col.note_count()
    assert all(len(ids) == 1 for ids in notes.values())

    tags = {tag for nid in col.find_notes("") for tag in col.get_note(nid).tags}
    assert {f"category::{c}" for c in cards.deck.categories} <= tags

    for card_id in col.find_cards(""):
        card = col.get_card(card_id)
        front = _visible_text(card.question())
        back = _visible_text(card.answer())
        assert front.strip(), f"empty front: {card.note()['ID']}"
        assert back.strip() and back != front, f"empty back: {card.note()['ID']}"
        # Escaping happened exactly once: no "&amp;lt;" and no raw tags from the YAML text.
        for html in (card.question(), card.answer()):
            assert not re.search(r"&amp;(amp|lt|gt|quot|#\d+);", html), card.note()["ID"]
            assert "<script" not in html


def test_special_characters_survive(shipped: tuple[api.Cards, Path], tmp_path: Path) -> None:
    """Text with <, &, µ, ≥ or β in the YAML shows exactly that in Anki."""
    cards, package = shipped
    col = new_collection(tmp_path / "anki")
    import_package(col, package)
    notes = notes_by_item_id(col)
    checked = 0
    for item in cards.items:
        text = item.a or item.cloze
        if any(ch in text for ch in "<&µ≥β") and "*" not in text and "`" not in text:
            note = col.get_note(notes[item.id][0])
            field = note["Answer"] if item.kind == "basic" else note["Text"]
            assert _visible_text(field) == text, item.id
            checked += 1
    assert checked, "the deck has special characters to check"


def _visible_text(html: str) -> str:
    """What a reader sees: tags and the style block removed, entities decoded."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return html_module.unescape(re.sub(r"<[^>]+>", "", html)).strip()


def test_readme_deck_tables_are_generated_from_the_cards() -> None:
    script = Path(__file__).resolve().parent.parent / "scripts" / "readme_deck_tables.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
