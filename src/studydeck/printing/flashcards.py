"""Cut-out flashcards: the front and back of each item as plain text, ready to print two-sided."""

from __future__ import annotations

import re
import unicodedata
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


#: Ends a piece that the text continues after, and starts the piece that continues it.
MORE, CONTINUED = " …", "… "
#: Full-width punctuation that ends a clause: text without spaces (Japanese, Chinese) breaks after it.
_CLAUSE_ENDS = frozenset("。、，．！？；：」』）")
#: Spaces that mean "do not break here".
_NO_BREAK = frozenset("\u00a0\u2007\u202f")


def split_text(text: str, limit: int = MAX_CARD_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, the `…` marks included: broken at a
    space or line break where there is one, else after full-width punctuation, else between
    two characters that belong apart (a run with no space, such as Japanese or a long link).

    Each round moves ``start`` forward by at least one character, so the loop ends; text is
    only ever sliced from the original, never re-read with the marks added.
    """
    if len(text) <= limit:
        return [text]
    text = text.strip()
    if len(text) <= limit:
        return [text]
    if limit < len(CONTINUED) + 1 + len(MORE):
        raise ValueError(f"a limit of {limit} characters leaves no room for text between the … marks")
    pieces: list[str] = []
    start = 0
    while True:
        head = CONTINUED if pieces else ""
        if len(head) + len(text) - start <= limit:
            pieces.append(head + text[start:])
            return pieces
        end = start + limit - len(head) - len(MORE)  # the most this piece holds; end > start
        cut = _break(text, start, end)  # start < cut <= end
        pieces.append(head + text[start:cut].rstrip() + MORE)
        start = cut
        while _is_space(text[start]):  # (the text ends in a non-space: stripped above)
            start += 1


def _break(text: str, start: int, end: int) -> int:
    """Where to end a piece that starts at ``start`` and may run to ``end``: a number in
    (start, end], so that the piece is never empty and the next starts further on."""
    for cut in range(end, start, -1):  # a space: the piece ends before it
        if _is_space(text[cut]):
            return cut
    for cut in range(end, start, -1):  # full-width punctuation: the piece ends after it
        if text[cut - 1] in _CLAUSE_ENDS:
            return cut
    for cut in range(end, start, -1):  # between two characters that are not one on paper
        if not _joined(text, cut):
            return cut
    return end  # (only combining marks: a run no renderer shows as one character anyway)


#: In the PDFs, a run of this many characters or more that Typst cannot break (no space, no
#: hyphen: a long link, a word of letters and digits) gets a break opportunity every
#: BREAK_EVERY characters, so that it wraps instead of running off the card or the page.
#: Shorter runs are left as they are: they fit the narrowest line (a card, about 32 average
#: letters at the largest size, 15pt). Text without spaces in Chinese or Japanese needs no
#: help: Typst breaks between its characters anyway.
LONG_RUN = 32
BREAK_EVERY = 4
_LONG_RUN = re.compile(rf"[^\s\-]{{{LONG_RUN},}}")
_ZERO_WIDTH_SPACE = "\u200b"


def breakable(text: str) -> str:
    """``text`` for print: a zero-width space every BREAK_EVERY characters of each long run with
    no place to break, never inside a character with its accents, an emoji, or a `_____` blank.
    (Typst could break anywhere itself, but a break after every character makes its line
    breaking slow: seconds for a few cards.)"""
    if len(text) < LONG_RUN:
        return text
    return _LONG_RUN.sub(_with_breaks, text)


def _with_breaks(match: re.Match[str]) -> str:
    run = match.group()
    parts, start, cut = [], 0, BREAK_EVERY
    while cut < len(run):
        while cut < len(run) and (_joined(run, cut) or run[cut - 1] == run[cut] == "_"):
            cut += 1  # (forward only: every round ends further on)
        if cut == len(run):
            break
        parts.append(run[start:cut])
        start, cut = cut, cut + BREAK_EVERY
    parts.append(run[start:])
    return _ZERO_WIDTH_SPACE.join(parts)


def _is_space(char: str) -> bool:
    return char.isspace() and char not in _NO_BREAK


def _joined(text: str, cut: int) -> bool:
    """Whether cutting ``text`` before index ``cut`` would split what prints as one character:
    a letter and its accents (combining marks, variation selectors), an emoji sequence."""
    after, before = text[cut], text[cut - 1]
    if _is_regional(before) and _is_regional(after):  # two of these make a flag: pair them up
        run = cut - 1
        while run > 0 and _is_regional(text[run - 1]):
            run -= 1
        return (cut - run) % 2 == 1
    return (
        unicodedata.category(after) in ("Mn", "Mc", "Me")
        or "\u200d" in (before, after)  # zero-width joiner
        or "\U0001f3fb" <= after <= "\U0001f3ff"  # skin tone
    )


def _is_regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


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
