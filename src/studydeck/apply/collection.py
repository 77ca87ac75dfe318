"""The learner's collection, through Anki's own backend: the only module that imports `anki`.

Anki desktop runs the same Rust backend, so what apply does is what Anki's own commands do
(Import, Change Deck, Change Note Type, Suspend, Empty Cards, Delete), each one backend
operation in its own transaction: a run killed at any point leaves a collection that Anki
opens, and the next run finds what is left to do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from studydeck.apply.deckpackage import DeckPackage, NotetypeInfo
from studydeck.apply.errors import INSTALL_HINT, ApplyError

if TYPE_CHECKING:
    from anki.cards import CardId
    from anki.collection import Collection
    from anki.dbproxy import DBProxy
    from anki.decks import DeckId
    from anki.models import NotetypeId
    from anki.notes import NoteId

_SQLITE_HEADER = b"SQLite format 3\x00"
_TABLES = {"col", "notes", "cards", "revlog"}
_CHUNK = 500  # ids per SQL statement, well below SQLite's limit on parameters
_QUEUE_SUSPENDED = -1


@dataclass(frozen=True, slots=True)
class CardState:
    id: int
    ord: int
    deck: str  # where it is now (a filtered deck, when it is in one)
    home_deck: str  # where it returns to: the deck apply compares with the package's
    filtered: bool
    suspended: bool


@dataclass(frozen=True, slots=True)
class NoteState:
    id: int
    guid: str
    notetype_id: int
    mod: int
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    cards: tuple[CardState, ...]


@dataclass(frozen=True)
class CollectionState:
    """What apply needs to know of the collection: the deck's notes (by GUID) and little else."""

    path: Path
    notes: Mapping[str, NoteState]
    notetypes: Mapping[int, NotetypeInfo]  # the package's and those of the deck's notes, when present
    decks: frozenset[str]  # those of the package's decks that the collection has
    missing_media: tuple[str, ...]  # the package's media files not in the collection's media folder


def check_collection_file(path: Path) -> None:
    """Refuse, before Anki opens it, a path that is not an Anki collection: Anki would create
    one there, or add its tables to some other SQLite database."""
    if not path.exists():
        raise ApplyError(f"{path}: no such collection (an Anki profile's collection.anki2)")
    if not path.is_file():
        raise ApplyError(f"{path} is not an Anki collection (not a file)")
    try:
        with path.open("rb") as file:
            header = file.read(len(_SQLITE_HEADER))
        if header != _SQLITE_HEADER:
            raise ApplyError(f"{path} is not an Anki collection (not an SQLite database)")
        # immutable: read without locking or creating files (Anki may hold the file; that is checked next)
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
        try:
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise ApplyError(f"{path} is not an Anki collection ({exc})") from None
    except OSError as exc:
        raise ApplyError(f"cannot read {path}: {exc.strerror or exc}") from None
    if not tables >= _TABLES:
        raise ApplyError(f"{path} is not an Anki collection (it lacks Anki's tables)")


def require_anki() -> None:
    """ApplyError, saying how to install it, when Anki's backend is missing."""
    _collection_class()


def _collection_class() -> type[Collection]:
    try:
        from anki.collection import Collection
    except ImportError:
        raise ApplyError(f"studydeck apply needs Anki's backend, the anki package: {INSTALL_HINT}") from None
    return Collection


@contextlib.contextmanager
def open_collection(path: Path) -> Iterator[LearnerCollection]:
    """The collection, open for this process alone; ApplyError if another program has it open."""
    collection_class = _collection_class()
    from anki.errors import DBError

    check_collection_file(path)
    try:
        col = collection_class(str(path))
    except DBError as exc:
        if "already open" in str(exc).lower() or "locked" in str(exc).lower():
            raise ApplyError(
                f"{path} is open in Anki or another program: close the profile (in Anki: File › Switch "
                "Profile, or quit Anki) and run again"
            ) from None
        raise ApplyError(f"Anki cannot open {path}: {exc}") from None
    except Exception as exc:  # the backend's own refusals (too new, damaged…) have no common base
        raise ApplyError(f"Anki cannot open {path}: {exc}") from None
    try:
        yield LearnerCollection(col, path)
    finally:
        col.close()


