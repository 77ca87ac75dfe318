"""Cut-out flashcards: fronts and backs on alternating pages, backs mirrored for duplex printing."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from pdfs import A4, LETTER, Placed, all_text, flat, page_sizes, page_texts, placed_texts
from studydeck import api
from studydeck.printing.flashcards import MAX_CARD_CHARS, split_text
from studydeck.printing.pdf import CARD_GRID
from studydeck.source.selection import Filters

from helpers import CardsFolder

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
    pieces = split_text("alpha beta gamma delta", limit=11)
    assert pieces == ["alpha beta …", "… gamma …", "… delta"]
    assert split_text("short", limit=11) == ["short"]
