"""Stage 4: write a compiled deck as an .apkg, byte for byte reproducibly (DESIGN.md §5).

genanki supplies the collection schema and the note type / deck JSON; we write the rows
ourselves because genanki stamps every note with one wall-clock time and numbers ids from
the clock, while each of our notes carries its own id and time from the lockfile.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from studydeck.compile import CompiledDeck
from studydeck.diagnostics import OutputError, display_path
from studydeck.markup import to_html
from studydeck.notetypes import NoteType
from studydeck.outputs import temporary_sibling

_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry
_TAG = re.compile(r"<[^>]+>")


def _genanki_model(notetype: NoteType) -> genanki.Model:
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
    statements = [stmt.strip() for stmt in APKG_SCHEMA.split(";") if stmt.strip()]
    indexes = [stmt for stmt in statements if stmt.upper().startswith("CREATE INDEX")]
    return [stmt for stmt in statements if stmt not in indexes], indexes


def write_collection(compiled: CompiledDeck, db_path: Path) -> None:
    """The collection.anki2 SQLite database, in one transaction."""
    tables, indexes = _schema()
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        for statement in tables:
            conn.execute(statement)
        conn.executescript(APKG_COL)
        conn.execute("BEGIN")
        top_id = compiled.anki_deck_id(compiled.deck.name)
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        for name in compiled.deck_names:
            deck_id = compiled.anki_deck_id(name)
            # Anki shows the description as HTML: render the Markdown safely, like every field.
            description = to_html(compiled.deck.description) if name == compiled.deck.name else ""
            decks[str(deck_id)] = genanki.Deck(deck_id, name, description).to_json()
        models = {str(nt.id): _genanki_model(nt).to_json(mod, top_id) for nt, mod in compiled.notetypes}
        conn.execute(
            "UPDATE col SET decks = ?, models = ?",
            (json.dumps(decks, sort_keys=True), json.dumps(models, sort_keys=True)),
        )
        conn.executemany("INSERT INTO notes VALUES (?,?,?,?,?,?,?,?,?,?,?)", _note_rows(compiled))
        conn.executemany("INSERT INTO cards VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", _card_rows(compiled))
        for statement in indexes:  # after the rows: one sort each instead of an update per row
            conn.execute(statement)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _note_rows(compiled: CompiledDeck) -> Iterator[tuple[object, ...]]:
    """Rows of Anki's notes table, made as SQLite takes them (a 100k-note list costs memory)."""
    for note in compiled.notes:
        tags = f" {' '.join(note.tags)} " if note.tags else ""
        first = note.fields[0]
        fields = "\x1f".join(note.fields)
        yield (note.note_id, note.guid, note.notetype.id, note.mod, -1, tags, fields, _TAG.sub("", first),
               _checksum(first), 0, "")  # fmt: skip


def _card_rows(compiled: CompiledDeck) -> Iterator[tuple[object, ...]]:
    """Rows of Anki's cards table: new cards, due in the order of the card files."""
    deck_ids = {name: compiled.anki_deck_id(name) for name in compiled.deck_names}
    for due, note in enumerate(compiled.notes, start=1):
        for ord_ in note.card_ords:
            yield (note.note_id + ord_, note.note_id, deck_ids[note.deck_name], ord_, note.mod, -1,
                   0, 0, due, 0, 0, 0, 0, 0, 0, 0, 0, "")  # fmt: skip


def write_package(compiled: CompiledDeck, path: Path) -> None:
    """Write the .apkg to ``path`` (callers pass a temporary path and rename it)."""
    db_path = temporary_sibling(path.with_name(path.name + ".db"))
    try:
        db_path.unlink()  # sqlite creates it afresh
        try:
            write_collection(compiled, db_path)
        except sqlite3.OperationalError as exc:  # our SQL is fixed: this is the disk (full, read-only, failing)
            raise OutputError(f"cannot write in {display_path(str(path.parent))}: {exc}") from exc
        media_index = {str(i): m.name for i, m in enumerate(compiled.media)}
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            _add(archive, "collection.anki2", db_path.read_bytes())
            _add(archive, "media", json.dumps(media_index, sort_keys=True).encode())
            for index, media in enumerate(compiled.media):
                _add(archive, str(index), media.path.read_bytes())
    finally:
        db_path.unlink(missing_ok=True)


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3  # unix, whatever the host
    info.external_attr = 0o644 << 16
    # Level 1: four times faster than the default on a large collection, for ~13% more bytes.
    archive.writestr(info, data, compresslevel=1)