def is_backend_error(exc: BaseException) -> bool:
    """Whether Anki's backend raised ``exc`` (it refused an operation), not studydeck."""
    from anki.errors import AnkiException

    return isinstance(exc, AnkiException)


class LearnerCollection:
    """The operations apply performs, each an Anki operation (one transaction, one undo step)."""

    def __init__(self, col: Collection, path: Path) -> None:
        self.col, self.path = col, path

    @property
    def db(self) -> DBProxy:
        assert self.col.db is not None, "the collection is open"
        return self.col.db

    # --- reading ---

    def state(self, package: DeckPackage) -> CollectionState:
        guids = [*package.notes, *package.manifest.removed]
        notes = self._notes(guids)
        notetype_ids = {*package.notetypes, *(n.notetype_id for n in notes.values())}
        notetypes = {ntid: nt for ntid in notetype_ids if (nt := self._notetype(ntid)) is not None}
        decks = frozenset(name for name in package.decks if self.col.decks.id_for_name(name))
        media_dir = Path(self.col.media.dir())
        missing = tuple(name for name in package.media if not (media_dir / name).exists())
        return CollectionState(self.path, notes, notetypes, decks, missing)

    def _notes(self, guids: Sequence[str]) -> dict[str, NoteState]:
        rows: list[Any] = []
        for chunk in _chunks(guids):
            marks = ",".join("?" * len(chunk))
            rows += self.db.all(f"SELECT id, guid, mid, mod, tags, flds FROM notes WHERE guid IN ({marks})", *chunk)
        cards: dict[int, list[CardState]] = {}
        deck_names = {d.id: d.name for d in self.col.decks.all_names_and_ids()}
        filtered = {did for did in deck_names if self.col.decks.is_filtered(cast("DeckId", did))}
        for chunk in _chunks([row[0] for row in rows]):
            ids = ",".join(str(int(nid)) for nid in chunk)
            for cid, nid, did, odid, ord_, queue in self.db.all(
                f"SELECT id, nid, did, odid, ord, queue FROM cards WHERE nid IN ({ids}) ORDER BY nid, ord"
            ):
                home = deck_names.get(odid or did, "")
                suspended = queue == _QUEUE_SUSPENDED
                card = CardState(cid, ord_, deck_names.get(did, ""), home, did in filtered, suspended)
                cards.setdefault(nid, []).append(card)
        notes = {}
        for nid, guid, mid, mod, tags, flds in rows:
            fields = tuple(flds.split("\x1f"))
            notes[guid] = NoteState(nid, guid, mid, mod, fields, tuple(tags.split()), tuple(cards.get(nid, ())))
        return notes

    def _notetype(self, ntid: int) -> NotetypeInfo | None:
        model = self.col.models.get(cast("NotetypeId", ntid))
        if model is None:
            return None
        return NotetypeInfo(
            id=int(model["id"]),
            name=str(model["name"]),
            kind="cloze" if model.get("type") == 1 else "basic",
            fields=tuple(str(f["name"]) for f in model["flds"]),
            templates=tuple(str(t["name"]) for t in model["tmpls"]),
            mod=int(model.get("mod", 0)),
        )

    def empty_cards(self) -> set[int]:
        """The cards Anki's Tools › Empty Cards would delete."""
        report = self.col.get_empty_cards()
        return {cid for note in report.notes for cid in note.card_ids}

    # --- changing ---

    def backup(self, folder: Path) -> Path:
        """A .colpkg of the whole collection in ``folder``, by the backend Anki desktop backs up with."""
        folder.mkdir(parents=True, exist_ok=True)
        # Backups are named by the second: never overwrite one made in this same second (a rerun
        # right after a killed run must not replace the backup of the untouched collection).
        while (folder / _backup_name(dt.datetime.now())).exists():
            time.sleep(0.05)
        before = set(folder.iterdir())
        try:
            created = self.col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
        except Exception as exc:
            if not is_backend_error(exc):
                raise
            raise ApplyError(f"Anki could not back the collection up in {folder} ({exc}); nothing changed") from None
        made = sorted(set(folder.iterdir()) - before)
        if not created or not made:
            raise ApplyError(f"Anki made no backup in {folder}; nothing was changed")
        return made[-1]

    def import_package(self, package: Path) -> None:
        """Anki's import, with the options its import dialog starts with."""
        from anki.collection import ImportAnkiPackageRequest

        options = self.col._backend.get_import_anki_package_presets()
        self.col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package), options=options))

    def delete_notes(self, note_ids: Sequence[int]) -> None:
        if note_ids:
            self.col.remove_notes(_notes(note_ids))  # (Anki records each deletion: sync carries it)

    def suspend(self, card_ids: Sequence[int]) -> None:
        if card_ids:
            self.col.sched.suspend_cards(_cards(card_ids))

    def unsuspend(self, card_ids: Sequence[int]) -> None:
        if card_ids:
            self.col.sched.unsuspend_cards(_cards(card_ids))

    def add_tag(self, note_ids: Sequence[int], tag: str) -> None:
        if note_ids:
            self.col.tags.bulk_add(_notes(note_ids), tag)

    def remove_tag(self, note_ids: Sequence[int], tag: str) -> None:
        if note_ids:
            self.col.tags.bulk_remove(_notes(note_ids), tag)

    def deck_id(self, name: str) -> int:
        """The normal deck called ``name``, made if missing (as Anki's Change Deck does)."""
        did = self.col.decks.id(name, create=True)
        assert did is not None
        return int(did)

    def set_deck(self, card_ids: Sequence[int], deck_name: str) -> None:
        """Anki's Change Deck: ids, scheduling and review history stay."""
        self.col.set_deck(_cards(card_ids), self.deck_id(deck_name))

    def set_home_deck(self, card_ids: Sequence[int], deck_name: str) -> None:
        """For cards in a filtered deck: change the deck they return to, and leave them where they are
        (Change Deck would take them out of the filtered deck)."""
        did = self.deck_id(deck_name)
        cards = [self.col.get_card(cid) for cid in _cards(card_ids)]
        for card in cards:
            card.odid = cast("DeckId", did)
        self.col.update_cards(cards)

    def remove_cards(self, card_ids: Sequence[int]) -> None:
        if card_ids:
            self.col.remove_cards_and_orphaned_notes(_cards(card_ids))

    def set_content(self, note_id: int, fields: Sequence[str], tags: Iterable[str]) -> None:
        """Replace a note's fields and tags (Anki then makes the cards the new text needs)."""
        note = self.col.get_note(cast("NoteId", note_id))
        note.fields = list(fields)
        note.tags = list(tags)
        self.col.update_note(note)

    def change_notetype(self, note_ids: Sequence[int], old_id: int, new_id: int) -> None:
        """Anki's Change Note Type, fields matched by name, card 1 (ordinal 0) kept as card 1 with its
        history; any other card of these notes must be removed first. Needs a one-way full sync."""
        from anki.models import ChangeNotetypeRequest

        old, new = self.col.models.get(cast("NotetypeId", old_id)), self.col.models.get(cast("NotetypeId", new_id))
        assert old is not None and new is not None
        new_fields = _field_map([f["name"] for f in old["flds"]], [f["name"] for f in new["flds"]])
        new_templates = [0] + [-1] * (len(new["tmpls"]) - 1)
        request = ChangeNotetypeRequest(
            note_ids=list(note_ids),
            old_notetype_id=old_id,
            new_notetype_id=new_id,
            current_schema=self.db.scalar("SELECT scm FROM col"),
            old_notetype_name=old["name"],
            new_fields=new_fields,
            new_templates=new_templates,
            is_cloze=new.get("type") == 1,
        )
        self.col.models.change_notetype_of_notes(request)


def _cards(ids: Sequence[int]) -> list[CardId]:
    return cast("list[CardId]", list(ids))  # (Anki's ids are ints, typed apart)


def _notes(ids: Sequence[int]) -> list[NoteId]:
    return cast("list[NoteId]", list(ids))


def _field_map(old: list[str], new: list[str]) -> list[int]:
    """For each new field, the old field it takes its text from, as Anki's Change Note Type
    proposes: the same name, else the first old field not used (-1: none; the text apply puts
    in next replaces them all anyway)."""
    mapped = [old.index(name) if name in old else -1 for name in new]
    unused = iter(i for i in range(len(old)) if i not in mapped)
    return [i if i >= 0 else next(unused, -1) for i in mapped]


def _backup_name(now: dt.datetime) -> str:
    return now.strftime("backup-%Y-%m-%d-%H.%M.%S.colpkg")  # rslib/src/collection/backup.rs


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]
