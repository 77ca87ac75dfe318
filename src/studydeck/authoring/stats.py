"""`studydeck stats`: what the deck holds, and which items still lack something."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from studydeck.model import Cards
from studydeck.source.text import answer_parts

FLAG_PREFIX = "flag::"
Counts = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class AnswerWords:
    """Words per answer, as the learner reads them (Markdown removed)."""

    median: float
    max: int
    longest: str | None  # id of the item with the longest answer


@dataclass(frozen=True)
class DeckStats:
    deck_name: str
    items: int
    basic: int
    cloze: int
    by_category: Counts  # the deck's vocabulary order, unused categories included
    by_subdeck: Counts  # by full Anki deck name
    by_tag: Counts  # flags excluded: they are counted on their own
    by_source: Counts  # deck.yaml order, unused sources included
    by_flag: Counts  # without the `flag::` prefix
    without_distractors: tuple[str, ...]  # basic items with no `wrong:` (multiple choice needs them)
    without_source: tuple[str, ...]
    answer_words: AnswerWords

    def as_json(self) -> dict[str, object]:
        return {
            "deck": self.deck_name,
            "items": self.items,
            "basic": self.basic,
            "cloze": self.cloze,
            "by_category": dict(self.by_category),
            "by_subdeck": dict(self.by_subdeck),
            "by_tag": dict(self.by_tag),
            "by_source": dict(self.by_source),
            "by_flag": dict(self.by_flag),
            "without_distractors": list(self.without_distractors),
            "without_source": list(self.without_source),
            "answer_words": {
                "median": self.answer_words.median,
                "max": self.answer_words.max,
                "longest": self.answer_words.longest,
            },
        }


def _by_count(counter: Counter[str]) -> Counts:
    """Most frequent first; ties by name, so the order never depends on the input's."""
    return tuple(sorted(counter.items(), key=lambda pair: (-pair[1], pair[0])))


def _in_order(names: Iterable[str], counter: Counter[str]) -> Counts:
    return tuple((name, counter[name]) for name in names)


def deck_stats(cards: Cards) -> DeckStats:
    items = cards.items
    tags: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    for item in items:
        for tag in item.tags:
            if tag.startswith(FLAG_PREFIX):
                flags[tag.removeprefix(FLAG_PREFIX)] += 1
            else:
                tags[tag] += 1
    categories = Counter(item.category for item in items)
    sources = Counter(item.source.key for item in items if item.source is not None)
    words = [(sum(len(part.split()) for part in answer_parts(item)), item.id) for item in items]
    longest = max(words, key=lambda pair: pair[0], default=None)
    return DeckStats(
        deck_name=cards.deck.name,
        items=len(items),
        basic=sum(1 for item in items if item.kind == "basic"),
        cloze=sum(1 for item in items if item.kind == "cloze"),
        by_category=_in_order(cards.deck.categories, categories),
        by_subdeck=tuple(sorted(Counter(cards.anki_deck_name(item) for item in items).items())),
        by_tag=_by_count(tags),
        by_source=_in_order(cards.deck.sources, sources),
        by_flag=_by_count(flags),
        without_distractors=tuple(item.id for item in items if item.kind == "basic" and not item.wrong),
        without_source=tuple(item.id for item in items if item.source is None),
        answer_words=AnswerWords(
            median=statistics.median(count for count, _ in words) if words else 0,
            max=longest[0] if longest else 0,
            longest=longest[1] if longest else None,
        ),
    )
