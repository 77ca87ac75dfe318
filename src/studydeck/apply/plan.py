"""One `Plan`: everything a run will change, computed from what the package and the collection
hold now. Pure (no I/O): `--dry-run` prints it, a run prints and carries it out, and since it
is computed afresh every time, a run that was killed half-way is completed by the next.

The deck's notes are the notes whose GUID the package names: its notes and the notes it
removed. No other note, and no card outside the deck's own deck tree, is ever in a plan.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.apply.collection import CardState, CollectionState, NoteState
from studydeck.apply.deckpackage import DeckPackage, Kind, PackageNote
from studydeck.apply.errors import ApplyError

#: Put on the notes of removed items that `--keep-removed` keeps (suspended).
REMOVED_TAG = "studydeck::removed"
#: On a note only while apply changes its type: if a run dies between changing the type and
#: putting in the new text, the next run knows the text is apply's to replace, not a local edit.
RETYPING_TAG = "studydeck::retyping"
_OUR_TAGS = {REMOVED_TAG.casefold(), RETYPING_TAG.casefold()}


@dataclass(frozen=True)
class ApplyOptions:
    keep_removed: bool = False  # suspend and tag removed items' notes instead of deleting them
    allow_full_sync: bool = False  # change note types (basic ↔ cloze), which forces a one-way sync
    overwrite_local_edits: bool = False  # replace notes edited in Anki with the package's text


@dataclass(frozen=True, slots=True)
class Removal:
    item_id: str
    note_id: int
    delete: bool  # else (--keep-removed): suspend the cards below and add the tag if missing
    suspend: tuple[int, ...] = ()
    tag: bool = False


@dataclass(frozen=True, slots=True)
class Restore:
    """A note that `--keep-removed` kept, whose item is back in the deck."""

    item_id: str
    note_id: int
    unsuspend: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Move:
    item_id: str
    card_id: int
    card_ord: int
    from_deck: str
    to_deck: str
    filtered_deck: str | None  # the filtered deck the card is in and stays in (its home deck changes)


@dataclass(frozen=True, slots=True)
class Retype:
    item_id: str
    note_id: int
    old_kind: Kind
    new_kind: Kind
    old_notetype_id: int
    new_notetype_id: int
    fields: tuple[str, ...]  # the package's text, put in once the type is changed
    tags: tuple[str, ...]
    drop_cards: tuple[int, ...]  # every card but card 1 (ordinal 0), which keeps its history
    started: bool = False  # a killed run already changed the type: only the text is left to put in


@dataclass(frozen=True, slots=True)
class EmptyCard:
    item_id: str
    card_id: int
    card_ord: int


@dataclass(frozen=True, slots=True)
class LocalEdit:
    """A note edited in Anki after the package was built (its changed fields, or "tags")."""

    item_id: str
    note_id: int
    changed: tuple[str, ...]
    fields: tuple[str, ...]  # the package's, put in with --overwrite-local-edits
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NotApplied:
    item_id: str
    reason: str


@dataclass(frozen=True)
class Plan:
    package: Path
    collection: Path
    deck_name: str
    options: ApplyOptions
    # What Anki's import will do (it runs first):
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    notetypes: tuple[str, ...] = ()  # note types it adds, or whose templates and styling it updates
    decks: tuple[str, ...] = ()  # decks it adds
    media: tuple[str, ...] = ()  # media files it adds
    # What apply does after it:
    removed: tuple[Removal, ...] = ()
    restored: tuple[Restore, ...] = ()
    moved: tuple[Move, ...] = ()
    retyped: tuple[Retype, ...] = ()
    empty_cards: tuple[EmptyCard, ...] = ()
    overwritten: tuple[LocalEdit, ...] = ()
    # What it leaves, and says why:
    local_edits: tuple[LocalEdit, ...] = ()
    kept_removed: tuple[NotApplied, ...] = ()  # removed items whose notes the learner made their own
    not_applied: tuple[NotApplied, ...] = field(default=())

    @property
    def needs_import(self) -> bool:
        return bool(self.added or self.updated or self.notetypes or self.decks or self.media)

    @property
    def changes_anything(self) -> bool:
        return self.needs_import or any(
            (self.removed, self.restored, self.moved, self.retyped, self.empty_cards, self.overwritten)
        )


def make_plan(package: DeckPackage, state: CollectionState, options: ApplyOptions) -> Plan:
    """What a run changes in the collection to make it what the package says; ApplyError when
    Anki's import itself would go wrong (a note type the learner changed the fields of)."""
    _check_notetypes(package, state)
    planner = _Planner(package, state, options)
    for note in package.notes.values():
        planner.package_note(note)
    for guid, removed in sorted(package.manifest.removed.items(), key=lambda kv: kv[1].item_id):
        planner.removed_note(guid, removed.item_id, removed.mod)
    return planner.plan()


