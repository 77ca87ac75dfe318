"""Stage 3: turn validated items into Anki notes, reconciled with the lockfile (DESIGN.md §4).

Identity: a note's GUID comes from the deck id and the item id only. Time: an unchanged item
keeps the modification time recorded in the lockfile, a changed one gets a strictly later
one, and a new one gets a note id from the moment it was first seen.
"""

from __future__ import annotations

import hashlib
import html
import json
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from studydeck.cloze import parse_cloze
from studydeck.diagnostics import ContentError, Diagnostic, Diagnostics, Location
from studydeck.lockfile import LockEntry, Lockfile, NoteTypeEntry
from studydeck.markup import to_html
from studydeck.model import Cards, ChangeReport, Deck, Item
from studydeck.notetypes import NoteType, NoteTypes

#: New notes get ids this far apart, so `note id + card ordinal` is a unique card id.
NOTE_ID_STRIDE = 100


@dataclass(frozen=True, slots=True)
class Note:
    item_id: str
    guid: str
    note_id: int
    mod: int
    notetype: NoteType
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    deck_name: str
    card_ords: tuple[int, ...]
    content_hash: str


@dataclass(frozen=True, slots=True)
class MediaFile:
    name: str  # content-hash name used inside the package
    path: Path


@dataclass(frozen=True)
class CompiledDeck:
    deck: Deck
    notes: tuple[Note, ...]
    media: tuple[MediaFile, ...]
    notetypes: tuple[tuple[NoteType, int], ...]  # each with its modification time
    deck_names: tuple[str, ...]
    lockfile: Lockfile
    report: ChangeReport
    warnings: tuple[Diagnostic, ...] = field(default=())


def anki_deck_id(deck_id: str, name: str) -> int:
    """A stable Anki deck id for a (sub)deck name."""
    digest = hashlib.sha256(f"{deck_id}\x00{name}".encode()).digest()
    return 1_000_000_000_000 + int.from_bytes(digest[:6], "big")


