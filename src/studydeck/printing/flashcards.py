"""Cut-out flashcards: the front and back of each item as plain text, ready to print two-sided."""

from __future__ import annotations

from dataclasses import dataclass

from studydeck.model import Cards, Item
from studydeck.printing.quiz import category_title
from studydeck.source.markup import to_plain
from studydeck.source.text import citation, prompt_text, revealed_text

#: Text longer than this continues on another card; shorter text shrinks to fit its card.
MAX_CARD_CHARS = 700


@dataclass(frozen=True)
class Flashcard:
    item_id: str  # printed small on both sides, so a stack can be sorted and matched
    label: str  # category and subdeck, printed above the question
    front: str
    back: str
    caution: str = ""
    source: str = ""


def split_text(text: str, limit: int = MAX_CARD_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, broken between words where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].rstrip() + " …")
        text = "… " + text[cut:].lstrip()
    pieces.append(text)
    return pieces


def item_flashcards(cards: Cards, item: Item) -> list[Flashcard]:
    """One card per item; text too long for one card continues on the next ones (k/n)."""
    label = " · ".join(part for part in (category_title(item.category), item.subdeck) if part)
    fronts = split_text(prompt_text(item))
    backs = split_text(revealed_text(item))
    total = max(len(fronts), len(backs))
    # The question starts on the first card and the answer ends on the last one.
    fronts += [f"(question on card 1/{total})"] * (total - len(fronts))
    backs[:0] = [f"(answer on card {total}/{total})"] * (total - len(backs))
    result = []
    for index, (front, back) in enumerate(zip(fronts, backs, strict=True)):
        last = index == total - 1
        result.append(
            Flashcard(
                item_id=item.id if total == 1 else f"{item.id} ({index + 1}/{total})",
                label=label,
                front=front,
                back=back,
                caution=to_plain(item.caution) if last else "",
                source=citation(cards.deck, item.source) if last else "",
            )
        )
    return result


def make_flashcards(cards: Cards, items: list[Item]) -> list[Flashcard]:
    return [card for item in items for card in item_flashcards(cards, item)]
