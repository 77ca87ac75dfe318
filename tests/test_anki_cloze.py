"""`check` agrees with Anki's own cloze parser on which cards exist (issue 16, item 6).

Anki reads cloze deletions in the note's field, the HTML studydeck renders, with ASCII digits
only. `{{c١::x}}` (Arabic-Indic digit) and `{{c１::x}}` (full width) passed `check` and made no
card; a deletion in a link's address was percent-encoded away; `&#123;&#123;c2::b&#125;&#125;`
became a c2 that had no card; `{{c1::&#125;}}` became an empty deletion. Now the only cloze
syntax in a rendered field is the deletions the text writes (markup.py), `check` refuses what
rendering would lose, and these tests hold both to the real backend: its cloze parser on any
text, and the cards it makes from what `check` accepts.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from studydeck import api
from studydeck.anki.notes import note_content
from studydeck.anki.notetypes import CLOZE
from studydeck.source.cloze import anki_cloze_numbers
from studydeck.source.markup import plain_deletions, to_html
from studydeck.source.text import answer_parts, prompt_text

from anki_backend import import_package, new_collection
from helpers import CardsFolder, diagnostics_printed


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Collection]:
    col = new_collection(tmp_path_factory.mktemp("anki"))
    yield col
    col.close()


def anki_numbers(col: Collection, field: str) -> list[int]:
    """The cloze numbers Anki's backend finds in a cloze note's Text field."""
    note = col.new_note(col.models.by_name("Cloze"))
    note["Text"] = field
    return sorted(col._backend.cloze_numbers_in_note(note._to_backend_note()))


# Pieces of cloze syntax, near misses, and what Markdown and HTML do to braces.
PIECES = [
    *("{{c1::", "{{c2::", "{{c12::", "{{c0::", "{{c65536::", "{{c١::", "{{c１::", "{{C1::", "{{c1:"),
    *("}}", "}", "{", "{{", "::", ":", "x", " ", "1", "c"),
]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(text=st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_our_model_of_ankis_cloze_parser_is_ankis(collection: Collection, text: str) -> None:
    """`cloze.anki_cloze_numbers`, which `check` uses to verify rendered fields, is Anki's parser."""
    assert sorted(set(anki_cloze_numbers(text))) == anki_numbers(collection, text)


def _cloze_item(text: str) -> str:
    return f"items:\n  - id: the-cloze\n    category: mechanism\n    cloze: {json.dumps(text, ensure_ascii=False)}\n"


def _check(folder: CardsFolder, text: str) -> list[str]:
    folder.write("cloze.yaml", _cloze_item(text))
    result = folder.run("check")
    return [m.group(0) for m in diagnostics_printed(result) if m["severity"] == "error"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{c١::x}}", "cloze number 'c١' must be written with the digits 0 to 9"),
        ("{{c１::x}} and {{c2::y}}", "cloze number 'c１' must be written with the digits 0 to 9"),
        ("[t](https://e.org/{{c1::x}})", "a cloze deletion inside a link's address or title"),
        ('{{c1::a}} [t](https://e.org "{{c2::x}}")', "Anki would find c1, c2 where the text writes c1, c2"),
        ("<https://e.org/{{c1::x}}>", "Anki would find none where the text writes c1"),
        ("{{c1::&nbsp;}}", "cloze deletion c1 is empty once its Markdown is rendered"),
        ("{{c1::[](https://e.org)}}", "cloze deletion c1 is empty once"),
    ],
)
def test_a_cloze_anki_would_read_otherwise_is_refused(folder: CardsFolder, text: str, message: str) -> None:
    errors = _check(folder, text)
    assert len(errors) == 1 and errors[0].startswith("cards/cloze.yaml:4:12: error: ") and message in errors[0], errors


@pytest.mark.parametrize(
    ("text", "numbers", "shown"),
    [
        # braces written as entities or escapes show as written, and make no card
        ("{{c1::a}} &#123;&#123;c2::b&#125;&#125;", [1], ["{{c2::b}}"]),
        (r"\{\{c2::x\}\} {{c1::y}}", [1], ["{{c2::x}}"]),
        ("{{c1::&#125;}}", [1], []),  # a deletion of "}"
        ("{{c1::a}} `{{c2::b}}`", [1, 2], []),  # in code, as written: Anki reads it, so does check
        ("{{c1::x::a hint}} {{c2::y}}", [1, 2], []),
        ("**{{c1::bold}}** [link {{c2::text}}](https://e.org)", [1, 2], []),
        ("{{c1::a}}\n\n{{c2::b}} and {{c3::c\nd}}", [1, 2, 3], []),
    ],
)
def test_the_cards_check_accepts_are_the_cards_anki_makes(
    folder: CardsFolder, collection: Collection, text: str, numbers: list[int], shown: list[str]
) -> None:
    assert _check(folder, text) == []
    [item] = [i for i in api.load_deck(folder.cards).items if i.id == "the-cloze"]
    cards = api.load_deck(folder.cards)
    content = note_content(cards.deck, item, CLOZE)
    assert anki_numbers(collection, content.fields[0]) == numbers
    assert [n + 1 for n in content.card_ords] == numbers
    for literal in shown:  # what Anki shows of the field, and what the printouts show
        assert literal in _shown_text(collection, content.fields[0]) and literal in prompt_text(item)


