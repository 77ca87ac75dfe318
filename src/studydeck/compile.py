"""Stage 3: turn validated items into Anki notes, reconciled with the lockfile (DESIGN.md §4).

Identity: a note's GUID comes from the deck id and the item id only. Time: an unchanged item
keeps the modification time recorded in the lockfile, a changed one gets a strictly later
one, and a new one gets a note id from the moment it was first seen.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import genanki

from studydeck.cloze import parse_cloze
from studydeck.diagnostics import ContentError, Diagnostic, Diagnostics
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

    def anki_deck_id(self, name: str) -> int:
        return anki_deck_id(self.deck.id, name)


def anki_deck_id(deck_id: str, name: str) -> int:
    """A stable Anki deck id for a (sub)deck name."""
    digest = hashlib.sha256(f"{deck_id}\x00{name}".encode()).digest()
    return 1_000_000_000_000 + int.from_bytes(digest[:6], "big")


def note_guid(deck_id: str, item_id: str) -> str:
    return str(genanki.guid_for(deck_id, item_id))


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
    now_s, now_ms = int(now), int(now * 1000)
    diags = Diagnostics(list(cards.warnings))
    next_note_id = max(now_ms, lock.max_note_id + NOTE_ID_STRIDE)
    media: dict[str, MediaFile] = {}
    notes: list[Note] = []
    entries: dict[str, LockEntry] = {}
    added: list[str] = []
    changed: list[str] = []
    moved: list[tuple[str, str, str]] = []
    if lock.deck_id is not None and lock.deck_id != cards.deck.id:
        # An error, not a warning: a build would record the new id and never mention it again.
        diags.error(
            cards.deck.location,
            f"the deck id changed from {lock.deck_id!r} to {cards.deck.id!r}: Anki would treat EVERY note as "
            "new, and learners would get every card twice; change it back (if this really is a new deck, "
            "delete studydeck.lock and build again)",
        )

    for item in cards.items:
        notetype = notetypes.for_kind(item.kind)
        content = contents.get(item.id)
        if item.image:
            path = cards.root / item.image
            name = media_name(path)
            media[name] = MediaFile(name, path)
            content = note_content(cards.deck, item, notetype, f'<img src="{html.escape(name, quote=True)}" alt="">')
        elif content is None or content.notetype_id != notetype.id:
            content = note_content(cards.deck, item, notetype)
        digest = content.content_hash
        old = lock.items.get(item.id)
        if old is None and item.id in lock.gone:
            previous = lock.gone[item.id]
            if previous.hash != digest:
                diags.error(
                    item.location,
                    f"id {item.id!r} belonged to an item that was removed earlier; learners still have that "
                    "note, so reusing the id would attach their history to a different fact: choose a new id "
                    f"(or, if that item never reached learners, run `studydeck lock --forget {item.id}`)",
                )
                continue
            old = previous  # the same item restored: it keeps its identity and time
        if old is None:
            entry = LockEntry(item.id, digest, next_note_id, now_s, item.subdeck)
            next_note_id += NOTE_ID_STRIDE
            added.append(item.id)
        elif old.hash != digest:
            entry = LockEntry(item.id, digest, old.note_id, max(now_s, old.mod + 1), item.subdeck)
            changed.append(item.id)
        else:
            entry = LockEntry(item.id, digest, old.note_id, old.mod, item.subdeck)
        if old is not None and old.subdeck != item.subdeck and item.id in lock.items:
            moved.append((item.id, _deck_label(cards, old.subdeck), _deck_label(cards, item.subdeck)))
        entries[item.id] = entry
        notes.append(
            Note(
                item_id=item.id,
                guid=content.guid,
                note_id=entry.note_id,
                mod=entry.mod,
                notetype=notetype,
                fields=content.fields,
                tags=content.tags,
                deck_name=cards.anki_deck_name(item),
                card_ords=content.card_ords,
                content_hash=digest,
            )
        )
    if diags.errors:
        raise ContentError(diags.sorted())

    removed = sorted(set(lock.items) - set(entries))
    gone = {k: v for k, v in lock.gone.items() if k not in entries}
    gone.update({k: lock.items[k] for k in removed})

    notetype_entries: dict[int, NoteTypeEntry] = {}
    notetype_mods: list[tuple[NoteType, int]] = []
    notetypes_changed: list[str] = []
    for notetype in notetypes:
        digest = notetype.content_hash()
        old_nt = lock.notetypes.get(notetype.id)
        if old_nt is None:
            mod = now_s
        elif old_nt.hash != digest:
            mod = max(now_s, old_nt.mod + 1)
            notetypes_changed.append(notetype.name)
        else:
            mod = old_nt.mod
        notetype_entries[notetype.id] = NoteTypeEntry(notetype.id, digest, mod)
        notetype_mods.append((notetype, mod))

    deck_names = sorted({cards.deck.name, *(n.deck_name for n in notes)})
    new_lock = Lockfile(cards.deck.id, notetype_entries, entries, gone)
    report = ChangeReport(
        added=tuple(added),
        changed=tuple(changed),
        removed=tuple(removed),
        moved=tuple(moved),
        notetypes_changed=tuple(notetypes_changed),
    )
    return CompiledDeck(
        deck=cards.deck,
        notes=tuple(notes),
        media=tuple(media[name] for name in sorted(media)),
        notetypes=tuple(notetype_mods),
        deck_names=tuple(deck_names),
        lockfile=new_lock,
        report=report,
        warnings=tuple(diags.warnings),
    )


def _deck_label(cards: Cards, subdeck: str) -> str:
    return f"{cards.deck.name}::{subdeck}" if subdeck else cards.deck.name
