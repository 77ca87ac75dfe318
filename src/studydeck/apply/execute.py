"""Carrying out a `Plan` on an open collection, one Anki operation after another.

Each step is one or a few backend operations, each its own transaction. A run killed between
two of them leaves a collection Anki opens as usual; the next run computes its plan from
what is there and does only what is left (retyping marks the note first: see
`plan.RETYPING_TAG`). `STUDYDECK_APPLY_DIE_AFTER=<step>` kills the process after that step,
which is how the tests prove this; nobody else should set it.
"""

from __future__ import annotations

import os
import signal
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from studydeck.apply.collection import LearnerCollection
from studydeck.apply.plan import REMOVED_TAG, RETYPING_TAG, Plan, Retype

DIE_AFTER = "STUDYDECK_APPLY_DIE_AFTER"
STEPS = ("backup", "import", "removed", "moved", "retype-marked", "retype-cards", "retype-type", "retyped",
         "overwritten", "empty-cards")  # fmt: skip


def checkpoint(step: str) -> None:
    """A step is done (tests may have the process killed here, as a power cut would)."""
    if os.environ.get(DIE_AFTER) == step:
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))


@dataclass(frozen=True)
class Outcome:
    """What a run did beyond its plan: nothing, unless Anki saw a planned empty card otherwise."""

    cards_not_empty: tuple[int, ...] = ()  # planned as empty, but Anki renders something: kept


def execute(plan: Plan, col: LearnerCollection) -> Outcome:
    """Do what ``plan`` says, in the order of `studydeck apply`'s help (the collection is backed up)."""
    if plan.needs_import:
        col.import_package(plan.package)
    checkpoint("import")
    _removed(plan, col)
    checkpoint("removed")
    _moved(plan, col)
    checkpoint("moved")
    _retyped(plan.retyped, col)
    checkpoint("retyped")
    # Before the empty cards: the text that leaves them empty must be in first (Anki checks).
    for edit in plan.overwritten:
        col.set_content(edit.note_id, edit.fields, edit.tags)
    checkpoint("overwritten")
    outcome = _empty_cards(plan, col)
    checkpoint("empty-cards")
    return outcome


def _removed(plan: Plan, col: LearnerCollection) -> None:
    col.delete_notes([r.note_id for r in plan.removed if r.delete])
    col.suspend([cid for r in plan.removed for cid in r.suspend])
    col.add_tag([r.note_id for r in plan.removed if r.tag], REMOVED_TAG)
    col.unsuspend([cid for r in plan.restored for cid in r.unsuspend])
    col.remove_tag([r.note_id for r in plan.restored], REMOVED_TAG)


def _moved(plan: Plan, col: LearnerCollection) -> None:
    to_deck: dict[str, list[int]] = defaultdict(list)
    home_to_deck: dict[str, list[int]] = defaultdict(list)
    for move in plan.moved:
        (home_to_deck if move.filtered_deck else to_deck)[move.to_deck].append(move.card_id)
    for deck, cards in sorted(to_deck.items()):
        col.set_deck(cards, deck)
    for deck, cards in sorted(home_to_deck.items()):
        col.set_home_deck(cards, deck)


def _retyped(retypes: Sequence[Retype], col: LearnerCollection) -> None:
    """Anki's Change Note Type keeps a card's id, scheduling and history when it maps the card's
    template to one of the new type's. Card 1 (ordinal 0) is mapped to card 1; the others are
    removed first (a cloze's second card must not become a basic note's reverse card)."""
    starting = [r for r in retypes if not r.started]
    col.add_tag([r.note_id for r in starting], RETYPING_TAG)
    checkpoint("retype-marked")
    col.remove_cards([cid for r in starting for cid in r.drop_cards])
    checkpoint("retype-cards")
    pairs: dict[tuple[int, int], list[int]] = defaultdict(list)
    for r in starting:
        pairs[(r.old_notetype_id, r.new_notetype_id)].append(r.note_id)
    for (old, new), note_ids in sorted(pairs.items()):
        col.change_notetype(note_ids, old, new)
    checkpoint("retype-type")
    for r in retypes:
        col.set_content(r.note_id, r.fields, r.tags)  # (the tags are the package's: the mark goes)


def _empty_cards(plan: Plan, col: LearnerCollection) -> Outcome:
    """Remove the planned cards that Anki, too, finds empty now (a safety net: a card with text is
    a card with history, and is never removed on studydeck's word alone)."""
    if not plan.empty_cards:
        return Outcome()
    empty = col.empty_cards()
    planned = [card.card_id for card in plan.empty_cards]
    col.remove_cards([cid for cid in planned if cid in empty])
    return Outcome(tuple(cid for cid in planned if cid not in empty))
