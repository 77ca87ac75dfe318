"""What a printed quiz asks: items filtered, picked, ordered and laid out as plain data.

Everything here is a pure function of the validated cards and the options. Randomness comes
from hashing the seed with each item id, not from a random generator, so a given seed always
gives the same sheet, and adding one item to the deck does not reshuffle all the others.
"""

from __future__ import annotations

import hashlib
import string
from dataclasses import dataclass, replace
from typing import Literal

from studydeck.model import MAX_DISTRACTORS, Cards, Item
from studydeck.source.markup import to_plain
from studydeck.source.selection import ALL_ITEMS, Filters, SelectionError, select_items
from studydeck.source.text import answer_text, citation, option_key, option_text, prompt_text, revealed_text

QuizMode = Literal["open", "choice", "cloze"]
QUIZ_MODES: tuple[QuizMode, ...] = ("open", "choice", "cloze")
QuestionStyle = Literal["open", "choice", "cloze"]
DEFAULT_SEED = 1
DEFAULT_TITLE = "Quiz"
MAX_VERSIONS = 26  # versions are lettered A–Z
MAX_CHOICES = MAX_DISTRACTORS + 1  # and so are the choices (validation allows no more distractors)


@dataclass(frozen=True)
class Question:
    number: int
    item_id: str
    style: QuestionStyle
    prompt: str  # plain text; cloze prompts have `_____` (or `[hint]`) for each deletion
    answer: str  # plain text: the answer, or the cloze deletions joined by " · "
    key_prompt: str  # the question as the answer key repeats it: cloze sentences filled in
    choices: tuple[str, ...] = ()  # choice style: every option, in printed order
    answer_letter: str = ""  # choice style: the letter of the correct option
    answer_lines: int = 0  # open style: ruled lines to write on
    source: str = ""
    caution: str = ""


@dataclass(frozen=True)
class Section:
    category: str
    questions: tuple[Question, ...]

    @property
    def title(self) -> str:
        return category_title(self.category)


def category_title(category: str) -> str:
    """`adverse-effect` → `Adverse effect`, as a heading."""
    return category.replace("-", " ").replace("_", " ").capitalize()


@dataclass(frozen=True)
class QuizSheet:
    """One version of a quiz; the question sheet and its answer key are both drawn from it."""

    title: str
    deck_name: str
    date: str
    version: str  # "" for a single version, else "A", "B", …
    selection: str  # the filters, as printed in the header
    sections: tuple[Section, ...]

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)


def version_labels(versions: int) -> list[str]:
    if not 1 <= versions <= MAX_VERSIONS:
        raise SelectionError(f"versions must be 1 to {MAX_VERSIONS}", "--versions")
    return [""] if versions == 1 else list(string.ascii_uppercase[:versions])


# -- picking and ordering -------------------------------------------------------------------


def _shuffle_key(seed: int, purpose: str, name: str) -> bytes:
    return hashlib.sha256(f"{seed}\x00{purpose}\x00{name}".encode()).digest()


def pick(items: list[Item], count: int | None, seed: int) -> list[Item]:
    """``count`` items chosen by the seed (all of them when count is None), in their original order."""
    if count is None or count >= len(items):
        return list(items)
    chosen = {item.id for item in sorted(items, key=lambda item: _shuffle_key(seed, "pick", item.id))[:count]}
    return [item for item in items if item.id in chosen]


def answer_lines(answer: str) -> int:
    """Room to write: two ruled lines, one more per ~80 characters of the expected answer."""
    return min(5, 2 + len(answer) // 80)


def _question(cards: Cards, item: Item, number: int, mode: QuizMode, seed: int, version: str) -> Question:
    answer, prompt = answer_text(item), prompt_text(item)
    question = Question(
        number=number,
        item_id=item.id,
        style="cloze",
        prompt=prompt,
        answer=answer,
        key_prompt=revealed_text(item) if item.kind == "cloze" else prompt,
        source=citation(cards.deck, item.source),
        caution=to_plain(item.caution),
    )
    if item.kind == "cloze":
        return question
    if mode == "choice" and item.wrong:
        correct = option_text(answer)
        # Lettered A–Z; options that read alike (`x`, `X.`: `option_key`) are shown once, the
        # answer's spelling first (check warns about a distractor repeating the answer).
        distinct: dict[str, str] = {}
        for text in [item.a, *item.wrong]:
            distinct.setdefault(option_key(text), option_text(to_plain(text)))
        options = list(distinct.values())[:MAX_CHOICES]
        purpose = f"choices{version}:{item.id}"
        options.sort(key=lambda option: _shuffle_key(seed, purpose, option))
        letter = string.ascii_uppercase[options.index(correct)]
        return replace(question, style="choice", answer=correct, choices=tuple(options), answer_letter=letter)
    return replace(question, style="open", answer_lines=answer_lines(answer))


def make_sheets(
    cards: Cards,
    filters: Filters = ALL_ITEMS,
    *,
    count: int | None = None,
    seed: int = DEFAULT_SEED,
    mode: QuizMode = "open",
    versions: int = 1,
    title: str = DEFAULT_TITLE,
    date: str = "",
) -> list[QuizSheet]:
    """Every version of the quiz: the same items, each version in its own order.

    Questions come in sections by category (in the deck's order), shuffled within a section.
    Raises SelectionError when the options select nothing or name what the deck lacks.
    """
    labels = version_labels(versions)
    items = select_items(cards, filters)
    if mode == "cloze":
        items = [item for item in items if item.kind == "cloze"]
        if not items:
            raise SelectionError("--mode cloze needs cloze items, and none is selected", "--mode")
    items = pick(items, count, seed)
    return [_sheet(cards, items, mode, seed, version, title, date, filters.describe()) for version in labels]


def _sheet(
    cards: Cards, items: list[Item], mode: QuizMode, seed: int, version: str, title: str, date: str, selection: str
) -> QuizSheet:
    sections = []
    number = 1
    for category in cards.deck.categories:
        in_category = [item for item in items if item.category == category]
        in_category.sort(key=lambda item: _shuffle_key(seed, f"order{version}", item.id))
        questions = []
        for item in in_category:
            questions.append(_question(cards, item, number, mode, seed, version))
            number += 1
        if questions:
            sections.append(Section(category, tuple(questions)))
    return QuizSheet(title, cards.deck.name, date, version, selection, tuple(sections))
