"""What each item becomes as an LMS question, the same for every format.

- a basic item with `wrong:` distractors: multiple choice, one right answer;
- a basic item without them: short answer when its answer is short enough to type exactly
  (at most `SHORT_ANSWER_WORDS` words, one line), otherwise an essay the teacher grades;
- a cloze item: the sentence with one typed blank per deletion (its hint shown after it).

Every question also has a general feedback (shown after the attempt): for an essay the model
answer first, then the picture, the extra, the caution and the source, as Anki shows them
below the answer. Text is HTML rendered from the cards' Markdown by `markup.to_html`, which
escapes raw HTML; answers to type are plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from studydeck.anki.notes import media_name, source_html
from studydeck.export.items import by_subdeck
from studydeck.model import Cards, Item
from studydeck.source.cloze import parse_cloze
from studydeck.source.markup import plain_deletions, to_html, to_plain
from studydeck.source.text import option_key, option_text

QuestionKind = Literal["multichoice", "shortanswer", "essay", "cloze"]

#: Longer answers cannot be expected to be typed letter for letter, so they are graded by hand.
SHORT_ANSWER_WORDS = 4


@dataclass(frozen=True)
class Choice:
    html: str
    correct: bool


@dataclass(frozen=True)
class Blank:
    """One cloze deletion: what to type (plain text), the same as HTML (to show it filled in), and the
    hint shown after the box (HTML)."""

    answer: str
    html: str
    hint_html: str = ""


@dataclass(frozen=True)
class LmsQuestion:
    item: Item
    kind: QuestionKind
    text_html: str  # the question; for a cloze item, the sentence with its deletions revealed
    choices: tuple[Choice, ...] = ()  # multichoice: the answer first, then the distractors
    answer: str = ""  # shortanswer: the text to type; essay: the model answer as HTML
    cloze: tuple[str | Blank, ...] = ()  # cloze: HTML text and blanks, in reading order

    @property
    def blanks(self) -> tuple[Blank, ...]:
        return tuple(part for part in self.cloze if isinstance(part, Blank))


def choices(item: Item) -> tuple[Choice, ...]:
    """The answer, then each distractor, as HTML. A distractor that reads like the answer or an earlier
    distractor (case and spacing aside) is left out: two options reading alike, one right and one
    wrong, cannot be answered. Like the printed quiz, options lose a final full stop."""
    seen: set[str] = set()
    found = []
    for text, correct in [(item.a, True), *((w, False) for w in item.wrong)]:
        shown = option_text(text.strip())
        key = option_key(shown)
        if key not in seen:
            seen.add(key)
            found.append(Choice(to_html(shown), correct))
    return tuple(found)


def typed_answer(item: Item) -> str:
    """A basic item's answer as a student would type it: plain text, without a final full stop."""
    return option_text(to_plain(item.a))


def wildcard_literal(answer: str) -> str:
    """Moodle compares short answers (and the blanks of a cloze question) with a wildcard: `*` matches
    anything and `\\*` is a literal star (qtype_shortanswer), so every star in the answer is made literal."""
    return answer.replace("*", "\\*")


def question_kind(item: Item, options: tuple[Choice, ...] | None = None) -> QuestionKind:
    """``options`` are the item's `choices`, when the caller has them already."""
    if item.kind == "cloze":
        return "cloze"
    if len(choices(item) if options is None else options) > 1:
        return "multichoice"
    answer = typed_answer(item)
    return "shortanswer" if "\n" not in answer and len(answer.split()) <= SHORT_ANSWER_WORDS else "essay"


def cloze_parts(item: Item) -> tuple[str | Blank, ...]:
    """The cloze text as HTML pieces and blanks. The deletions are found in the rendered text (as the
    HTML export and Anki find them), once as HTML for the text around them and once as plain text
    for the answers: both come from the same rendering, so they pair up one to one."""
    rendered = to_html(item.cloze, cloze=True)
    html_deletions, _ = parse_cloze(rendered)
    parts: list[str | Blank] = []
    pos = 0
    for shown, plain in zip(html_deletions, plain_deletions(item.cloze), strict=True):
        parts += [rendered[pos : shown.start], Blank(" ".join(plain.text.split()), shown.text, shown.hint or "")]
        pos = shown.end
    parts.append(rendered[pos:])
    return tuple(parts)


