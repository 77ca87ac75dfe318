"""Anki's own markup in card text shows literally; MathJax passes through (issue 16, item 7, and
issue 15, part 3).

`[sound:x]`, `[anki:tts …]…[/anki:tts]`, `[latex]…[/latex]`, `[$]…[/$]` and `[$$]…[/$$]` in a
card became play buttons, speech and LaTeX images (LaTeX runs a program on the learner's
machine). Wherever card text reaches a field (any text key, a cloze, a source's title, section,
publisher or url, the deck's description), Anki must find none of its markup, and show the text.
MathJax, `\\(…\\)` and `\\[…\\]`, reaches the field with its backslashes (Markdown ate them:
`\\(x^2\\)` arrived as `(x^2)`), untouched by Markdown or cloze syntax, and Anki's card keeps it.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection

from studydeck import api
from studydeck.source.markup import to_html, to_plain

from anki_backend import import_package, new_collection
from helpers import DECK_YAML, CardsFolder

ANKI_MARKUP = [
    "[sound:x.mp3]",
    "[SOUND:x.mp3]",
    "[anki:tts lang=en_US]spoken[/anki:tts]",
    "[anki:play:q:0]",
    "[latex]\\LaTeX[/latex]",
    "[$]x^2[/$]",
    "[$$]\\sum x[/$$]",
]
MARKUP = " ".join(ANKI_MARKUP)


def _deck(folder: CardsFolder) -> None:
    deck = DECK_YAML.replace("description: A deck for tests", f"description: {json.dumps('About ' + MARKUP)}")
    deck += f"    publisher: {json.dumps(MARKUP)}\n"
    deck = deck.replace("title: The source article", f"title: {json.dumps('Article ' + MARKUP)}")
    deck = deck.replace("url: https://example.org/article", "url: https://example.org/[sound:x.mp3]")
    folder.write("deck.yaml", deck)
    items = [
        {"id": "basic", "category": "mechanism", "q": f"Q {MARKUP}", "a": f"A {MARKUP}", "extra": MARKUP,
         "caution": MARKUP, "reverse": True, "source": {"key": "src", "section": MARKUP}},
        {"id": "cloze", "category": "mechanism", "cloze": f"{{{{c1::{MARKUP}}}}} and `[sound:code.mp3]` {MARKUP}",
         "extra": MARKUP},
    ]  # fmt: skip
    folder.write("markup.yaml", json.dumps({"items": items}))
    (folder.cards / "drugs.yaml").unlink()


@pytest.fixture
def imported(folder: CardsFolder, tmp_path: Path) -> Iterator[Collection]:
    _deck(folder)
    folder.build()
    col = new_collection(tmp_path / "anki")
    import_package(col, folder.package)
    yield col
    col.close()


def _cards(col: Collection) -> list[tuple[str, str, str]]:
    """(item id, question, answer) of every card, as Anki renders them."""
    rendered = []
    for cid in col.find_cards(""):
        card = col.get_card(cid)
        output = card.render_output()
        rendered.append((card.note()["ID"], output.question_text, output.answer_text))
    return rendered


def test_no_field_holds_markup_anki_would_play_speak_or_typeset(imported: Collection) -> None:
    backend = imported._backend
    for nid in imported.find_notes(""):
        for field in imported.get_note(nid).fields:
            assert not backend.extract_av_tags(text=field, question_side=True).av_tags, field
            assert not backend.extract_latex(text=field, svg=False, expand_clozes=True).latex, field
    description = imported.decks.by_name("Test deck")["desc"]
    assert not backend.extract_av_tags(text=description, question_side=True).av_tags
    assert not backend.extract_latex(text=description, svg=False, expand_clozes=True).latex


def test_every_card_shows_the_markup_as_written(imported: Collection) -> None:
    cards = _cards(imported)
    assert sorted(item_id for item_id, _, _ in cards) == ["basic", "basic", "cloze"]
    for item_id, question, answer in cards:
        for side in (question, answer):
            assert "[anki:play" not in side and "<img" not in side and "latex-" not in side, side
        shown = html.unescape(re.sub(r"<[^>]+>", "", answer))
        for markup in ANKI_MARKUP:
            assert markup in shown, (item_id, markup, shown)


def test_printouts_and_plain_exports_show_the_markup_as_written(folder: CardsFolder) -> None:
    assert to_plain(MARKUP) == MARKUP
    _deck(folder)
    csv = api.export(folder.cards, "csv")[0].decode()
    for markup in ANKI_MARKUP:
        assert markup in csv


# -- MathJax -------------------------------------------------------------------------------------

MATH = [
    ("inline", "\\(x^2\\)"),
    ("display", "\\[\\frac{a}{b}\\]"),
    ("emphasis look-alikes", "\\(a_1 * b_2 * c_3\\)"),
    ("sub and sup look-alikes", "\\(H~2~O + x^{2}\\)"),
    ("escapes and entities", "\\(\\{x\\} \\, a \\& b < c\\)"),
    ("link look-alike", "\\[[a](b)\\]"),
    ("over lines", "\\[\na = b\n\\]"),
]


@pytest.mark.parametrize(("name", "math"), MATH, ids=[name for name, _ in MATH])
def test_mathjax_reaches_anki_as_written(folder: CardsFolder, tmp_path: Path, name: str, math: str) -> None:
    items = [
        {"id": "basic", "category": "mechanism", "q": f"What is {math}?", "a": f"It is {math}."},
        {"id": "cloze", "category": "mechanism", "cloze": f"Here {{{{c1::{math}}}}} and {math} too."},
    ]
    folder.write("math.yaml", json.dumps({"items": items}))
    (folder.cards / "drugs.yaml").unlink()
    folder.build()
    col = new_collection(tmp_path / "anki")
    try:
        import_package(col, folder.package)
        escaped = html.escape(math, quote=False)  # (`<` and `&` as HTML must write them; the browser reads them back)
        for nid in col.find_notes(""):
            note = col.get_note(nid)
            assert escaped in note.fields[0], note.fields[0]
        for item_id, question, answer in _cards(col):
            assert escaped in answer, (item_id, answer)
            if item_id == "basic":
                assert escaped in question
            else:  # the deletion is hidden on the front; the math outside it is there, as written
                assert question.count(escaped) == 1
    finally:
        col.close()


def test_mathjax_is_not_read_as_markdown_or_cloze_syntax() -> None:
    assert to_html("\\(x^2\\)") == "\\(x^2\\)"  # not `(x^2)`, nor a superscript
    assert to_html("*a* \\(a*b*c\\) *b*") == "<em>a</em> \\(a*b*c\\) <em>b</em>"
    assert to_html("{{c1::\\(x^2\\)}}", cloze=True) == "{{c1::\\(x^2\\)}}"
    assert to_html("{{c1::\\(a::b\\)::hint}}", cloze=True) == "{{c1::\\(a::b\\)::hint}}"
    assert to_plain("**Dose:** \\(C = \\frac{D}{V}\\)") == "Dose: \\(C = \\frac{D}{V}\\)"  # PDFs: as written
    # Markdown's own escapes still work outside math
    assert to_html("\\*not emphasis\\* and \\[not math") == "*not emphasis* and [not math"


# -- the rest of Markdown, as the printouts show it (issue 16, item 19) ------------------------


def test_a_doubled_tilde_or_caret_is_shown_as_written() -> None:
    assert to_html("~~s~~") == "~~s~~"  # was ~<sub>s</sub>~
    assert to_html("x^^2^^") == "x^^2^^"
    assert to_html("H~2~O and x^2^") == "H<sub>2</sub>O and x<sup>2</sup>"


def test_numbered_lists_print_numbered() -> None:
    def lines(text: str) -> list[str]:
        return [line for line in to_plain(text).splitlines() if line]

    assert lines("1. one\n2. two\n\n- a\n- b") == ["1. one", "2. two", "• a", "• b"]  # were all bullets
    assert lines("3. three\n4. four") == ["3. three", "4. four"]
    assert lines("1. one\n   - a\n   - b\n2. two") == ["1. one", "• a", "• b", "2. two"]


def test_numbered_lists_and_math_print_as_written_in_the_pdfs(folder: CardsFolder) -> None:
    from pdfs import all_text

    item = {"id": "steps", "category": "management", "q": "Which steps, \\(n \\ge 2\\)?", "a": "1. first\n2. second"}
    folder.write("steps.yaml", json.dumps({"items": [item]}))
    (folder.cards / "drugs.yaml").unlink()
    result = folder.run("quiz", "--out", "steps.pdf")
    assert result.exit_code == 0, result.output
    key = all_text(folder.root / "steps-key.pdf")
    assert "1. first" in key and "2. second" in key and "•" not in key
    assert "\\(n \\ge 2\\)" in key
