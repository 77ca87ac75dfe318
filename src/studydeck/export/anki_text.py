"""Anki's own text-import format (TSV), with the same notes as the `.apkg`."""

from __future__ import annotations

import csv
import io

from studydeck.anki.notes import item_content
from studydeck.anki.notetypes import DEFAULT_NOTE_TYPES
from studydeck.export.items import Tracker, untracked
from studydeck.model import Cards

#: Columns of the TSV export; Anki maps the note's fields, in order, onto the FIELD columns.
FIELD_COLUMNS = max(len(DEFAULT_NOTE_TYPES.basic.fields), len(DEFAULT_NOTE_TYPES.cloze.fields))


def export_tsv(cards: Cards, track: Tracker = untracked) -> str:
    """Anki's own text-import format: the same note types, fields (HTML), tags and GUIDs as the .apkg,
    so importing it into a collection that has the deck updates those notes instead of adding copies.

    The note type comes first: a line starting with '#' is a comment for Anki, and a GUID may start with '#'.
    """
    tags_column = 3 + FIELD_COLUMNS + 1
    field_labels = [f"Field {n}" for n in range(1, FIELD_COLUMNS + 1)]
    out = io.StringIO()
    out.write(
        "#separator:tab\n"
        "#html:true\n"
        "#notetype column:1\n"
        "#deck column:2\n"
        "#guid column:3\n"
        f"#tags column:{tags_column}\n"
        "#columns:" + "\t".join(["Note type", "Deck", "GUID", *field_labels, "Tags"]) + "\n"
    )
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    for item in track(cards.items):
        notetype = DEFAULT_NOTE_TYPES.for_kind(item.kind)
        note, _ = item_content(cards.root, cards.deck, item, notetype, None)
        padding = ("",) * (FIELD_COLUMNS - len(note.fields))
        row = (notetype.name, cards.anki_deck_name(item), note.guid, *note.fields, *padding, " ".join(note.tags))
        writer.writerow(row)
    return out.getvalue()
