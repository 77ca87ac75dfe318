"""What `build` does when something changed, as named steps in the order that keeps every
file whole whenever the build dies (`make_outputs` reads top to bottom).

The pass compiles the cards into the working collection: the last build's, patched, when
its index may be used (`staleness.usable_index`), else a new one. Each output whose own
inputs changed is then made in a temporary file, and all are renamed into place together
with the lockfile; then the working collection is replaced, then the index that describes
it is written, and the state last. A build that dies before the state is written leaves a
state that no longer matches, so the next build simply runs again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from studydeck.anki.apkg import Kept, Segments
from studydeck.anki.collection import Collection
from studydeck.anki.manifest import manifest_entry
from studydeck.anki.notes import MediaFile
from studydeck.anki.notetypes import NoteTypes
from studydeck.diagnostics import ContentError, Diagnostics, DiagnosticSummary, OutputError, display_path, summarise
from studydeck.engine import BuildResult, package_path
from studydeck.engine.cache import FileCache
from studydeck.engine.index import (
    COLLECTION_FILE,
    INDEX_FILE,
    BuildIndex,
    discard_collection,
    forget_index,
    read_index,
    write_index,
)
from studydeck.engine.pipeline import Identity, PassResult, Sources, read_sources, run_pass
from studydeck.engine.plan import BuildInputs
from studydeck.engine.session import Remembered
from studydeck.engine.sinks import CollectionSink, load_cards
from studydeck.engine.staleness import (
    decks_key,
    file_digest,
    first_build,
    index_context,
    output_is_current,
    package_inputs,
    printout_inputs,
    still_as_written,
    usable_index,
)
from studydeck.engine.state import STATE_FILE, BuildState, format_state
from studydeck.engine.validation import FileTracker
from studydeck.identity.lockfile import format_lockfile, load_lockfile, update_lockfile_text
from studydeck.identity.reconcile import Reconciled
from studydeck.outputs import Content, remove_leftovers, staged, temporary_sibling, write_atomic, write_content
from studydeck.printing.printouts import MAX_PRINTED_ITEMS, printout_paths
from studydeck.source.folder import LOCK_FILE, FileStat, file_stat, not_a_regular_file


@dataclass(frozen=True)
class Build:
    """One build's context, decided once at its start."""

    inputs: BuildInputs
    sources: Sources
    identity: Identity  # the lockfile as read (or as the index has it), the clock, the note types
    lock_bytes: bytes | None  # the lockfile as read: the index is checked against these bytes, and patched from them
    base: BuildIndex | None  # the last build's index, when everything it describes is intact
    context: str  # `staleness.index_context`
    strict: bool
    cache: FileCache
    track: FileTracker | None
    remembered: Remembered | None  # what the session remembers of its last build
    keep_package: bool  # the session keeps the package's segments for its next build

    @property
    def out_dir(self) -> Path:
        return self.inputs.out_dir

    @property
    def package(self) -> Path:
        return package_path(self.out_dir, self.sources.deck.id)

    @property
    def lock_path(self) -> Path:
        return self.inputs.cards_dir / LOCK_FILE


@dataclass(frozen=True)
class Compiled:
    """The pass's result, with the working collection's canonical copy and its card count."""

    result: PassResult
    canonical: Path
    card_count: int