def _check_notetypes(package: DeckPackage, state: CollectionState) -> None:
    for ntid in sorted({note.notetype_id for note in package.notes.values()}):
        ours, theirs = package.notetypes[ntid], state.notetypes.get(ntid)
        if theirs is not None and (theirs.fields, theirs.templates) != (ours.fields, ours.templates):
            raise ApplyError(
                f"the collection's note type {theirs.name!r} has other fields or card types than the package's "
                f"{ours.name!r} (changed in Anki?): Anki would import a copy of it and update none of the deck's "
                "notes; give it back its fields and card types, or undo the change, then run again"
            )


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)  # (Anki's import normalizes text so)


def _tagset(tags: Iterable[str]) -> set[str]:
    """Tags as Anki compares them (case-insensitively), apply's own left out."""
    return {tag.casefold() for tag in tags} - _OUR_TAGS


def _has_tag(note: NoteState, tag: str) -> bool:
    return tag.casefold() in {t.casefold() for t in note.tags}


class _Planner:
    def __init__(self, package: DeckPackage, state: CollectionState, options: ApplyOptions) -> None:
        self.package, self.state, self.options = package, state, options
        self.added: list[str] = []
        self.updated: list[str] = []
        self.removed: list[Removal] = []
        self.restored: list[Restore] = []
        self.moved: list[Move] = []
        self.retyped: list[Retype] = []
        self.empty_cards: list[EmptyCard] = []
        self.overwritten: list[LocalEdit] = []
        self.local_edits: list[LocalEdit] = []
        self.kept_removed: list[NotApplied] = []
        self.not_applied: list[NotApplied] = []

    def package_note(self, ours: PackageNote) -> None:
        note = self.state.notes.get(ours.guid)
        if note is None:
            self.added.append(ours.item_id)  # (the import puts its cards where the package says)
            return
        if _has_tag(note, REMOVED_TAG):
            suspended = tuple(card.id for card in note.cards if card.suspended)
            self.restored.append(Restore(ours.item_id, note.id, suspended))
        if note.notetype_id != ours.notetype_id:
            self._other_notetype(ours, note)
            return
        changed = self._differences(ours, note)
        text_is_ours = True  # the note ends this run with the package's text
        if _has_tag(note, RETYPING_TAG):  # a run died after changing its type: finish the job
            self.retyped.append(self._retype(ours, note, started=True))
        elif ours.mod > note.mod:
            if changed:
                self.updated.append(ours.item_id)  # Anki's import updates a note older than the package's
        elif changed:  # not older: the import leaves it alone
            edit = LocalEdit(ours.item_id, note.id, changed, ours.fields, ours.tags)
            if self.options.overwrite_local_edits:
                self.overwritten.append(edit)
            else:
                self.local_edits.append(edit)
                text_is_ours = False
        self._cards(ours, note, note.cards, text_is_ours)

    def _other_notetype(self, ours: PackageNote, note: NoteState) -> None:
        theirs = self.state.notetypes.get(note.notetype_id)
        if theirs is None or note.notetype_id not in self.package.notetypes or theirs.kind == ours.kind:
            name = theirs.name if theirs else str(note.notetype_id)
            self.not_applied.append(NotApplied(ours.item_id, f"its note type was changed in Anki (to {name!r})"))
            return
        change = f"{theirs.kind} → {ours.kind}"
        first = [card for card in note.cards if card.ord == 0]
        if not first:
            reason = f"{change}, but its first card was deleted in Anki: change its note type in Anki's browser"
            self.not_applied.append(NotApplied(ours.item_id, reason))
        elif not self.options.allow_full_sync:
            reason = f"{change} changes the note's type, which needs a one-way full sync: run with --allow-full-sync"
            self.not_applied.append(NotApplied(ours.item_id, reason))
        else:
            self.retyped.append(self._retype(ours, note, started=False))
            self._cards(ours, note, tuple(first), text_is_ours=True)

    def _retype(self, ours: PackageNote, note: NoteState, *, started: bool) -> Retype:
        other: Kind = "cloze" if ours.kind == "basic" else "basic"
        return Retype(
            ours.item_id,
            note.id,
            other if started else self.state.notetypes[note.notetype_id].kind,
            ours.kind,
            note.notetype_id,
            ours.notetype_id,
            ours.fields,
            ours.tags,
            () if started else tuple(card.id for card in note.cards if card.ord != 0),
            started,
        )

    def _differences(self, ours: PackageNote, note: NoteState) -> tuple[str, ...]:
        names = self.package.notetypes[ours.notetype_id].fields
        changed = [
            name
            for name, mine, theirs in zip(names, ours.fields, note.fields, strict=False)
            if _nfc(mine) != _nfc(theirs)
        ]
        if len(ours.fields) != len(note.fields):
            changed = list(names)
        if _tagset(ours.tags) != _tagset(note.tags):
            changed.append("tags")
        return tuple(changed)

    def _cards(self, ours: PackageNote, note: NoteState, cards: Iterable[CardState], text_is_ours: bool) -> None:
        """Move the note's cards still in the deck's tree to where the package puts them; when the
        note ends with the package's text, the cards that text leaves empty go, except from a
        deck of the learner's own (DESIGN.md §6: apply never touches those)."""
        for card in cards:
            target = ours.cards.get(card.ord)
            if target is None:
                if not text_is_ours:
                    continue
                if self.package.in_tree(card.home_deck):
                    self.empty_cards.append(EmptyCard(ours.item_id, card.id, card.ord))
                else:
                    reason = (
                        f"card {card.ord + 1} is left empty by the new text, but it is in your deck "
                        f"{card.home_deck!r}: Tools › Empty Cards removes it"
                    )
                    self.not_applied.append(NotApplied(ours.item_id, reason))
            elif self.package.in_tree(card.home_deck) and card.home_deck.casefold() != target.casefold():
                filtered = card.deck if card.filtered else None
                self.moved.append(Move(ours.item_id, card.id, card.ord, card.home_deck, target, filtered))

    def removed_note(self, guid: str, item_id: str, last_changed: int) -> None:
        note = self.state.notes.get(guid)
        if note is None or guid in self.package.notes:
            return
        kept_before = _has_tag(note, REMOVED_TAG)
        theirs = [card for card in note.cards if not self.package.in_tree(card.home_deck)]
        if theirs:  # the learner moved it to a deck of their own: theirs now
            reason = "removed from the deck, but you moved its cards to a deck of your own; delete it there if you wish"
            self.kept_removed.append(NotApplied(item_id, reason))
        # Edited in Anki since the deck last changed the item (our own tagging aside): the
        # learner's, unless they ask.
        elif note.mod > last_changed and not kept_before and not self.options.overwrite_local_edits:
            reason = "removed from the deck, but edited in Anki since; --overwrite-local-edits removes it too"
            self.kept_removed.append(NotApplied(item_id, reason))
        elif not self.options.keep_removed:
            self.removed.append(Removal(item_id, note.id, delete=True))
        else:
            suspend = tuple(card.id for card in note.cards if not card.suspended)
            if suspend or not kept_before:
                self.removed.append(Removal(item_id, note.id, False, suspend, tag=not kept_before))

    def plan(self) -> Plan:
        package, state = self.package, self.state
        used = {note.notetype_id for note in package.notes.values()}
        notetypes = tuple(
            package.notetypes[ntid].name
            for ntid in sorted(used)
            if ntid not in state.notetypes or state.notetypes[ntid].mod < package.notetypes[ntid].mod
        )
        # (Anki's import leaves an existing deck's description as it is: only new decks count.)
        decks = tuple(name for name in sorted(package.decks) if name not in state.decks)
        return Plan(
            package=package.path,
            collection=state.path,
            deck_name=package.manifest.deck_name,
            options=self.options,
            added=tuple(self.added),
            updated=tuple(self.updated),
            notetypes=notetypes,
            decks=decks,
            media=state.missing_media,
            removed=tuple(self.removed),
            restored=tuple(self.restored),
            moved=tuple(self.moved),
            retyped=tuple(self.retyped),
            empty_cards=tuple(self.empty_cards),
            overwritten=tuple(self.overwritten),
            local_edits=tuple(self.local_edits),
            kept_removed=tuple(self.kept_removed),
            not_applied=tuple(self.not_applied),
        )
