"""GIFT, Moodle's text format for question banks, as Moodle's importer reads it (question/format/gift).

Questions are separated by blank lines; `$CATEGORY:` lines switch the category. Every text is
HTML (`[html]`) with GIFT's special characters `~ = # { } :` and `\\` escaped by a backslash
and line breaks written as `\\n`, so a question is never cut and nothing in a card is read as
GIFT syntax.

GIFT holds one answer block per question: Moodle reads the first `{…}` and leaves the rest as
text. A cloze item with one deletion is one "missing word" question; with several, it becomes
one question per deletion (`<id> (2/3)`: that deletion blank, the others shown), as Anki makes
one card per deletion. Moodle XML keeps them in one cloze question.
"""

from __future__ import annotations

import re

from studydeck.export.items import Tracker, untracked
from studydeck.export.page import image_data_uri
from studydeck.export.questions import (
    Blank,
    LmsQuestion,
    as_essay,
    general_feedback,
    lms_question,
    moodle_category_path,
    question_bank,
    wildcard_literal,
)
from studydeck.model import Cards

_ESCAPES = str.maketrans(
    {"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{", "}": "\\}", ":": "\\:", "\n": "\\n", "\r": ""}
)
# An answer starting like `%50%` would be read as its weight; one starting with `[html]` (or another
# format name in brackets) as its format. Either is then given explicitly, so the text stays as it is.
_LOOKS_LIKE_WEIGHT = re.compile(r"%-*[0-9]{1,2}\.?[0-9]*%")


def escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _answer(text: str, weight: str = "") -> str:
    """One answer's text after its `=` or `~`: escaped, with its ``weight`` and its format made explicit
    when the text itself would otherwise be taken for them. (Moodle reads no weight after the `=` of a
    multiple-choice answer, so there ``weight`` is "".)"""
    prefix = weight if weight and _LOOKS_LIKE_WEIGHT.match(text) else ""
    if text.startswith("["):
        prefix += "[html]"
    return prefix + escape(text)


def _feedback(cards: Cards, question: LmsQuestion) -> str:
    item = question.item
    image = f'<img src="{image_data_uri(cards, item.image)}" alt="">' if item.image else ""
    feedback = general_feedback(cards, question, image)
    return "####" + escape(feedback) if feedback else ""


def _typed(answer: str) -> str:
    """A typed answer: `*` is Moodle's short-answer wildcard, so a star in the text is made literal."""
    return _answer(wildcard_literal(answer), "%100%")


def _missing_word(question: LmsQuestion, blank: int, feedback: str) -> str:
    """The cloze sentence with deletion number ``blank`` as the answer box, the others filled in."""
    parts = []
    index = 0
    for part in question.cloze:
        if not isinstance(part, Blank):
            parts.append(escape(part))
            continue
        if index == blank:
            parts.append("{=" + _typed(part.answer) + feedback + "}")
            if part.hint_html:
                parts.append(" (" + escape(part.hint_html) + ")")
        else:
            parts.append(escape(part.html))
        index += 1
    return "".join(parts)


def _name(text: str) -> str:
    return "::" + escape(text) + "::"


# Moodle takes an answer block containing both `=` and `->` for a matching question; a typed answer
# with `->` in it cannot be written, so such a question goes in as an essay (the answer in the feedback).
def _typeable(question: LmsQuestion) -> bool:
    answers = [blank.answer for blank in question.blanks] if question.kind == "cloze" else [question.answer]
    return not any("->" in answer for answer in answers)


def gift_questions(cards: Cards, question: LmsQuestion) -> list[str]:
    """The item as GIFT questions: one, or one per deletion of a cloze item."""
    item = question.item
    if question.kind in ("cloze", "shortanswer") and not _typeable(question):
        question = as_essay(question)
    feedback = _feedback(cards, question)
    if question.kind == "cloze":
        count = len(question.blanks)
        return [
            _name(item.id if count == 1 else f"{item.id} ({n + 1}/{count})")
            + "[html]"
            + _missing_word(question, n, feedback)
            for n in range(count)
        ]
    head = _name(item.id) + "[html]" + escape(question.text_html)
    if question.kind == "multichoice":
        lines = [
            f"\t={_answer(choice.html)}" if choice.correct else f"\t~{_answer(choice.html, '%0%')}"
            for choice in question.choices
        ]
        return [head + "{\n" + "\n".join([*lines, *([f"\t{feedback}"] if feedback else [])]) + "\n}"]
    if question.kind == "shortanswer":
        return [head + "{\n\t=" + _typed(question.answer) + (f"\n\t{feedback}" if feedback else "") + "\n}"]
    return [head + "{" + feedback + "}"]


def export_gift(cards: Cards, track: Tracker = untracked) -> str:
    """GIFT: a `$CATEGORY:` per subdeck, then its questions, each separated by a blank line."""
    questions = {item.id: lms_question(item) for item in track(cards.items)}
    blocks = []
    for category in question_bank(cards, questions):
        blocks.append("$CATEGORY: " + moodle_category_path(category.names))
        for question in category.questions:
            blocks += gift_questions(cards, question)
    return "\n\n".join(blocks) + "\n"
