"""Card-quality warnings: what makes a valid item a poor card (an answer too long to recall,
a dosing fact without a unit, a distractor that is the answer, a question asked twice).

Warnings never stop a build; `check --strict` (as CI runs it) fails on them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence

from studydeck.diagnostics import Diagnostics, Location
from studydeck.model import FileItems, Item
from studydeck.source.cloze import reveal

MAX_ANSWER_WORDS = 40

_UNIT = re.compile(
    r"\d\s*(?:mg|g|kg|µg|μg|mcg|ng|ml|mL|dl|l|L|IU|ME|U|units?|mmol|mEq|%|tablets?|capsules?|"
    r"drops?|ampoules?|sessions?|times|h|hours?|min|d|days?|weeks?|months?|years?)(?![A-Za-z])"
)


def item_warnings(item: Item, where: Mapping[str, Location], wrong: Sequence[Location], diags: Diagnostics) -> None:
    """One item's warnings; ``where`` locates each of its keys, ``wrong`` each distractor."""
    if item.kind == "basic" and len(item.a.split()) > MAX_ANSWER_WORDS:
        diags.warning(
            where["a"],
            f"answer has {len(item.a.split())} words; keep answers under ~{MAX_ANSWER_WORDS} "
            "(one fact per card, details in 'extra')",
        )
    if item.category == "dosing":
        text = item.a if item.kind == "basic" else reveal(item.cloze)
        if not _UNIT.search(text):
            field = "a" if item.kind == "basic" else "cloze"
            diags.warning(where[field], "dosing item has no number with a unit (mg, g/kg, ml, %, …)")
    for text, loc in zip(item.wrong, wrong, strict=True):
        if item.kind == "basic" and text.casefold() == item.a.casefold():
            diags.warning(loc, "this distractor is the same as the answer")


def prompt_digest(item: Item) -> bytes:
    """A digest of the question as written, case and spacing ignored (a large deck keeps only this)."""
    return hashlib.blake2b(" ".join(item.prompt.casefold().split()).encode(), digest_size=12).digest()


def repeated_questions(files: Sequence[FileItems], diags: Diagnostics) -> None:
    """Items asking a question an earlier item asks."""
    for file, index, first, at in repeats(files, lambda f: f.prompts):
        message = f"item {file.ids[index]!r} asks the same question as {first.ids[at]!r} ({first.location(at)})"
        diags.warning(file.location(index), message)


def repeats(
    files: Sequence[FileItems], column: Callable[[FileItems], Sequence[Hashable]]
) -> Iterator[tuple[FileItems, int, FileItems, int]]:
    """Each item whose value in ``column`` an earlier item had, with that earlier item."""
    values = [value for file in files for value in column(file)]
    if len(set(values)) == len(values):  # (a large deck has no repeats: one set says so quickly)
        return
    first_seen: dict[Hashable, tuple[FileItems, int]] = {}
    for file in files:
        for index, value in enumerate(column(file)):
            first, at = first_seen.setdefault(value, (file, index))
            if first is not file or at != index:
                yield file, index, first, at