def make_outputs(
    inputs: BuildInputs,
    notetypes: NoteTypes,
    now: float,
    strict: bool,
    cache: FileCache,
    track: FileTracker | None = None,
    remembered: Remembered | None = None,
    keep_package: bool = False,
) -> tuple[BuildResult, Remembered]:
    """Compile the cards and make every output whose inputs changed, in the crash-safe order;
    what was written, for the session to remember."""
    build = prepare(inputs, notetypes, now, strict, cache, track, remembered, keep_package)
    canonical = temporary_sibling(build.out_dir / COLLECTION_FILE)
    try:
        compiled = compile_into_collection(build, canonical)
        lock_text = next_lockfile_text(build, compiled.result)
        fingerprints, writers = stale_outputs(build, compiled, lock_text)
        summary = summarise(compiled.result.warnings)  # (once: the state records it for unchanged builds)
        # From here on, the order is the crash-safety contract:
        digests = write_together(build, fingerprints, writers)  # 1. outputs and lockfile, renamed together
        try:  # (the outputs are new now: an error must not say the previous ones were kept)
            remove_stale_printouts(build, fingerprints)  # 2. printouts that no longer describe the deck
            replace_working_collection(build, compiled.canonical)  # 3. the collection the index describes
            index = record_index(build, compiled.result, lock_text, writers)  # 4. what the outputs were made of
            state = record_state(build, compiled, fingerprints, digests, summary)  # 5. last: says all above is done
        except (OSError, OutputError) as exc:
            raise _after_renames(build, exc, writers) from exc
    finally:
        canonical.unlink(missing_ok=True)
    printouts = tuple(path for path in fingerprints if path.suffix == ".pdf")
    result = BuildResult(
        package=build.package,
        report=_reconciled(compiled.result).report,
        warnings=compiled.result.warnings,
        note_count=compiled.result.item_count,
        card_count=compiled.card_count,
        printouts=printouts,
        written=tuple(path for path in writers if path != build.lock_path),
        printouts_skipped=compiled.result.item_count > 0 and not printouts,
        warning_summary=summary,
        first_build=first_build(inputs.state),
    )
    writer = writers.get(build.package)
    kept = writer.kept if isinstance(writer, PackageWriter) else remembered.package if remembered else None
    return result, Remembered(state[0], state[1], index[0], index[1], kept)


def _after_renames(build: Build, exc: OSError | OutputError, writers: Writers) -> OutputError:
    """An error after step 1: it says which files are new (all of this build's outputs, and the
    lockfile if it changed); the next build, finding no record of this one, finishes the job."""
    if isinstance(exc, OutputError):
        message = str(exc)
    else:
        message = f"cannot write in {display_path(str(build.out_dir))}: {exc.strerror or exc}"
    return OutputError(f"{message} (after the new outputs were in place)", written=writers)


def prepare(
    inputs: BuildInputs,
    notetypes: NoteTypes,
    now: float,
    strict: bool,
    cache: FileCache,
    track: FileTracker | None,
    remembered: Remembered | None = None,
    keep_package: bool = False,
) -> Build:
    """deck.yaml, the lockfile (read once), and the last build's index if it may be used (from
    the session's memory while the file is as its last build wrote it)."""
    diags = Diagnostics()
    sources = read_sources(inputs.folder, diags)
    if sources is None:
        raise ContentError(diags.sorted())
    context = index_context(sources.deck_digest, notetypes)
    lock_path = inputs.cards_dir / LOCK_FILE
    lock_bytes = _read_bytes(lock_path)
    if remembered is not None and still_as_written(inputs.out_dir / INDEX_FILE, remembered.index_stat):
        index = remembered.index
    else:
        index = read_index(inputs.out_dir)
    base = (
        index
        if usable_index(index, inputs.out_dir, context, lock_bytes, package_path(inputs.out_dir, sources.deck.id))
        else None
    )
    lock = base.lockfile if base else load_lockfile(lock_path)
    identity = Identity(lock, now, notetypes)
    return Build(inputs, sources, identity, lock_bytes, base, context, strict, cache, track, remembered, keep_package)