#: The alphabet of Anki's GUIDs, as genanki uses it.
_BASE91 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&()*+,-./:;<=>?@[]^_`{|}~"


def note_guid(deck_id: str, item_id: str) -> str:
    """`genanki.guid_for(deck_id, item_id)`, computed here because importing genanki costs a
    one-item rebuild 50 ms (tests/test_identity.py checks that both agree)."""
    number = int.from_bytes(hashlib.sha256(f"{deck_id}__{item_id}".encode()).digest()[:8], "big")
    digits = []
    while number:
        number, digit = divmod(number, len(_BASE91))
        digits.append(_BASE91[digit])
    return "".join(reversed(digits))


def content_hash(notetype: NoteType, fields: tuple[str, ...], tags: tuple[str, ...]) -> str:
    data = json.dumps([notetype.id, fields, tags], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def source_html(deck: Deck, item: Item) -> str:
    ref = item.source
    if ref is None:
        return ""
    source = deck.sources[ref.key]
    parts = [f'<span class="sd-source-title">{html.escape(source.title)}</span>']
    if ref.section:
        parts.append(f" · {html.escape(ref.section)}")
    if source.publisher:
        parts.append(f" · {html.escape(source.publisher)}")
    if source.reviewed:
        parts.append(f" · reviewed {source.reviewed.isoformat()}")
    if source.url:
        parts.append(f' · <a href="{html.escape(source.url, quote=True)}">link</a>')
    return "".join(parts)


def media_name(path: Path) -> str:
    return f"sd-{hashlib.sha256(path.read_bytes()).hexdigest()[:20]}{path.suffix.lower()}"


def _fields(deck: Deck, item: Item, image_html: str) -> tuple[str, ...]:
    extra, caution, source = to_html(item.extra), to_html(item.caution), source_html(deck, item)
    if item.kind == "cloze":
        return (to_html(item.cloze), extra, caution, source, image_html, item.id)
    reverse = "1" if item.reverse else ""
    return (to_html(item.q), to_html(item.a), extra, caution, source, image_html, reverse, item.id)


def anki_tags(item: Item) -> tuple[str, ...]:
    """The item's tags as Anki shows them: its own, plus `category::…` and `source::…`."""
    tags = [*item.tags, f"category::{item.category}"]
    if item.source is not None:
        tags.append(f"source::{item.source.key}")
    return tuple(sorted(set(tags), key=lambda t: (t.casefold(), t)))


@dataclass(frozen=True, slots=True)
class NoteContent:
    """An item's note as Anki stores it, before the lockfile gives it an id and a time.

    It depends only on the item, the deck and the note type's id (plus the image's bytes, so
    items with an image are always computed afresh), which lets it be cached with its file.
    """

    notetype_id: int
    guid: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    content_hash: str
    card_ords: tuple[int, ...]


def note_content(deck: Deck, item: Item, notetype: NoteType, image_html: str = "") -> NoteContent:
    fields = _fields(deck, item, image_html)
    tags = anki_tags(item)
    if item.kind == "cloze":
        ords = tuple(sorted({d.number - 1 for d in parse_cloze(item.cloze)[0]}))
    else:
        ords = (0, 1) if item.reverse else (0,)
    return NoteContent(
        notetype.id, note_guid(deck.id, item.id), fields, tags, content_hash(notetype, fields, tags), ords
    )


def item_content(
    root: Path, deck: Deck, item: Item, notetype: NoteType, cached: NoteContent | None
) -> tuple[NoteContent, MediaFile | None]:
    """The item's note content: ``cached`` when it still applies, else computed (always for an
    item with an image, whose bytes name the media file), with that media file."""
    if item.image:
        path = root / item.image
        media = MediaFile(media_name(path), path)
        image_html = f'<img src="{html.escape(media.name, quote=True)}" alt="">'
        return note_content(deck, item, notetype, image_html), media
    if cached is None or cached.notetype_id != notetype.id:
        return note_content(deck, item, notetype), None
    return cached, None


def make_note(
    deck: Deck, item_id: str, subdeck: str, notetype: NoteType, content: NoteContent, entry: LockEntry
) -> Note:
    return Note(
        item_id=item_id,
        guid=content.guid,
        note_id=entry.note_id,
        mod=entry.mod,
        notetype=notetype,
        fields=content.fields,
        tags=content.tags,
        deck_name=f"{deck.name}::{subdeck}" if subdeck else deck.name,
        card_ords=content.card_ords,
        content_hash=content.content_hash,
    )


class Reconciler:
    """Gives each item, in deck order, its lockfile entry, and tallies what changed (DESIGN.md §4).

    Errors (a changed deck id, a reused id) go to ``diags``; `finish` makes the next lockfile.
    """

    def __init__(self, deck: Deck, lock: Lockfile, now: float, diags: Diagnostics) -> None:
        self.deck, self.lock, self.diags = deck, lock, diags
        self.now_s = int(now)
        self.next_note_id = max(int(now * 1000), lock.max_note_id + NOTE_ID_STRIDE)
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
            entry = LockEntry(item_id, digest, self.next_note_id, self.now_s, subdeck, lock_kind)
            self.next_note_id += NOTE_ID_STRIDE
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

    def finish(self, notetypes: NoteTypes) -> tuple[Lockfile, ChangeReport, tuple[tuple[NoteType, int], ...]]:
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
        )
        return Lockfile(self.deck.id, notetype_entries, entries, gone), report, tuple(notetype_mods)

    def _label(self, subdeck: str) -> str:
        return f"{self.deck.name}::{subdeck}" if subdeck else self.deck.name


def compile_deck(
    cards: Cards,
    lock: Lockfile,
    notetypes: NoteTypes,
    now: float,
    contents: Mapping[str, NoteContent] | None = None,
) -> CompiledDeck:
    """Notes, media and the next lockfile; raises ContentError if an old id is reused.

    ``contents`` may hold `note_content` results computed earlier (by item id); the others,
    and every item with an image, are computed here.
    """
    contents = contents or {}
    diags = Diagnostics(list(cards.warnings))
    reconciler = Reconciler(cards.deck, lock, now, diags)
    media: dict[str, MediaFile] = {}
    notes: list[Note] = []
    for item in cards.items:
        notetype = notetypes.for_kind(item.kind)
        content, medium = item_content(cards.root, cards.deck, item, notetype, contents.get(item.id))
        if medium is not None:
            media[medium.name] = medium
        entry = reconciler.entry(item.id, content.content_hash, item.subdeck, item.location, item.kind)
        if entry is not None:
            notes.append(make_note(cards.deck, item.id, item.subdeck, notetype, content, entry))
    if diags.errors:
        raise ContentError(diags.sorted())
    new_lock, report, notetype_mods = reconciler.finish(notetypes)
    return CompiledDeck(
        deck=cards.deck,
        notes=tuple(notes),
        media=tuple(media[name] for name in sorted(media)),
        notetypes=notetype_mods,
        deck_names=tuple(sorted({cards.deck.name, *(n.deck_name for n in notes)})),
        lockfile=new_lock,
        report=report,
        warnings=tuple(diags.warnings),
    )
