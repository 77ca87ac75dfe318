"""The items as every export walks them: in deck order, through a tracker (a progress bar),
and grouped by subdeck."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from studydeck.model import Cards, Item

#: Wraps the per-item loop, e.g. in a progress bar; the default does nothing.
Tracker = Callable[[Sequence[Item]], Iterable[Item]]


def untracked(items: Sequence[Item]) -> Iterable[Item]:
    return items


def by_subdeck(cards: Cards, items: Iterable[Item]) -> list[tuple[str, list[Item]]]:
    """(heading, items in deck order) per subdeck, sorted; the heading reads `Polyneuropathy › CIDP`."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.subdeck, []).append(item)
    ordered = sorted(groups, key=lambda name: (name.casefold(), name))
    return [(subdeck.replace("::", " › ") or cards.deck.name, groups[subdeck]) for subdeck in ordered]


def one_line(text: str) -> str:
    return " ".join(text.split())
