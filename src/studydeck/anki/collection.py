"""The collection inside the .apkg, written byte for byte reproducibly (DESIGN.md §5).

genanki supplies the collection schema and the note type / deck JSON; we write the rows
ourselves because genanki stamps every note with one wall-clock time and numbers ids from
the clock, while each of our notes carries its own id and time from the lockfile.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from studydeck.anki.notes import Note, anki_deck_id
from studydeck.anki.notetypes import NoteType
from studydeck.model import Deck
from studydeck.source.markup import to_html

_TAG = re.compile(r"<[^>]+>")
_SCHEMA_VERSION = 1000  # see `Collection.finish`


if TYPE_CHECKING:
    import genanki


def _genanki_model(notetype: NoteType) -> genanki.Model:
    import genanki

    return genanki.Model(
        notetype.id,
        notetype.name,
        fields=[{"name": name} for name in notetype.fields],
        templates=[{"name": t.name, "qfmt": t.front, "afmt": t.back} for t in notetype.templates],
        css=notetype.css,
        model_type=genanki.Model.CLOZE if notetype.kind == "cloze" else genanki.Model.FRONT_BACK,
    )


def _checksum(first_field: str) -> int:
    """Anki's duplicate-check checksum of the first field's text."""
    text = _TAG.sub("", first_field)
    return int(hashlib.sha1(text.encode()).hexdigest()[:8], 16)


def _schema() -> tuple[list[str], list[str]]:
    """genanki's collection schema, split into its tables and its indexes."""
    from genanki.apkg_schema import APKG_SCHEMA

    statements = [stmt.strip() for stmt in APKG_SCHEMA.split(";") if stmt.strip()]
    indexes = [stmt for stmt in statements if stmt.upper().startswith("CREATE INDEX")]
    return [stmt for stmt in statements if stmt not in indexes], indexes


class Collection:
    """The collection.anki2 a build writes into: made afresh, or the last build's copy, patched.

    Either way `finish` copies it with VACUUM INTO, which lays out the same rows in the same
    bytes however they got there, so a patched collection equals one built from scratch.
    All changes are one transaction: a build that dies leaves the file as it was.
    """

    def __init__(self, path: Path, deck: Deck, *, fresh: bool) -> None:
        self.deck, self.fresh = deck, fresh
        self.conn = sqlite3.connect(path, isolation_level=None)
        self._deck_ids: dict[str, int] = {}
        self.conn.execute("PRAGMA synchronous = OFF")  # a working copy: the package is what must be durable
        if fresh:
            from genanki.apkg_col import APKG_COL

            for statement in _schema()[0]:
                self.conn.execute(statement)
            self.conn.executescript(APKG_COL)
        self.conn.execute("BEGIN")

    def deck_id(self, name: str) -> int:
        if name not in self._deck_ids:
            self._deck_ids[name] = anki_deck_id(self.deck.id, name)
        return self._deck_ids[name]

    def add(self, notes: Sequence[tuple[Note, int]]) -> None:
        """Insert notes with their cards, each new card due at the given position."""
        self.conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", map(_note_row, (n for n, _ in notes)))
        self.conn.executemany(
            "INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [row for note, due in notes for row in self._card_rows(note, due)],
        )

    def _card_rows(self, note: Note, due: int) -> Iterator[tuple[object, ...]]:
        """Rows of Anki's cards table: new cards, due in the order of the card files."""
        deck_id = self.deck_id(note.deck_name)
        for ord_ in note.card_ords:
            yield (note.note_id + ord_, note.note_id, deck_id, ord_, note.mod, -1,
                   0, 0, due, 0, 0, 0, 0, 0, 0, 0, 0, "")  # fmt: skip

    def remove(self, note_ids: Iterable[int]) -> None:
        ids = [(note_id,) for note_id in note_ids]
        self.conn.executemany("DELETE FROM notes WHERE id = ?", ids)
        self.conn.executemany("DELETE FROM cards WHERE nid = ?", ids)

    def set_due(self, dues: Iterable[tuple[int, int]]) -> None:
        """Give every card of each (note id, position) the new position."""
        self.conn.executemany("UPDATE cards SET due = ? WHERE nid = ?", ((due, nid) for nid, due in dues))

    def set_decks(self, deck_names: Iterable[str], notetypes: Sequence[tuple[NoteType, int]]) -> None:
        """Describe the decks and note types (each with its modification time) in the col row."""
        import genanki

        conn, deck = self.conn, self.deck
        # genanki's "Default" deck (id 1) and ours, as they are now (a patched collection has old ones)
        stored = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        decks = {"1": stored["1"]}
        for name in sorted({deck.name, *deck_names}):
            # Anki shows the description as HTML: render the Markdown safely, like every field.
            description = to_html(deck.description) if name == deck.name else ""
            decks[str(self.deck_id(name))] = genanki.Deck(self.deck_id(name), name, description).to_json()
        top_id = self.deck_id(deck.name)
        models = {str(nt.id): _genanki_model(nt).to_json(mod, top_id) for nt, mod in notetypes}
        conn.execute(
            "UPDATE col SET decks = ?, models = ?",
            (json.dumps(decks, sort_keys=True), json.dumps(models, sort_keys=True)),
        )

    def finish(self, out: Path) -> None:
        """Commit, and write the canonical copy to ``out``."""
        conn = self.conn
        if self.fresh:
            for statement in _schema()[1]:  # after the rows: one sort each instead of an update per row
                conn.execute(statement)
        conn.execute("COMMIT")
        out.unlink(missing_ok=True)
        conn.execute("VACUUM INTO ?", (str(out),))
        # VACUUM INTO gives the copy the source's schema cookie plus one, so a collection patched
        # N times would differ from a fresh one in that one header field: make it a constant.
        copy = sqlite3.connect(out, isolation_level=None)
        try:
            copy.execute("PRAGMA synchronous = OFF")  # the package made from it is what is synced
            copy.execute(f"PRAGMA schema_version = {_SCHEMA_VERSION}")
        finally:
            copy.close()

    def card_count(self) -> int:
        return int(self.conn.execute("SELECT count() FROM cards").fetchone()[0])

    def close(self) -> None:
        self.conn.close()


def _note_row(note: Note) -> tuple[object, ...]:
    """A row of Anki's notes table."""
    tags = f" {' '.join(note.tags)} " if note.tags else ""
    first = note.fields[0]
    fields = "\x1f".join(note.fields)
    return (note.note_id, note.guid, note.notetype.id, note.mod, -1, tags, fields, _TAG.sub("", first),
            _checksum(first), 0, "")  # fmt: skip
