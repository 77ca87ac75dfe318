"""A plan, and what a run did, as lines for people (the command prints them; no click here)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from studydeck.apply.plan import REMOVED_TAG, Move, Plan

#: Per kind of change, list this many and summarise the rest (a first apply adds thousands).
MAX_LISTED = 25
_WIDTH = 11


def _listed(label: str, lines: Iterable[str]) -> list[str]:
    lines = list(lines)
    shown = [f"  {label:<{_WIDTH}} {line}" for line in lines[:MAX_LISTED]]
    if len(lines) > MAX_LISTED:
        shown.append(f"  {'':<{_WIDTH}} … and {len(lines) - MAX_LISTED} more")
    return shown


def _noun(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"


def _plural(count: int, word: str) -> str:
    return f"{count} {_noun(count, word)}"


def _moves(moves: Iterable[Move]) -> list[str]:
    """One line per item and way: its cards move together."""
    lines = []
    keyed = lambda m: (m.item_id, m.from_deck, m.to_deck, m.filtered_deck or "")  # noqa: E731
    for (item_id, old, new, filtered), group in groupby(sorted(moves, key=keyed), key=keyed):
        count = len(list(group))
        cards = f" ({_plural(count, 'card')})" if count > 1 else ""
        stays = f" (home deck; the card stays in filtered deck {filtered!r})" if filtered else ""
        lines.append(f"{item_id}: {old} → {new}{cards}{stays}")
    return lines


def plan_lines(plan: Plan) -> list[str]:
    """Every change, one line each (per kind, the first `MAX_LISTED`), then what is left alone and why."""
    lines = [f"Package {plan.package} (deck {plan.deck_name!r}) into {plan.collection}:"]
    lines += _listed("added", plan.added)
    lines += _listed("updated", plan.updated)
    kept = f"cards suspended, tagged {REMOVED_TAG}"
    lines += _listed("removed", (f"{r.item_id}: {'note deleted' if r.delete else kept}" for r in plan.removed))
    lines += _listed(
        "restored",
        (f"{r.item_id}: untagged, {_plural(len(r.unsuspend), 'card')} unsuspended" for r in plan.restored),
    )
    lines += _listed("moved", _moves(plan.moved))
    lines += _listed(
        "retyped",
        (
            f"{r.item_id}: {r.old_kind} → {r.new_kind}"
            + (" (finishing an interrupted run)" if r.started else "; card 1 keeps its review history")
            + (f", {_plural(len(r.drop_cards), 'other card')} removed" if r.drop_cards else "")
            for r in plan.retyped
        ),
    )
    lines += _listed("empty card", (f"{c.item_id}: card {c.card_ord + 1} removed" for c in plan.empty_cards))
    lines += _listed(
        "overwrite", (f"{e.item_id}: edit in Anki replaced ({', '.join(e.changed)})" for e in plan.overwritten)
    )
    lines += _listed("note type", (f"{name}: added or updated (templates, styling)" for name in plan.notetypes))
    lines += _listed("deck", (f"{name}: added" for name in plan.decks))
    if plan.media:
        lines += _listed("media", [f"{_plural(len(plan.media), 'file')} added"])
    lines += _listed(
        "local edit",
        (
            f"{e.item_id}: kept as edited in Anki ({', '.join(e.changed)}); --overwrite-local-edits replaces it"
            for e in plan.local_edits
        ),
    )
    lines += _listed("kept", (f"{n.item_id}: {n.reason}" for n in plan.kept_removed))
    lines += _listed("not applied", (f"{n.item_id}: {n.reason}" for n in plan.not_applied))
    return lines


def summary(plan: Plan) -> str:
    """The counts of the issue's list: updated, added, removed, moved, retyped, empty cards, local edits kept."""
    moved_items = len({m.item_id for m in plan.moved})
    counts = [
        (len(plan.updated), "updated"),
        (len(plan.added), "added"),
        (len(plan.removed), "removed"),
        (len(plan.restored), "restored"),
        (moved_items, "moved"),
        (len(plan.retyped), "retyped"),
        (len(plan.overwritten), _noun(len(plan.overwritten), "local edit") + " replaced"),
        (len(plan.empty_cards), _noun(len(plan.empty_cards), "empty card") + " removed"),
        (len(plan.local_edits), _noun(len(plan.local_edits), "local edit") + " kept"),
        (len(plan.kept_removed), _noun(len(plan.kept_removed), "removed item") + " kept"),
        (len(plan.not_applied), "not applied"),
        (len(plan.notetypes), _noun(len(plan.notetypes), "note type") + " added or updated"),
        (len(plan.decks), _noun(len(plan.decks), "deck") + " added"),
        (len(plan.media), _noun(len(plan.media), "media file") + " added"),
    ]
    return ", ".join(f"{count} {label}" for count, label in counts if count) or "no item changes"

