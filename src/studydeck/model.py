"""The plain data between the stages: the deck and its items as validated (`source`), read by every later stage."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from studydeck.diagnostics import Diagnostic, Location

#: Item, deck and category ids: lowercase, safe in tags and file names (Anki searches escape `_`: anki/search.py).
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")

#: The longest deck id: it names the files build writes (`<id>-flashcards.pdf`, and temporary
#: files with 30 more characters), and file names have at most 255 bytes.
MAX_DECK_ID = 100

#: The most distractors (`wrong:`) an item may have: with its answer, a multiple-choice question
#: letters its options A to Z.
MAX_DISTRACTORS = 25

DEFAULT_CATEGORIES = (
    "mechanism",
    "indication",
    "dosing",
    "prognosis",
    "contraindication",
    "adverse-effect",
    "overdose",
    "formulation",
    "management",
    "classification",
)

ItemKind = Literal["basic", "cloze"]


@dataclass(frozen=True, slots=True)
class Source:
    """A work the items cite, declared once in deck.yaml."""

    key: str
    title: str
    url: str | None = None
    reviewed: dt.date | None = None
    publisher: str | None = None


@dataclass(frozen=True, slots=True)
class SourceRef:
    """An item's citation: a source key and optionally the section it comes from."""

    key: str
    section: str | None = None


@dataclass(frozen=True, slots=True)
class Deck:
    """deck.yaml: the deck's name, its stable id and what its items may refer to."""

    name: str
    id: str
    description: str
    sources: dict[str, Source]
    categories: tuple[str, ...]
    location: Location  # where deck.yaml gives the id, the one thing that must never change

    def full_name(self, subdeck: str) -> str:
        """The Anki deck an item of ``subdeck`` goes to: `Deck::Subdeck`, or the deck itself."""
        return f"{self.name}::{subdeck}" if subdeck else self.name


@dataclass(frozen=True, slots=True)
class Item:
    """One validated question-answer item; becomes one Anki note."""

    id: str
    category: str
    kind: ItemKind
    location: Location
    subdeck: str  # below the deck's name; "" for the deck itself
    q: str = ""
    a: str = ""
    cloze: str = ""
    extra: str = ""
    caution: str = ""
    tags: tuple[str, ...] = ()  # file tags, then the item's own
    source: SourceRef | None = None
    image: str | None = None  # path relative to the cards folder, POSIX separators
    wrong: tuple[str, ...] = ()
    reverse: bool = False
    allow: tuple[tuple[str, str], ...] = ()  # (rule, reason): card-quality rules it acknowledges (source/lint.py)
    question_key: bytes = b""  # what it asks, normalised and hashed (`lint.question_key`): compared across files

    @property
    def prompt(self) -> str:
        """The question side as written: `q`, or the cloze text."""
        return self.q if self.kind == "basic" else self.cloze

    @property
    def all_tags(self) -> tuple[str, ...]:
        """Its tags as Anki shows them and filters match them: its own, plus `category::…` and
        `source::…`, sorted as Anki sorts them."""
        tags = [*self.tags, f"category::{self.category}"]
        if self.source is not None:
            tags.append(f"source::{self.source.key}")
        return tuple(sorted(set(tags), key=lambda t: (t.casefold(), t)))


@dataclass(frozen=True)
class Cards:
    """A validated cards folder: the deck and its items in file order."""

    root: Path
    deck: Deck
    items: tuple[Item, ...]
    warnings: tuple[Diagnostic, ...] = ()

    def anki_deck_name(self, item: Item) -> str:
        return self.deck.full_name(item.subdeck)


@dataclass(frozen=True)
class FileItems:
    """One card file's items, reduced to what a build keeps of them once they are compiled:
    enough to check them against other files' items and to place their notes. Kept as
    columns, so that 100,000 items load in milliseconds."""

    path: str
    ids: tuple[str, ...]
    lines: tuple[int, ...]
    cols: tuple[int, ...]
    prompts: tuple[bytes, ...]  # a digest of each question, as `same-question` compares them (`Item.question_key`)
    subdecks: tuple[str, ...]
    repeat_allowed: tuple[int, ...] = ()  # which items acknowledge `same-question` (few, so by position)

    def location(self, index: int) -> Location:
        return Location(self.path, self.lines[index], self.cols[index])


@dataclass(frozen=True)
class ChangeReport:
    """What a build changed since the last one, by item id."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    moved: tuple[tuple[str, str, str], ...] = ()  # (id, old deck, new deck)
    notetypes_changed: tuple[str, ...] = ()
    # The note id of each removed and moved item: a search for it finds this deck's note only.
    note_ids: tuple[tuple[str, int], ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed or self.moved or self.notetypes_changed)
