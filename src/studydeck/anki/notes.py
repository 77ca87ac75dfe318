"""Anki notes: what an item becomes in a collection (fields, tags, GUID, cards), and its media.

Identity comes from DESIGN.md §4: a note's GUID is derived from the deck id and the item id
only. The note's id and modification time are given by the caller (the lockfile decides
them); nothing here knows the lockfile.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path

from studydeck.anki.notetypes import NoteType
from studydeck.model import Deck, Item
from studydeck.source.cloze import parse_cloze
from studydeck.source.markup import escape_text, to_html


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
    """The Source field: title, section, publisher, review date and a link, as HTML."""
    ref = item.source
    if ref is None:
        return ""
    source = deck.sources[ref.key]
    parts = [f'<span class="sd-source-title">{escape_text(source.title)}</span>']
    if ref.section:
        parts.append(f" · {escape_text(ref.section)}")
    if source.publisher:
        parts.append(f" · {escape_text(source.publisher)}")
    if source.reviewed:
        parts.append(f" · reviewed {source.reviewed.isoformat()}")
    if source.url:
        parts.append(f' · <a href="{escape_text(source.url)}">link</a>')
    return "".join(parts)


def media_name(path: Path) -> str:
    return f"sd-{hashlib.sha256(path.read_bytes()).hexdigest()[:20]}{path.suffix.lower()}"


def _fields(deck: Deck, item: Item, image_html: str) -> tuple[str, ...]:
    extra, caution, source = to_html(item.extra), to_html(item.caution), source_html(deck, item)
    if item.kind == "cloze":
        return (to_html(item.cloze, cloze=True), extra, caution, source, image_html, item.id)
    reverse = "1" if item.reverse else ""
    return (to_html(item.q), to_html(item.a), extra, caution, source, image_html, reverse, item.id)


def note_content(deck: Deck, item: Item, notetype: NoteType, image_html: str = "") -> NoteContent:
    fields = _fields(deck, item, image_html)
    tags = item.all_tags
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


def make_note(deck: Deck, item: Item, notetype: NoteType, content: NoteContent, note_id: int, mod: int) -> Note:
    return Note(
        item_id=item.id,
        guid=content.guid,
        note_id=note_id,
        mod=mod,
        notetype=notetype,
        fields=content.fields,
        tags=content.tags,
        deck_name=deck.full_name(item.subdeck),
        card_ords=content.card_ords,
        content_hash=content.content_hash,
    )
