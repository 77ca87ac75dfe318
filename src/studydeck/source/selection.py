"""Which items a printout or an export shows: `--category`, `--tag` and `--deck`, one meaning everywhere.

Each kind of filter keeps the items matching any of its values; different kinds must all
match. A value the deck does not have is a `SelectionError` (a usage error), which lists the
values it does have.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from studydeck.diagnostics import did_you_mean
from studydeck.model import Cards, Item
from studydeck.source.chars import name_key


class SelectionError(Exception):
    """The options select nothing or name something the deck does not have (a usage error)."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class Filters:
    """Which items to print; each kind of filter keeps items matching any of its values."""

    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # `drug` also matches `drug::ivig`
    decks: tuple[str, ...] = ()  # a subdeck, with or without the deck's name, and its children

    def describe(self) -> str:
        parts = [
            f"{label} {', '.join(values)}"
            for label, values in (("category", self.categories), ("tag", self.tags), ("deck", self.decks))
            if values
        ]
        return "; ".join(parts)


ALL_ITEMS = Filters()


def _matches_prefix(name: str, wanted: str) -> bool:
    """`drug` matches `drug` and `drug::ivig` (as Anki compares: case ignored, Unicode composed),
    not `drugs`. (Validation refuses two deck names Anki would take for one, so `--deck sub`
    selects exactly the deck Anki calls `Sub`.)"""
    name, wanted = name_key(name), name_key(wanted)
    return name == wanted or name.startswith(wanted + "::")


def _prefixes(names: Iterable[str]) -> set[str]:
    """Every name and every ancestor of it: `a::b::c` gives `a`, `a::b` and `a::b::c`."""
    found: set[str] = set()
    for name in names:
        parts = name.split("::")
        found.update("::".join(parts[:n]) for n in range(1, len(parts) + 1))
    return found


def _check_known(values: tuple[str, ...], known: set[str], option: str, what: str, shown: set[str]) -> None:
    """Every value must name something in ``known``; the error lists ``shown``, the usual spellings."""
    known_folded = {name_key(k) for k in known}
    for value in values:
        if name_key(value) not in known_folded:
            raise SelectionError(
                f"unknown {what} {value!r}{did_you_mean(value, known)}; choose from: {', '.join(sorted(shown))}",
                option,
            )


def _deck_names(cards: Cards, item: Item) -> list[str]:
    """The item's deck as a subdeck name and as the full Anki name; `--deck` accepts either."""
    return [name for name in (item.subdeck, cards.anki_deck_name(item)) if name]


def select_items(cards: Cards, filters: Filters) -> list[Item]:
    """The items passing every filter, in file order; raises SelectionError for unknown names."""
    categories = set(cards.deck.categories)
    _check_known(filters.categories, categories, "--category", "category", categories)
    tags = _prefixes(t for item in cards.items for t in item.all_tags)
    _check_known(filters.tags, tags, "--tag", "tag", tags)
    decks = _prefixes(name for item in cards.items for name in _deck_names(cards, item))
    subdecks = _prefixes(item.subdeck for item in cards.items if item.subdeck)
    _check_known(filters.decks, decks, "--deck", "deck", {cards.deck.name, *subdecks})
    wanted_categories = {c.casefold() for c in filters.categories}
    chosen = []
    for item in cards.items:
        if filters.categories and item.category.casefold() not in wanted_categories:
            continue
        if filters.tags and not any(_matches_prefix(t, w) for t in item.all_tags for w in filters.tags):
            continue
        if filters.decks and not any(_matches_prefix(d, w) for d in _deck_names(cards, item) for w in filters.decks):
            continue
        chosen.append(item)
    if not chosen:
        raise SelectionError(
            f"no item matches all of: {filters.describe()}" if cards.items else "the deck has no items"
        )
    return chosen


def select_cards(cards: Cards, filters: Filters) -> Cards:
    """``cards`` with only the items passing ``filters`` (all of them, even none, without filters)."""
    if filters == ALL_ITEMS:
        return cards
    return dataclasses.replace(cards, items=tuple(select_items(cards, filters)))