def test_a_deletion_of_a_brace_shows_the_brace(folder: CardsFolder, collection: Collection) -> None:
    assert _check(folder, "{{c1::&#125;}} and {{c2::\\{}}") == []
    [item] = [i for i in api.load_deck(folder.cards).items if i.id == "the-cloze"]
    assert answer_parts(item) == ["}", "{"]
    assert [d.text for d in plain_deletions(item.cloze)] == ["}", "{"]
    assert _shown_text(collection, to_html(item.cloze, cloze=True), ordinal=2, answer=True).startswith("} and {")


def _shown_text(col: Collection, field: str, ordinal: int = 1, answer: bool = False) -> str:
    """The text Anki shows for card ``ordinal`` of a cloze note with this Text field."""
    import html
    import re

    note = col.new_note(col.models.by_name("Cloze"))
    note["Text"] = field
    output = note.ephemeral_card(ordinal - 1).render_output()
    shown = output.answer_text if answer else output.question_text
    return html.unescape(re.sub(r"<[^>]+>", "", shown))


# Cloze texts: deletions around text made of what Markdown and HTML turn into braces (or hide),
# links, code, math and Anki's own markup, with stray pieces of syntax now and then.
TEXT_PIECES = [
    *("x", " ", "\n\n", "&#123;", "&#125;", "&lbrace;", "&rcub;", "&#x7B;", "\\{", "\\}", "&nbsp;", "&amp;"),
    *("&#58;", "{", "}", ":", "[", "](https://e.org/", ")", '"', "`", "**", "*", "_", "~", "^", "<", ">"),
    *("\\(", "\\)", "[sound:a]", "# ", "- ", "1. "),
]
SYNTAX_PIECES = ["{{c1::", "{{c١::", "}}", "::", "{{", "{{c2::x}}"]
inner_text = st.lists(st.sampled_from(TEXT_PIECES), max_size=5).map("".join)
deletions = st.builds(
    lambda number, body, hint: f"{{{{c{number}::{body}{'::' + hint if hint is not None else ''}}}}}",
    st.integers(1, 3),
    st.tuples(inner_text, inner_text).map("x".join) | inner_text,  # (mostly not empty)
    st.none() | inner_text,
)
segments = st.one_of(inner_text, deletions, deletions, deletions, st.sampled_from(SYNTAX_PIECES))
cloze_texts = st.lists(segments, min_size=1, max_size=6).map("".join)


@settings(
    max_examples=int(os.environ.get("STUDYDECK_FUZZ_EXAMPLES", "300")),
    derandomize="STUDYDECK_FUZZ_EXAMPLES" not in os.environ,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(text=cloze_texts)
def test_whatever_check_accepts_anki_makes_the_same_cards(
    tmp_path_factory: pytest.TempPathFactory, collection: Collection, text: str
) -> None:
    folder = CardsFolder.example(tmp_path_factory.mktemp("cloze"))
    if _check(folder, text):
        event("refused")
        return
    event("accepted")
    cards = api.load_deck(folder.cards, cache_dir=None)
    [item] = [i for i in cards.items if i.id == "the-cloze"]
    content = note_content(cards.deck, item, CLOZE)
    assert anki_numbers(collection, content.fields[0]) == [n + 1 for n in content.card_ords], content.fields[0]


def test_an_imported_deck_has_exactly_the_cards_studydeck_counts(folder: CardsFolder, tmp_path: Path) -> None:
    folder.write(
        "cloze.yaml",
        _cloze_item("{{c1::a}} &#123;&#123;c2::b&#125;&#125; {{c3::&#125;}} `{{c4::d}}` \\{\\{c5::e\\}\\}"),
    )
    result = folder.build()
    col = new_collection(tmp_path / "anki")
    try:
        import_package(col, folder.package)
        [nid] = col.find_notes('"ID:the-cloze"')
        assert sorted(card.ord + 1 for card in col.get_note(nid).cards()) == [1, 3, 4]
        assert col.card_count() == result.card_count
    finally:
        col.close()
