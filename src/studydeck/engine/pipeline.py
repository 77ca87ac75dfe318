"""The one pass over a cards folder: read → parse → validate → note content → identity.

Every command that needs the cards runs `run_pass`, and only what it keeps differs, by the
sinks it gives (`engine.sinks`): `check` keeps nothing, `build` writes the notes into a
collection, the API keeps the items (and their notes) in memory. Card files stream through
in file order, each validated once (`engine.validation`: from the cache, or in worker
processes), so a sink that keeps little never holds the whole deck.

Without an identity (the lockfile and the clock) the pass stops at the items: loading a
deck for a quiz needs no lockfile. With the last build's index, card files it describes
as unchanged are not read at all: their items keep their lockfile entries and their notes
stay in that build's collection.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from studydeck.anki.notes import MediaFile, Note, item_content, make_note
from studydeck.anki.notetypes import NoteTypes
from studydeck.diagnostics import ContentError, Diagnostic, Diagnostics, Location
from studydeck.engine.index import BuildIndex, FileSummary
from studydeck.engine.staleness import cache_key, reusable_file
from studydeck.engine.validation import FileTracker, ValidatedFile, validated_files
from studydeck.identity.lockfile import LockEntry, Lockfile
from studydeck.identity.reconcile import Reconciled, Reconciler
from studydeck.model import Deck
from studydeck.source.folder import DECK_FILE, FolderContents, read_folder
from studydeck.source.validate import check_across_files, file_items, validate_deck

if TYPE_CHECKING:
    from studydeck.engine.cache import FileCache


@dataclass(frozen=True)
class Sources:
    """A cards folder as read for one pass, with its deck.yaml validated."""

    folder: FolderContents
    deck: Deck
    deck_digest: str  # SHA-256 of deck.yaml's bytes: every item depends on it
    problems: tuple[Diagnostic, ...]  # what is wrong in deck.yaml (reported with the cards' problems)

    @property
    def root(self) -> Path:
        return self.folder.root


def read_sources(folder: FolderContents, diags: Diagnostics) -> Sources | None:
    """The folder with deck.yaml validated; None when there is no deck to check cards against
    (the problems are then in ``diags``; otherwise in `Sources.problems`)."""
    root = folder.root
    if not root.is_dir():
        diags.error(Location(str(root)), "cards folder not found")
        return None
    if folder.deck is None:
        diags.error(Location(str(root / DECK_FILE)), "deck.yaml is missing; it names the deck and gives it a stable id")
        return None
    problems = Diagnostics(list(folder.deck.problems))
    data = folder.deck.data
    deck = validate_deck(folder.deck.path, data, root, problems)
    if deck is None or data is None:
        diags.extend(problems)
        return None
    return Sources(folder, deck, hashlib.sha256(data).hexdigest(), tuple(problems.items))


def open_folder(cards_dir: Path, *, keep_bytes: bool = True) -> Sources:
    """Read a cards folder and validate its deck.yaml; ContentError when that fails.

    Without ``keep_bytes`` only the card files' digests are kept (each is read again when
    parsed), so that a large deck is never in memory whole."""
    diags = Diagnostics()
    sources = read_sources(read_folder(Path(cards_dir), keep_bytes=keep_bytes), diags)
    if sources is None:
        raise ContentError(diags.sorted())
    return sources


@dataclass(frozen=True)
class Identity:
    """What gives notes their ids and times (DESIGN.md §4)."""

    lock: Lockfile
    now: float
    notetypes: NoteTypes


@dataclass(frozen=True)
class CompiledFile:
    """A card file as this pass made it: validated, and compiled when the pass has an identity."""

    summary: FileSummary
    file: ValidatedFile
    notes: tuple[Note, ...]
    first_position: int  # the deck position of its first item (new cards are due in deck order)


class Sink:
    """What a pass hands each card file to, in order; by default, nothing is kept."""

    def compiled(self, file: CompiledFile) -> None:
        """A card file read, validated and compiled in this pass."""

    def reused(self, summary: FileSummary, position: int, old_position: int) -> None:
        """A card file unchanged since the last build (only with its index), now at ``position``."""

    def finish(self, result: PassResult) -> None:
        """The pass is over and found no error."""


@dataclass(frozen=True)
class PassResult:
    deck: Deck
    files: tuple[FileSummary, ...]  # every card file, in order: what the next build's index records
    warnings: tuple[Diagnostic, ...]
    reconciled: Reconciled | None  # with an identity: the next lockfile and what changed
    media: tuple[MediaFile, ...]
    deck_names: tuple[str, ...]  # every Anki deck the items go to
    item_count: int

    @property
    def item_ids(self) -> list[str]:
        return [item_id for summary in self.files for item_id in summary.items.ids]


def run_pass(
    sources: Sources,
    diags: Diagnostics,
    *,
    cache: FileCache,
    identity: Identity | None = None,
    sinks: Sequence[Sink] = (),
    base: BuildIndex | None = None,
    track: FileTracker | None = None,
) -> PassResult | None:
    """Read, validate and (with ``identity``) compile every card file, handing each to ``sinks``.

    ``base`` is the index of the last build, whose lockfile ``identity`` holds. Returns None
    when any error was found (all are in ``diags``); sinks see no file after the first error.
    """
    files, deck = sources.folder.card_files, sources.deck
    diags.items.extend(sources.problems)
    keys = {index: cache_key(file, sources.deck_digest) for index, file in enumerate(files)}
    previous = {summary.path: summary for summary in base.files} if base else {}
    reused = {
        i: previous[str(f.path)] for i, f in enumerate(files) if reusable_file(previous.get(str(f.path)), keys[i])
    }
    fresh = validated_files(
        files, sources.root, deck, {i: key for i, key in keys.items() if i not in reused}, cache, track
    )
    old_positions = base.starts() if base else {}
    reconciler = Reconciler(deck, identity.lock, identity.now, diags) if identity else None
    summaries: list[FileSummary] = []
    media: dict[str, MediaFile] = {}
    position = 0
    for index, file in enumerate(files):
        if index in reused:  # as the last build (and the lockfile) has it
            summary = reused[index]
            diags.items.extend(summary.diagnostics)
            assert reconciler is not None, "an index is only used with the lockfile it describes"
            reconciler.keep(summary.entries)
            for sink in sinks:
                sink.reused(summary, position, old_positions[summary.path])
            position += len(summary.entries)
            summaries.append(summary)
            continue
        at, validated = next(fresh)
        assert at == index
        notes: tuple[Note, ...] = ()
        if identity is not None and reconciler is not None:
            notes = _compile(sources, validated, identity.notetypes, reconciler, media)
        diags.items.extend(validated.diagnostics)
        entries: tuple[LockEntry, ...] = ()
        if reconciler is not None and not diags.has_errors:  # (with an error, some items have no entry)
            entries = tuple(reconciler.entries[item.id] for item in validated.items)
        summary = FileSummary(
            str(file.path),
            keys[index],
            not validated.images,
            validated.diagnostics,
            file_items(validated.items),
            entries,
        )
        if not diags.has_errors:
            compiled = CompiledFile(summary, validated, notes, position)
            for sink in sinks:
                sink.compiled(compiled)
        position += len(notes) if identity else len(validated.items)
        summaries.append(summary)

    next(fresh, None)  # (lets the validation finish: its tracker ends, its cache is pruned)
    check_across_files([summary.items for summary in summaries], diags)
    reconciled = None
    if identity is not None and reconciler is not None and not diags.has_errors:
        reconciled = reconciler.finish(identity.notetypes)  # (before the check: it may refuse a note type's time)
    if diags.has_errors:
        return None
    subdecks = {subdeck for summary in summaries for subdeck in summary.items.subdecks}
    result = PassResult(
        deck=deck,
        files=tuple(summaries),
        warnings=tuple(diags.warnings),
        reconciled=reconciled,
        media=tuple(media[name] for name in sorted(media)),
        deck_names=tuple(sorted({deck.name, *map(deck.full_name, subdecks)})),
        item_count=position,
    )
    for sink in sinks:
        sink.finish(result)
    return result


def _compile(
    sources: Sources,
    file: ValidatedFile,
    notetypes: NoteTypes,
    reconciler: Reconciler,
    media: dict[str, MediaFile],
) -> tuple[Note, ...]:
    """The file's notes, each item reconciled with the lockfile (an id already used is skipped:
    the check across files reports it)."""
    notes: list[Note] = []
    for item, cached in zip(file.items, file.contents, strict=True):
        if item.id in reconciler.entries:
            continue
        notetype = notetypes.for_kind(item.kind)
        content, medium = item_content(sources.root, sources.deck, item, notetype, cached)
        if medium is not None:
            media[medium.name] = medium
        entry = reconciler.entry(item.id, content.content_hash, item.subdeck, item.location, item.kind)
        if entry is not None:
            notes.append(make_note(sources.deck, item, notetype, content, entry.note_id, entry.mod))
    return tuple(notes)