def compile_into_collection(build: Build, canonical: Path) -> Compiled:
    """Run the pass into the working collection (the last one, or a new one) and write its
    canonical copy to ``canonical``; nothing is changed unless the cards have no errors."""
    out_dir, base = build.out_dir, build.base
    remove_leftovers([out_dir / COLLECTION_FILE, out_dir / INDEX_FILE])
    if base is None:
        discard_collection(out_dir)
    working = out_dir / COLLECTION_FILE if base else temporary_sibling(out_dir / COLLECTION_FILE)
    if not base:
        working.unlink()  # SQLite makes it afresh
    diags = Diagnostics()
    try:
        collection = Collection(working, build.sources.deck, fresh=base is None)
        try:
            sink = CollectionSink(collection, base)
            result = run_pass(
                build.sources,
                diags,
                cache=build.cache,
                identity=build.identity,
                sinks=[sink],
                base=base,
                track=build.track,
            )
            if result is None:
                raise ContentError(diags.sorted())
            if build.strict and result.warnings:
                raise ContentError(list(result.warnings))
            forget_index(out_dir)  # the working collection is about to change
            reconciled = _reconciled(result)
            decks = decks_key(build.sources.deck, result.deck_names, reconciled.notetypes)
            if base is None or base.decks != decks:
                collection.set_decks(result.deck_names, reconciled.notetypes)
            collection.finish(canonical)
            card_count = collection.card_count()
        finally:
            collection.close()  # without `finish`, SQLite rolls every change back
    except sqlite3.OperationalError as exc:  # our SQL is fixed: this is the disk (full, read-only, failing)
        raise OutputError(f"cannot write in {display_path(str(out_dir))}: {exc}") from exc
    finally:
        if not base:
            working.unlink(missing_ok=True)
    return Compiled(result, canonical, card_count)


def next_lockfile_text(build: Build, result: PassResult) -> str:
    """The lockfile to write: when the index describes the lockfile as read, only the lines that differ change."""
    new = _reconciled(result).lockfile
    old_text = None if build.lock_bytes is None else build.lock_bytes.decode("utf-8", errors="replace")
    if build.base is not None and old_text is not None:
        return update_lockfile_text(old_text, build.base.lockfile, new)
    return format_lockfile(new)


Writers = dict[Path, Content]


@dataclass
class PackageWriter:
    """Writes the package, compressing the collection in segments and copying the ones the
    last package already has; it remembers how it compressed (for the next build's index) and,
    in a session that keeps them (`watch`), the segments themselves (for its next build)."""

    canonical: Path
    media: tuple[MediaFile, ...]
    manifest: tuple[str, bytes]  # what `studydeck apply` needs (Anki's import ignores it)
    previous: tuple[Path, Segments] | None
    kept: Kept | None = None  # the last package's segments in memory, from the session
    keep: bool = False
    segments: Segments = field(default_factory=Segments)

    def __call__(self, temp: Path) -> None:
        from studydeck.anki.apkg import write_package

        files = [("media", json.dumps({str(i): m.name for i, m in enumerate(self.media)}).encode())]
        files += [(str(i), m.path.read_bytes()) for i, m in enumerate(self.media)]
        files.append(self.manifest)
        self.segments, self.kept = write_package(temp, self.canonical, files, self.previous, self.kept, self.keep)


def stale_outputs(build: Build, compiled: Compiled, lock_text: str) -> tuple[dict[Path, str], Writers]:
    """Each output's fingerprint, and a writer for each one whose inputs changed (and for the
    lockfile when its text did)."""
    result, base, package = compiled.result, build.base, build.package
    fingerprints = {package: package_inputs(lock_text, build.sources.deck, result.item_ids)}
    writers: Writers = {}
    if base is None or not output_is_current(build.inputs.state, package, fingerprints[package]):
        previous = (package, base.segments) if base else None
        removed = {entry.id: entry.mod for entry in _reconciled(result).lockfile.gone.values()}
        manifest = manifest_entry(build.sources.deck, removed)
        kept = build.remembered.package if build.remembered else None
        writers[package] = PackageWriter(
            compiled.canonical, result.media, manifest, previous, kept, build.keep_package
        )
    if 0 < result.item_count <= MAX_PRINTED_ITEMS:
        fingerprints.update(printouts(build, result, writers))
    if build.lock_bytes is None or build.lock_bytes.decode("utf-8", errors="replace") != lock_text:
        writers[build.lock_path] = lock_text
    return fingerprints, writers


def printouts(build: Build, result: PassResult, writers: Writers) -> dict[Path, str]:
    """The whole-deck printouts' fingerprints; a writer for each, when their inputs changed."""
    from studydeck.printing.pdf import TEMPLATES
    from studydeck.printing.printouts import build_printouts, deck_date

    date = deck_date(_reconciled(result).lockfile)
    paths = printout_paths(build.sources.deck.id, build.out_dir)
    inputs = printout_inputs((f.key for f in result.files), build.sources.deck, date, sorted(TEMPLATES.glob("*.typ")))
    if not all(output_is_current(build.inputs.state, path, inputs) for path in paths):
        cards = load_cards(build.sources, build.cache)
        writers.update(build_printouts(cards, build.out_dir, date))
    return dict.fromkeys(paths, inputs)


