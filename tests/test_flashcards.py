"""Cut-out flashcards: fronts and backs on alternating pages, backs mirrored for duplex printing."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from pdfs import A4, LETTER, Placed, all_text, flat, page_sizes, page_texts, placed_texts
from studydeck import api
from studydeck.printing.flashcards import BREAK_EVERY, CONTINUED, LONG_RUN, MAX_CARD_CHARS, MORE, breakable, split_text
from studydeck.printing.pdf import CARD_GRID
from studydeck.source.selection import Filters

from helpers import CardsFolder, within_seconds

PT_PER_MM = 72 / 25.4


def many_items(count: int) -> str:
    return "items:\n" + "\n".join(
        f"  - id: card-{i:02}\n    category: dosing\n"
        f'    q: "Question {i}: which dose?"\n    a: "Answer {i}: {i} µg ≥ daily"'
        for i in range(count)
    )


@pytest.mark.parametrize(("paper", "size"), [("a4", A4), ("letter", LETTER)])
def test_fronts_and_backs_alternate_and_backs_are_mirrored(tmp_path: Path, paper: str, size: tuple[int, int]) -> None:
    folder = CardsFolder.example(tmp_path)
    folder.write("many.yaml", many_items(13))  # with the example's 3 items: two sheets, the second half full
    out = tmp_path / "cards.pdf"
    result = api.flashcards(folder.cards, out, paper=paper)  # type: ignore[arg-type]
    assert result.card_count == 16
    assert page_sizes(out) == [size] * 4
    page_width = float(PdfReader(out).pages[0].mediabox.width)
    margin, padding = CARD_GRID.margin_mm * PT_PER_MM, CARD_GRID.padding_mm * PT_PER_MM
    card_width = (page_width - 2 * margin) / CARD_GRID.columns
    pages = page_texts(out)
    ids = [f"card-{i:02}" for i in range(13)] + ["ivig-dose", "ivig-brand", "cidp-remission"]
    columns_used = set()
    for card_id in ids:
        [front_page] = [p for p in (0, 2) if card_id in pages[p]]
        back_page = front_page + 1
        # The item id is printed at the same spot of its card on both sides: padding from the top-left.
        front, back = _id_label(out, front_page, card_id), _id_label(out, back_page, card_id)
        assert front.y == pytest.approx(back.y, abs=0.01), "same row on both sides"
        front_left, back_left = front.x - padding, back.x - padding
        # Reflected across the page's vertical centre line, the front card lands on the back card.
        assert page_width - (front_left + card_width) == pytest.approx(back_left, abs=0.01)
        columns_used.add(round((front_left - margin) / card_width))
    assert columns_used == {0, 1}
    # Each front page has questions only; the page after it, the matching answers.
    for i in range(13):
        front_page = 0 if f"card-{i:02}" in pages[0] else 2
        assert f"Question {i}: which dose?" in pages[front_page]
        assert f"Answer {i}: {i} µg ≥ daily" in pages[front_page + 1]
        assert f"Answer {i}:" not in pages[front_page]


def _id_label(pdf: Path, page: int, card_id: str) -> Placed:
    [label] = [p for p in placed_texts(pdf, page) if p.text == card_id]
    return label


def test_cards_show_the_question_then_the_answer_caution_and_source(folder: CardsFolder) -> None:
    folder.write(
        "unicode.yaml",
        """\
        source: src
        items:
          - id: b1-name
            category: mechanism
            q: Как называется витамин B1?
            a: Тиамин; β-oxidation needs ≥ 1 µg.
            caution: Проверьте дозу.
        """,
    )
    result = folder.run("cards", "--out", "fc.pdf", "--paper", "letter")
    assert result.exit_code == 0, result.output
    assert "Wrote 4 flashcards: fc.pdf" in result.output
    fronts, backs = page_texts(folder.root / "fc.pdf")
    assert "Как называется витамин B1?" in fronts and "Тиамин" not in fronts
    assert "Тиамин; β-oxidation needs ≥ 1 µg." in backs
    assert "Caution: Проверьте дозу." in backs
    assert "The source article" in backs
    # A cloze card: blanks on the front, the whole sentence on the back.
    assert "of CIDP patients reach" in fronts and "90%" not in fronts
    assert "About 90% of CIDP patients reach complete or partial remission." in backs
    assert "Mechanism" in fronts and "Dosing · Drugs::Immunoglobulin" in fronts


def test_filters_choose_the_cards(folder: CardsFolder) -> None:
    result = folder.run("cards", "--out", "fc.pdf", "--category", "dosing")
    assert result.exit_code == 0, result.output
    text = all_text(folder.root / "fc.pdf")
    assert "What IVIG regimen is used in CIDP?" in text and "Which class does IVIG belong to?" not in text


def test_long_text_shrinks_to_fit_or_continues_on_the_next_card(folder: CardsFolder) -> None:
    words = [f"word{i}" for i in range(300)]
    long_answer = " ".join(words)  # about 2,400 characters: more than a card holds legibly
    medium_answer = " ".join(words[:60])  # about 450 characters: shrinks to fit one card
    folder.write(
        "long.yaml",
        f"items:\n  - id: long\n    category: dosing\n    q: A long one?\n    a: {long_answer}\n"
        f"  - id: medium\n    category: dosing\n    q: A medium one?\n    a: {medium_answer}\n",
    )
    out = folder.root / "fc.pdf"
    api.flashcards(folder.cards, out, filters=Filters(tags=("category::dosing",)))
    fronts, backs = page_texts(out)
    pieces = -(-len(long_answer) // MAX_CARD_CHARS)  # at least
    assert "long (1/" in fronts and f"long ({pieces}/" in backs
    assert "(question on card 1/" in fronts and "(answer on card" not in backs
    assert "medium" in fronts and "medium (" not in fronts, "the medium answer fits on one card"
    assert medium_answer in backs
    # Nothing is lost: every word of the long answer is on the backs, in order.
    flat_backs = flat(backs.replace("…", " "))
    positions = [flat_backs.find(f"{word} ") for word in words[:-1]]
    assert -1 not in positions and positions == sorted(positions)


def test_split_text_breaks_between_words() -> None:
    pieces = split_text("alpha beta gamma delta", limit=12)
    assert pieces == ["alpha beta …", "… gamma …", "… delta"]
    assert split_text("short", limit=11) == ["short"]
    assert split_text("alpha\nbeta gamma", limit=10) == ["alpha …", "… beta …", "… gamma"]


# -- text with nowhere to break (issue 16: 1,512 Japanese characters looped forever) ----------

ZWSP = "\u200b"
JAPANESE = ("神経障害の治療では免疫グロブリンを使う" * 80)[:1512]
UNBREAKABLE = {
    "japanese": JAPANESE,
    "japanese-clauses": ("治療では免疫グロブリンを使う。" * 110)[:1512],
    "latin": "https://example.org/" + "a" * 1480,
    "combining": "e\u0301" * 800,  # é as e + a combining accent: never split apart
    "flags": "\U0001f1ef\U0001f1f5" * 400,  # two regional indicators make one flag
    "family": "\U0001f468\u200d\U0001f469\u200d\U0001f467" * 300,  # one emoji, five code points
}


@pytest.mark.parametrize("name", sorted(UNBREAKABLE))
def test_split_text_cuts_a_run_with_no_space_where_it_prints_apart(name: str) -> None:
    text = UNBREAKABLE[name]
    with within_seconds(5):
        pieces = split_text(text)
    assert all(len(p) <= MAX_CARD_CHARS for p in pieces)
    assert len(pieces) == -(-len(text) // (MAX_CARD_CHARS - 4))  # each holds all it can (marks aside)
    assert _rejoined(pieces) == text
    for piece in pieces[1:]:
        body = piece.removeprefix(CONTINUED)
        assert unicodedata.category(body[0]) not in ("Mn", "Mc", "Me") and body[0] != "\u200d", body[:3]
    if name == "flags":
        assert all(len(p.removeprefix(CONTINUED).removesuffix(MORE)) % 2 == 0 for p in pieces)
    if name == "japanese-clauses":  # broken after a full stop, not in the middle of a word
        assert all(p.removesuffix(MORE).endswith("。") for p in pieces[:-1])


def _rejoined(pieces: list[str]) -> str:
    """The text again, from pieces cut where there was no space."""
    last = len(pieces) - 1
    bodies = [p.removeprefix(CONTINUED) if i else p for i, p in enumerate(pieces)]
    return "".join(b.removesuffix(MORE) if i < last else b for i, b in enumerate(bodies))


# Any text at all, weighted towards what has nowhere to break.
hard_characters = st.sampled_from(" \n\u3000\u00a0。e\u0301\u200d\U0001f1ef\U0001f1f5…")
repeated = st.sampled_from([" ", "a", "日", "\u0301", "\u200d", "e\u0301", "… "])
hard_text = st.text(alphabet=hard_characters | st.characters(exclude_categories=["Cs"]), max_size=400) | st.builds(
    str.__mul__, repeated, st.integers(0, 500)
)


@settings(max_examples=400, deadline=None, database=None)
@given(text=hard_text, limit=st.integers(5, 120))
def test_split_text_always_ends_with_pieces_that_fit_and_lose_nothing(text: str, limit: int) -> None:
    with within_seconds(1):  # (it takes microseconds; short, so that shrinking a hang is quick)
        pieces = split_text(text, limit)
    assert pieces and all(len(p) <= limit for p in pieces)
    # Nothing but the spaces where it was cut (and at its ends) is lost, and nothing is added.
    assert "".join(_rejoined(pieces).split()) == "".join(text.split()) or len(pieces) == 1
    if len(text) <= limit:
        assert pieces == [text]


@pytest.mark.parametrize("name", sorted(UNBREAKABLE))
def test_long_runs_get_a_break_every_few_characters_for_print(name: str) -> None:
    text = UNBREAKABLE[name]
    printed = breakable(text)
    assert printed.replace(ZWSP, "") == text
    runs = printed.split(ZWSP)
    assert len(runs) > len(text) // (4 * BREAK_EVERY)
    for before, after in itertools.pairwise(runs):  # never inside what prints as one character
        assert unicodedata.category(after[0]) not in ("Mn", "Mc", "Me") and "\u200d" not in (before[-1], after[0])
    if name == "flags":
        assert all(len(run) % 2 == 0 for run in runs)


def test_short_runs_words_and_blanks_are_left_as_they_are() -> None:
    short = "x" * (LONG_RUN - 1)
    assert breakable(short) == short
    assert breakable(f"{short} {short}-{short}") == f"{short} {short}-{short}"  # Typst breaks at both
    cloze = "a" * 38 + "_____" + "b" * 41 + "__________"
    assert "_" + ZWSP + "_" not in breakable(cloze)  # a blank stays one blank
    assert breakable(cloze).replace(ZWSP, "") == cloze


@settings(max_examples=300, deadline=None, database=None)
@given(text=hard_text)
def test_breakable_only_adds_zero_width_spaces_inside_long_runs(text: str) -> None:
    with within_seconds(1):
        printed = breakable(text)
    assert printed.replace(ZWSP, "") == text.replace(ZWSP, "") or ZWSP in text
    for run in re.findall(r"[^\s\-]+", text.replace(ZWSP, " ")):
        if len(run) < LONG_RUN:
            assert run in printed


def test_split_text_needs_room_between_the_marks() -> None:
    with pytest.raises(ValueError, match="no room"):
        split_text("x" * 10, limit=4)


@pytest.mark.parametrize("name", ["japanese", "latin"])
def test_unbreakable_answers_print_on_their_cards_and_lines(folder: CardsFolder, name: str) -> None:
    """Found by an adversarial run: `cards`, `build` and `watch` hung on such an answer."""
    text = UNBREAKABLE[name]
    folder.write("long.yaml", json.dumps({"items": [{"id": "long", "category": "mechanism", "q": text, "a": text}]}))
    with within_seconds(30):
        result = folder.run("cards", "--out", "fc.pdf")
        assert result.exit_code == 0, result.output
        quiz = folder.run("quiz", "--out", "quiz.pdf")
        assert quiz.exit_code == 0, quiz.output
    count = len(split_text(text))
    assert f"long ({count}/{count})" in all_text(folder.root / "fc.pdf")
    if name == "latin":  # (the fonts Typst ships have no Japanese: those print as empty boxes)
        for pdf, widest in ((folder.root / "fc.pdf", 70), (folder.root / "quiz.pdf", 110)):
            lines = [line for page in PdfReader(pdf).pages for line in page.extract_text().splitlines()]
            assert max(map(len, lines)) <= widest, "a line runs off the card or the page"
            printed = "".join(all_text(pdf).replace("\u200b", "").split())
            pieces = split_text(text) if pdf.name == "fc.pdf" else [text]
            assert all("".join(piece.split()) in printed for piece in pieces)  # all of it, in order
        assert _ink_in_right_margin(folder.root / "quiz.pdf") == 0


def _ink_in_right_margin(pdf: Path) -> int:
    """Dark pixels in the quiz's right margin (18 mm; text must stay left of it), by rendering
    each page with pdftoppm as a printer would."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    dpi = 50
    rendered = subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf)], capture_output=True, check=True).stdout
    dark = 0
    while rendered:  # one binary PGM per page: "P5\n<width> <height>\n255\n" and the pixels
        magic, size, depth, rest = rendered.split(b"\n", 3)
        assert magic == b"P5" and depth == b"255"
        width, height = map(int, size.split())
        pixels, rendered = rest[: width * height], rest[width * height :]
        margin = round(17 / 25.4 * dpi)  # (1 mm of slack)
        for row in range(height):
            dark += sum(1 for value in pixels[row * width + width - margin : (row + 1) * width] if value < 128)
    return dark
