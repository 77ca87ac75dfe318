"""Where a pass's card files go: into memory (`ItemsSink`: `load_cards`, `compile_deck`) or
into a build's collection (`CollectionSink`)."""

from __future__ import annotations

from dataclasses import dataclass

from studydeck.anki.collection import Collection
from studydeck.anki.notes import MediaFile, Note
from studydeck.anki.notetypes import NoteType
from studydeck.diagnostics import ContentError, Diagnostic, Diagnostics
from studydeck.engine.cache import FileCache
from studydeck.engine.index import BuildIndex, FileSummary
from studydeck.engine.pipeline import CompiledFile, Identity, PassResult, Sink, Sources, run_pass
from studydeck.engine.validation import FileTracker
from studydeck.identity.lockfile import Lockfile
from studydeck.model import Cards, ChangeReport, Deck, Item


class ItemsSink(Sink):
    """Keeps every item, and every note when the pass compiles, in deck order."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.notes: list[Note] = []

    def compiled(self, file: CompiledFile) -> None:
        self.items.extend(file.file.items)
        self.notes.extend(file.notes)

    def reused(self, summary: FileSummary, position: int, old_position: int) -> None:
        raise AssertionError("an items sink needs every file read: run its pass without an index")


def load_cards(sources: Sources, cache: FileCache, track: FileTracker | None = None) -> Cards:
    """Every item of the folder (no lockfile needed); ContentError listing every problem."""
    diags = Diagnostics()
    sink = ItemsSink()
    result = run_pass(sources, diags, cache=cache, sinks=[sink], track=track)
    if result is None:
        raise ContentError(diags.sorted())
    return Cards(sources.root, sources.deck, tuple(sink.items), result.warnings)


@dataclass(frozen=True)
class CompiledDeck:
    """A deck compiled without writing anything: its notes, media and the next lockfile."""

    deck: Deck
    notes: tuple[Note, ...]
    media: tuple[MediaFile, ...]
    notetypes: tuple[tuple[NoteType, int], ...]  # each with its modification time
    deck_names: tuple[str, ...]
    lockfile: Lockfile
    report: ChangeReport
    warnings: tuple[Diagnostic, ...]
    cards: Cards  # the items the notes were made from


def compile_deck(
    sources: Sources, identity: Identity, cache: FileCache, track: FileTracker | None = None
) -> CompiledDeck:
    """Every note of the folder, reconciled with ``identity``'s lockfile; ContentError listing every problem."""
    diags = Diagnostics()
    sink = ItemsSink()
    result = run_pass(sources, diags, cache=cache, identity=identity, sinks=[sink], track=track)
    if result is None or result.reconciled is None:
        raise ContentError(diags.sorted())
    reconciled = result.reconciled
    return CompiledDeck(
        deck=sources.deck,
        notes=tuple(sink.notes),
        media=result.media,
        notetypes=reconciled.notetypes,
        deck_names=result.deck_names,
        lockfile=reconciled.lockfile,
        report=reconciled.report,
        warnings=result.warnings,
        cards=Cards(sources.root, sources.deck, tuple(sink.items), result.warnings),
    )


class CollectionSink(Sink):
    """Writes each compiled file's notes into ``collection``: a new one, or the collection of
    the build that ``base`` indexes, whose notes of changed and removed items are replaced."""

    def __init__(self, collection: Collection, base: BuildIndex | None) -> None:
        self.collection, self.base = collection, base
        self.moved: list[tuple[int, int]] = []  # (note id, new position) of unchanged notes

    def compiled(self, file: CompiledFile) -> None:
        if self.base:  # these notes may be in the last build's collection: replace them
            self.collection.remove(note.note_id for note in file.notes)
        self.collection.add([(note, file.first_position + n) for n, note in enumerate(file.notes, start=1)])

    def reused(self, summary: FileSummary, position: int, old_position: int) -> None:
        if old_position != position:  # files before it grew or shrank: its cards move
            self.moved.extend((entry.note_id, position + n) for n, entry in enumerate(summary.entries, start=1))

    def finish(self, result: PassResult) -> None:
        assert result.reconciled is not None, "a collection holds notes: its pass has an identity"
        if self.base:
            old = self.base.lockfile.items
            self.collection.remove(old[item_id].note_id for item_id in result.reconciled.report.removed)
        self.collection.set_due(self.moved)
