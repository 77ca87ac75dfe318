"""An item's parts as plain text, one function per meaning, for everything that prints or
exports an item: its prompt, its answer, the whole fact, and its citation."""

from __future__ import annotations

from studydeck.model import Deck, Item, SourceRef
from studydeck.source.markup import map_plain_deletions, plain_deletions, to_plain


def prompt_text(item: Item) -> str:
    """The question as asked: plain text, cloze deletions left blank (hints shown)."""
    if item.kind == "basic":
        return to_plain(item.q)
    return map_plain_deletions(item.cloze, lambda d: f"[{d.hint}]" if d.hint else "_____")


def answer_parts(item: Item) -> list[str]:
    """What the learner must recall: the answer, or a cloze item's deletions in order."""
    if item.kind == "basic":
        return [to_plain(item.a)]
    return [d.text for d in plain_deletions(item.cloze)]


def answer_text(item: Item) -> str:
    """The answer as a key prints it: a cloze item's deletions joined by " · "."""
    return " · ".join(answer_parts(item))


def revealed_text(item: Item) -> str:
    """The whole fact: the answer, or the cloze sentence with every deletion filled in."""
    return to_plain(item.a) if item.kind == "basic" else map_plain_deletions(item.cloze, lambda d: d.text)


def citation(deck: Deck, ref: SourceRef | None, *, publisher: bool = True) -> str:
    """`Title · Section · Publisher` (the publisher only when asked), or "" without a source."""
    if ref is None:
        return ""
    source = deck.sources[ref.key]
    parts = [source.title, ref.section, source.publisher if publisher else None]
    return " · ".join(part for part in parts if part)


def option_text(text: str) -> str:
    """Options lose a final full stop: the answer alone ending in one would give it away."""
    return text[:-1] if text.endswith(".") and not text.endswith("..") else text


def option_key(text: str) -> str:
    """What tells two options apart for a reader: their plain text, case, spacing and a final
    full stop aside (`x` and `X.` are one option). One rule for the printed quiz and the LMS."""
    return " ".join(option_text(to_plain(text)).casefold().split())