def general_feedback(cards: Cards, question: LmsQuestion, image_html: str = "") -> str:
    """HTML shown after the attempt: an essay's model answer, then what Anki shows below the answer
    (picture, extra, caution, source). ``image_html`` is the picture as the format refers to it."""
    item = question.item
    blocks = []
    if question.kind == "essay":
        blocks.append(f"<div><strong>Answer:</strong> {question.answer}</div>")
    if image_html:
        blocks.append(f"<div>{image_html}</div>")
    if item.extra:
        blocks.append(f"<div>{to_html(item.extra)}</div>")
    if item.caution:
        blocks.append(f"<div><strong>Caution:</strong> {to_html(item.caution)}</div>")
    if item.source is not None:
        blocks.append(f"<div>Source: {source_html(cards.deck, item)}</div>")
    return "\n".join(blocks)


def lms_question(item: Item) -> LmsQuestion:
    if item.kind == "cloze":
        parts = cloze_parts(item)
        revealed = "".join(part if isinstance(part, str) else part.html for part in parts)
        return LmsQuestion(item, "cloze", revealed, cloze=parts)
    options = choices(item)
    kind = question_kind(item, options)
    text = to_html(item.q)
    if kind == "multichoice":
        return LmsQuestion(item, kind, text, choices=options)
    answer = typed_answer(item) if kind == "shortanswer" else to_html(item.a)
    return LmsQuestion(item, kind, text, answer=answer)


def as_essay(question: LmsQuestion) -> LmsQuestion:
    """The question graded by hand, for a format that cannot grade it: its answer (a cloze item's
    sentence in full) becomes the model answer, and a cloze item's deletions are left blank."""
    item = question.item
    if question.kind != "cloze":
        return LmsQuestion(item, "essay", question.text_html, answer=to_html(item.a))
    blanked = "".join(
        part if isinstance(part, str) else "_____" + (f" ({part.hint_html})" if part.hint_html else "")
        for part in question.cloze
    )
    return LmsQuestion(item, "essay", blanked, answer=question.text_html)


def category_names(cards: Cards, subdeck: str) -> tuple[str, ...]:
    """The category path of a subdeck: the deck's name, then each level of the subdeck."""
    return (*cards.deck.name.split("::"), *(subdeck.split("::") if subdeck else ()))


def moodle_category_path(names: Iterable[str]) -> str:
    """`$course$/Deck/Sub`, as Moodle writes it: a `/` inside a name is doubled, and a name starting or
    ending with one gets a space there, which Moodle trims on import (question/format.php)."""
    escaped = []
    for name in names:
        name = name.replace("/", "//")
        if name.startswith("/"):
            name = " " + name
        if name.endswith("/"):
            name += " "
        escaped.append(name)
    return "/".join(["$course$", *escaped])


@dataclass(frozen=True)
class Category:
    names: tuple[str, ...]
    title: str  # `Polyneuropathy › CIDP`, as the other exports head a subdeck
    questions: tuple[LmsQuestion, ...]


def question_bank(cards: Cards, questions: dict[str, LmsQuestion]) -> list[Category]:
    """The questions by subdeck (sorted, as in the Markdown and HTML exports), each in deck order."""
    return [
        Category(category_names(cards, items[0].subdeck), title, tuple(questions[item.id] for item in items))
        for title, items in by_subdeck(cards, cards.items)
    ]


@dataclass(frozen=True)
class Picture:
    name: str  # named by its bytes, as in the .apkg: `sd-<hash>.png`
    data: bytes


def picture(cards: Cards, item: Item) -> Picture | None:
    if not item.image:
        return None
    path = cards.root / item.image
    return Picture(media_name(path), path.read_bytes())


# XML 1.0 has no way to write these at all. Validation refuses them in every value (`schema.CONTROL`:
# YAML's "\x01" escape included) and `to_html` drops them; this is the last line of defence.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("", text)