def write_together(build: Build, fingerprints: dict[Path, str], writers: Writers) -> dict[Path, str]:
    """Make every stale output and the lockfile in temporary files, then rename them all into
    place; the digest of each output, as written now or as the state recorded it."""
    state = build.inputs.state
    remove_leftovers([*fingerprints, build.lock_path, build.out_dir / STATE_FILE])
    digests = {path: state.outputs[path.name][1] for path in fingerprints if path not in writers}
    with staged(list(writers)) as temps:
        for (path, content), temp in zip(writers.items(), temps, strict=True):
            write_content(temp, content)
            digests[path] = file_digest(temp)
    return digests


def remove_stale_printouts(build: Build, fingerprints: dict[Path, str]) -> None:
    """Printouts of an earlier, smaller deck no longer describe it."""
    for path in printout_paths(build.sources.deck.id, build.out_dir):
        if path not in fingerprints:
            path.unlink(missing_ok=True)


def replace_working_collection(build: Build, canonical: Path) -> None:
    """The canonical copy becomes the working collection the next build patches. The old one
    is released in a thread: freeing a large collection's disk pages takes a one-item rebuild
    20 ms, which the writes after it can hide. (A build killed meanwhile leaves a temporary
    file that the next one deletes.)"""
    working = build.out_dir / COLLECTION_FILE
    old = temporary_sibling(working)
    if working.exists():
        os.replace(working, old)
    os.replace(canonical, working)
    threading.Thread(target=old.unlink, kwargs={"missing_ok": True}).start()


def record_index(
    build: Build, result: PassResult, lock_text: str, writers: Writers
) -> tuple[BuildIndex, FileStat | None]:
    """What the working collection, the package and the lockfile now hold, for the next build."""
    writer = writers.get(build.package)
    segments = (
        writer.segments if isinstance(writer, PackageWriter) else build.base.segments if build.base else Segments()
    )
    reconciled = _reconciled(result)
    index = BuildIndex(
        context=build.context,
        files=result.files,
        lockfile=reconciled.lockfile,
        lock_digest=hashlib.sha256(lock_text.encode()).hexdigest(),
        package=file_stat(build.package),
        segments=segments,
        collection=file_stat(build.out_dir / COLLECTION_FILE),
        decks=decks_key(build.sources.deck, result.deck_names, reconciled.notetypes),
    )
    written = write_index(build.out_dir, index, build.base)
    return written, file_stat(build.out_dir / INDEX_FILE)


def record_state(
    build: Build,
    compiled: Compiled,
    fingerprints: dict[Path, str],
    digests: dict[Path, str],
    summary: DiagnosticSummary,
) -> tuple[BuildState, FileStat | None]:
    """What this build made from what: the next build with the same inputs does nothing."""
    inputs, result = build.inputs, compiled.result
    images = tuple(sorted({m.path.relative_to(inputs.cards_dir).as_posix() for m in result.media}))
    state = BuildState(
        outputs={path.name: (fingerprints[path], digests[path]) for path in fingerprints},
        inputs=inputs.fingerprint(images),
        images=images,
        warnings=result.warnings,
        counts=(result.item_count, compiled.card_count),
        known=inputs.known_files(),
        summary=summary,
    )
    write_atomic(build.out_dir / STATE_FILE, format_state(state))
    return state, file_stat(build.out_dir / STATE_FILE)


def _reconciled(result: PassResult) -> Reconciled:
    assert result.reconciled is not None, "a build's pass has an identity"
    return result.reconciled


def _read_bytes(path: Path) -> bytes | None:
    if not_a_regular_file(path):  # (`load_lockfile` says what it is; a pipe is never read)
        return None
    try:
        return path.read_bytes()
    except OSError:  # (absent, or unreadable: `load_lockfile` says which)
        return None
