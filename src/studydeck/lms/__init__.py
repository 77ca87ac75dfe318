"""The cards as a question bank for a learning management system: Moodle XML, GIFT and QTI 1.2.

Owns: what each item becomes as an LMS question (`questions.py`: multiple choice, short
answer, essay or cloze, with its general feedback and its category), and one writer per
format (`moodle.py`, `gift.py`, `qti.py`), each a pure function of the cards: same cards,
same bytes. Selections are made before, by `quiz.select_items`, like every export.

Imports only the content model and its renderers (`model`, `markup`, `cloze`, `compile`,
`export`'s shared pieces, `quiz.option_text`). Must not import `api`, `commands`, click, or
anything that writes files: the caller decides where the bytes go (atomically, via `outputs`).
"""

from __future__ import annotations

from collections.abc import Callable

from studydeck.export import Tracker, untracked
from studydeck.lms.gift import export_gift
from studydeck.lms.moodle import export_moodle
from studydeck.lms.qti import export_qti
from studydeck.model import Cards


def _moodle(cards: Cards, track: Tracker = untracked) -> bytes:
    return export_moodle(cards, track).encode("utf-8")


def _gift(cards: Cards, track: Tracker = untracked) -> bytes:
    return export_gift(cards, track).encode("utf-8")


#: Each format's bytes, as `studydeck export --format NAME` writes them.
FORMATS: dict[str, Callable[[Cards, Tracker], bytes]] = {
    "moodle": _moodle,
    "gift": _gift,
    "qti": export_qti,
}

__all__ = ["FORMATS", "export_gift", "export_moodle", "export_qti"]
