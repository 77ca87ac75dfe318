"""Identity over time (DESIGN.md §4): each item, in deck order, gets its lockfile entry.

A note's id comes from when its item was first seen, and its modification time changes
exactly when its content does: an unchanged item keeps its time, a changed one gets a
strictly later one. Removed ids are remembered, so that one reused for another fact is refused.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from studydeck.anki.notetypes import NoteType, NoteTypes
from studydeck.diagnostics import Diagnostics, Location
from studydeck.identity.lockfile import (
    MAX_TIME,
    LockEntry,
    Lockfile,
    NoteTypeEntry,
    time_problem,
)
from studydeck.model import ChangeReport, Deck


@dataclass(frozen=True)
class Reconciled:
    """What reconciling a whole deck gives: the next lockfile, what changed, and each note
    type with its modification time."""

    lockfile: Lockfile
    report: ChangeReport
    notetypes: tuple[tuple[NoteType, int], ...]


class Reconciler:
    """Gives each item, in deck order, its lockfile entry, and tallies what changed (DESIGN.md §4).

    Errors (a changed deck id, a reused id) go to ``diags``; `finish` makes the next lockfile.
    """

    def __init__(self, deck: Deck, lock: Lockfile, now: float, diags: Diagnostics) -> None:
        self.deck, self.lock, self.diags = deck, lock, diags
        self.now_s = int(now)
        self.new_note_ids = lock.free_note_ids(int(now * 1000))
        self.entries: dict[str, LockEntry] = {}
        self.added: list[str] = []
        self.changed: list[str] = []
        self.moved: list[tuple[str, str, str]] = []
        if lock.deck_id is not None and lock.deck_id != deck.id:
            # An error, not a warning: a build would record the new id and never mention it again.
            diags.error(
                deck.location,
                f"the deck id changed from {lock.deck_id!r} to {deck.id!r}: Anki would treat EVERY note as "
                "new, and learners would get every card twice; change it back (if this really is a new deck, "
                "delete studydeck.lock and build again)",
            )

    def entry(self, item_id: str, digest: str, subdeck: str, location: Location, kind: str) -> LockEntry | None:
        """The item's entry in the next lockfile; None (and an error) when its id may not be used."""
        lock_kind: Literal["", "cloze"] = "cloze" if kind == "cloze" else ""
        lock = self.lock
        old = lock.items.get(item_id)
        if old is None and item_id in lock.gone:
            previous = lock.gone[item_id]
            if previous.hash != digest:
                self.diags.error(
                    location,
                    f"id {item_id!r} belonged to an item that was removed earlier; learners still have that "
                    "note, so reusing the id would attach their history to a different fact: choose a new id "
                    f"(or, if that item never reached learners, run `studydeck lock --forget {item_id}`)",
                )
                return None
            old = previous  # the same item restored: it keeps its identity and time
        if old is None:
            entry = LockEntry(item_id, digest, next(self.new_note_ids), self.now_s, subdeck, lock_kind)
            self.added.append(item_id)
        elif old.hash != digest:
            entry = LockEntry(item_id, digest, old.note_id, max(self.now_s, old.mod + 1), subdeck, lock_kind)
            self.changed.append(item_id)
            if old.kind != lock_kind and lock.kinds_known:
                self._kind_changed(item_id, location, kind)
        elif old.subdeck != subdeck or old.kind != lock_kind:  # (a format 1 lockfile: the kind is recorded now)
            entry = LockEntry(item_id, digest, old.note_id, old.mod, subdeck, lock_kind)
        else:
            entry = old
        if entry.mod > MAX_TIME:  # (a lockfile at the end of the range, or the clock past it)
            self.diags.error(location, f"cannot record {item_id!r} in the lockfile: its {time_problem(entry.mod)}")
            return None
        if old is not None and old.subdeck != subdeck and item_id in lock.items:
            self.moved.append((item_id, self._label(old.subdeck), self._label(subdeck)))
        self.entries[item_id] = entry
        return entry

    def _kind_changed(self, item_id: str, location: Location, kind: str) -> None:
        old = "basic" if kind == "cloze" else "cloze"
        self.diags.warning(
            location,
            f"{item_id!r} changed from {old} to {kind}: importing the package in Anki does not apply this "
            "(Anki keeps the old note and reports it as conflicting); `studydeck apply` does",
        )

    def keep(self, entries: Sequence[LockEntry]) -> None:
        """Items known to be exactly as the lockfile records them (their card file is unchanged)."""
        self.entries.update(zip(map(operator.itemgetter(0), entries), entries, strict=True))  # (by id, in C)

    def finish(self, notetypes: NoteTypes) -> Reconciled:
        """The next lockfile, what changed, and each note type with its modification time."""
        lock, entries = self.lock, self.entries
        removed = sorted(lock.items.keys() - entries.keys())
        gone = {k: v for k, v in lock.gone.items() if k not in entries}
        gone.update({k: lock.items[k] for k in removed})
        notetype_entries: dict[int, NoteTypeEntry] = {}
        notetype_mods: list[tuple[NoteType, int]] = []
        notetypes_changed: list[str] = []
        for notetype in notetypes:
            digest = notetype.content_hash()
            old_nt = lock.notetypes.get(notetype.id)
            if old_nt is None:
                mod = self.now_s
            elif old_nt.hash != digest:
                mod = max(self.now_s, old_nt.mod + 1)
                notetypes_changed.append(notetype.name)
                if mod > MAX_TIME:
                    problem = time_problem(mod)
                    self.diags.error(self.deck.location, f"cannot record note type {notetype.name!r}: its {problem}")
            else:
                mod = old_nt.mod
            notetype_entries[notetype.id] = NoteTypeEntry(notetype.id, digest, mod)
            notetype_mods.append((notetype, mod))
        report = ChangeReport(
            added=tuple(self.added),
            changed=tuple(self.changed),
            removed=tuple(removed),
            moved=tuple(self.moved),
            notetypes_changed=tuple(notetypes_changed),
            note_ids=tuple(
                [(item_id, lock.items[item_id].note_id) for item_id in removed]
                + [(item_id, entries[item_id].note_id) for item_id, _, _ in self.moved]
            ),
        )
        return Reconciled(Lockfile(self.deck.id, notetype_entries, entries, gone), report, tuple(notetype_mods))

    def _label(self, subdeck: str) -> str:
        return self.deck.full_name(subdeck)
