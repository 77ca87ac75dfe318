"""Tags and deck names reach Anki exactly as studydeck says (issue 16, items 14 and 15).

Anki splits tags at spaces, turns an empty part around '::' into the word 'blank', composes
Unicode (NFC), and compares deck names ignoring case: `Sub` and `sub` became the decks `Sub` and
`sub_`, and `Café` typed as NFC and as NFD became `Café` and `Café_`. studydeck refuses what Anki
would change (with a located error) and composes what Anki would compose, so that what `check`
accepts is what Anki stores. The property test imports decks of random names into the real backend.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from studydeck import api
from studydeck.source.chars import name_key
from studydeck.source.selection import Filters

from anki_backend import import_package, new_collection
from helpers import DECK_YAML, CardsFolder, diagnostics_printed


def _item(item_id: str, **extra: object) -> str:
    lines = [f"  - id: {item_id}", "    category: mechanism", f"    q: {item_id} question?", "    a: An answer."]
    lines += [f"    {key}: {json.dumps(value, ensure_ascii=False)}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def _card_file(deck: str | None, *items: str) -> str:
    head = f"deck: {json.dumps(deck, ensure_ascii=False)}\n" if deck is not None else ""
    return head + "items:\n" + "".join(items)


def _errors(folder: CardsFolder) -> list[str]:
    result = folder.run("check")
    assert result.exit_code == 1, result.output
    return [m.group(0) for m in diagnostics_printed(result)]


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("a::", "tag 'a::' has an empty part around '::' (Anki would make it 'a::blank')"),
        ("::b", "tag '::b' has an empty part around '::' (Anki would make it 'blank::b')"),
        ("x::::y", "(Anki would make it 'x::blank::y')"),
        ("::", "(Anki would make it 'blank::blank')"),
        ("a::\u200b", "(Anki would make it 'a::blank')"),
        ("two words", "contains a space; Anki tags are single words"),
        ("ideographic\u3000space", "contains a space"),
    ],
)
def test_a_tag_anki_would_change_is_refused_where_it_is(folder: CardsFolder, tag: str, message: str) -> None:
    folder.write("new.yaml", _card_file(None, _item("tagged", tags=[tag])))
    [error] = _errors(folder)
    assert error.startswith("cards/new.yaml:6:12: error: ") and message in error


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("a b", "source key 'a b' contains a space"),
        ("a::", "source key 'a::' has an empty part around '::'"),
    ],
)
def test_a_source_key_is_a_tag_and_follows_the_same_rules(folder: CardsFolder, key: str, message: str) -> None:
    folder.write("deck.yaml", DECK_YAML + f"  {json.dumps(key)}:\n    title: Another\n")
    errors = _errors(folder)
    assert any(e.startswith("cards/deck.yaml:9:3: error: ") and message in e for e in errors), errors


def test_source_keys_that_anki_would_make_one_tag_are_refused(folder: CardsFolder) -> None:
    folder.write("deck.yaml", DECK_YAML + "  SRC:\n    title: Another\n")
    [error] = _errors(folder)
    assert error.startswith("cards/deck.yaml:9:3: error: source key 'SRC' and 'src' (cards/deck.yaml:5:3) differ")


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("Sub", "sub", "deck 'sub': 'sub' differs from 'Sub' (used at cards/a.yaml:3:9) only in case"),
        ("Drugs::IVIG", "drugs::Steroids", "deck 'drugs::Steroids': 'drugs' differs from 'Drugs' (used at"),
        ("Über", "über::x", "'über' differs from 'Über'"),
    ],
)
def test_deck_names_anki_would_not_keep_apart_are_refused(
    folder: CardsFolder, first: str, second: str, message: str
) -> None:
    folder.write("a.yaml", _card_file(first, _item("in-a")))
    folder.write("b.yaml", _card_file(second, _item("in-b")))
    errors = _errors(folder)
    assert any(e.startswith("cards/b.yaml:3:9: error: ") and message in e for e in errors), errors


def test_a_deck_name_typed_composed_or_decomposed_is_one_deck(folder: CardsFolder, tmp_path: Path) -> None:
    nfc, nfd = "Caf\u00e9", "Cafe\u0301"
    folder.write("a.yaml", _card_file(nfc, _item("in-a", tags=[nfd])))
    folder.write("b.yaml", _card_file(f" {nfd} :: Sub ", _item("in-b", tags=[nfc])))
    folder.write("deck.yaml", DECK_YAML.replace("name: Test deck", "name: ' Test ::  Deck '"))
    cards = api.load_deck(folder.cards)
    assert cards.deck.name == "Test::Deck"
    by_id = {item.id: item for item in cards.items}
    assert by_id["in-a"].subdeck == nfc and by_id["in-b"].subdeck == f"{nfc}::Sub"
    assert nfc in by_id["in-a"].tags and nfc in by_id["in-b"].tags
    assert _as_anki_stores_them(folder, tmp_path) == _as_studydeck_says(folder)


def test_quiz_deck_selects_as_anki_searches(folder: CardsFolder) -> None:
    folder.write("a.yaml", _card_file("Sub::Café", _item("in-a")))
    cards = api.load_deck(folder.cards)
    from studydeck.source.selection import select_items

    for wanted in ("sub", "SUB::CAFE\u0301", "Test deck::sub"):
        assert [item.id for item in select_items(cards, Filters(decks=(wanted,)))] == ["in-a"]


def _as_studydeck_says(folder: CardsFolder) -> dict[str, tuple[str, tuple[str, ...]]]:
    cards = api.load_deck(folder.cards)
    return {item.id: (cards.anki_deck_name(item), item.all_tags) for item in cards.items}


def _as_anki_stores_them(folder: CardsFolder, tmp_path: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    folder.build()
    col = new_collection(tmp_path / "anki")
    try:
        import_package(col, folder.package)
        found = {}
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            [deck] = {col.decks.name(card.did) for card in note.cards()}
            found[note["ID"]] = (deck, tuple(sorted(note.tags, key=lambda t: (t.casefold(), t))))
        return found
    finally:
        col.close()


# Names made of the characters Anki treats specially, and a few ordinary ones.
NAME_CHARS = st.sampled_from(
    ["a", "B", "é", "e\u0301", "É", ":", "::", " ", "\u3000", "\u200b", '"', "_", "-", "ß", "İ"]
)
names = st.lists(NAME_CHARS, min_size=1, max_size=6).map("".join)


@settings(max_examples=25, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(decks=st.lists(names, min_size=1, max_size=3), tags=st.lists(names, min_size=1, max_size=4))
def test_what_check_accepts_anki_stores_as_studydeck_says(
    tmp_path_factory: pytest.TempPathFactory, decks: list[str], tags: list[str]
) -> None:
    folder = CardsFolder.example(tmp_path_factory.mktemp("names"))
    for n, deck in enumerate(decks):
        folder.write(f"d{n}.yaml", _card_file(deck, _item(f"item-{n}", tags=tags)))
    if folder.run("check").exit_code != 0:
        event("refused")
        return  # refused, with a located error (test_fuzz checks that every refusal is located)
    event("imported")
    said = _as_studydeck_says(folder)
    stored = _as_anki_stores_them(folder, folder.root / "anki")
    assert stored.keys() == said.keys()
    for item_id, (deck, item_tags) in said.items():
        anki_deck, anki_tags = stored[item_id]
        assert anki_deck == deck, (item_id, deck, anki_deck)
        # Anki keeps one spelling of a tag per collection (the first it met): compared as Anki does.
        assert sorted(map(name_key, anki_tags)) == sorted(map(name_key, item_tags))
        assert all(unicodedata.is_normalized("NFC", tag) for tag in item_tags)
