"""What `build` does when something changed: compile into the working collection (the last
build's, patched, when its index allows) and make each output whose own inputs changed.

Outputs and the lockfile are renamed into place together, then the index of what was built
(`buildindex`), then the state (`buildstate`): a build that dies before leaves a state that
no longer matches, and no index, so the next build simply runs in full.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from studydeck.builder import MAX_PRINTED_ITEMS, BuildInputs, BuildResult, package_path
from studydeck.buildindex import (
    COLLECTION_FILE,
    BuildIndex,
    discard_collection,
    forget_index,
    index_context,
    journal_path,
    read_index,
    write_index,
)
from studydeck.buildstate import STATE_FILE, BuildState, file_digest, files_fingerprint, fingerprint, format_state
from studydeck.cardsfolder import LOCK_FILE, file_stat
from studydeck.diagnostics import ContentError, Diagnostic, Diagnostics, OutputError, display_path
from studydeck.lockfile import Lockfile, format_lockfile, load_lockfile, update_lockfile_text
from studydeck.model import Cards, Deck
from studydeck.notetypes import NoteTypes
from studydeck.outputs import remove_leftovers, staged, temporary_sibling, write_atomic

if TYPE_CHECKING:
    from studydeck.assemble import Assembled
    from studydeck.progress import FileTracker


def make_outputs(
    inputs: BuildInputs, notetypes: NoteTypes, now: float, strict: bool, track: FileTracker | None = None
) -> BuildResult:
    """Compile the folder (patching the last build's collection when there is one) and make
    every output whose inputs changed; rename them and the lockfile into place together."""
    from studydeck.collect import load_deck_file

    cards_dir, out_dir = inputs.cards_dir, inputs.out_dir
    diags = Diagnostics()
    loaded = load_deck_file(inputs.folder, diags)
    if loaded is None:
        raise ContentError(diags.sorted())
    deck, deck_digest = loaded
    context = index_context(deck_digest, [nt.content_hash() for nt in notetypes])
    target = package_path(out_dir, deck.id)
    lock_path = cards_dir / LOCK_FILE
    # Read once: the index is checked against, and the lockfile updated from, the same bytes.
    lock_bytes = _read_bytes(lock_path)
    base = _usable_index(out_dir, context, lock_bytes, target)
    lock = base.lockfile if base else load_lockfile(lock_path)
    remove_leftovers([out_dir / COLLECTION_FILE])
    if base is None:
        discard_collection(out_dir)
    canonical = temporary_sibling(out_dir / COLLECTION_FILE)
    try:
        assembled, card_count = _assemble(
            inputs, deck, deck_digest, lock, notetypes, now, base, canonical, diags, strict, track
        )
        warnings = tuple(diags.warnings)
        return _write(inputs, deck, assembled, card_count, warnings, base, lock_bytes, canonical, context)
    finally:
        canonical.unlink(missing_ok=True)


def _replace_in_background(new: Path, target: Path) -> None:
    """Rename ``new`` onto ``target``, releasing the old file in a thread: freeing a large
    collection's disk pages takes a one-item rebuild 20 ms, which the writes after it can hide.
    (A build killed meanwhile leaves a temporary file that the next one deletes.)"""
    old = temporary_sibling(target)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    threading.Thread(target=old.unlink, kwargs={"missing_ok": True}).start()


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:  # (absent, or unreadable: `load_lockfile` says which)
        return None


def _usable_index(out_dir: Path, context: str, lock_bytes: bytes | None, package: Path) -> BuildIndex | None:
    """The last build's index, if everything it describes is still exactly as that build left it."""
    index = read_index(out_dir)
    if index is None or index.context != context or journal_path(out_dir).exists():
        return None  # (a journal: a build died while changing the collection)
    if (
        lock_bytes is None
        or hashlib.sha256(lock_bytes).hexdigest() != index.lock_digest
        or None in (index.package, index.collection)
        or file_stat(package) != index.package
        or file_stat(out_dir / COLLECTION_FILE) != index.collection
    ):
        return None
    return index


def decks_key(deck: Deck, assembled: Assembled) -> str:
    """What the collection's description of its decks and note types is made from."""
    notetypes = [(nt.id, nt.content_hash(), mod) for nt, mod in assembled.notetypes]
    return fingerprint([deck.id, deck.name, deck.description, repr(assembled.deck_names), repr(notetypes)])


def _assemble(
    inputs: BuildInputs,
    deck: Deck,
    deck_digest: str,
    lock: Lockfile,
    notetypes: NoteTypes,
    now: float,
    base: BuildIndex | None,
    canonical: Path,
    diags: Diagnostics,
    strict: bool,
    track: FileTracker | None,
) -> tuple[Assembled, int]:
    """Compile into the working collection (the last one, or a new one) and write its canonical
    copy to ``canonical``; nothing is changed unless the cards have no errors."""
    from studydeck.assemble import assemble
    from studydeck.cache import FileCache, default_cache_dir
    from studydeck.package import Collection

    out_dir = inputs.out_dir
    working = out_dir / COLLECTION_FILE if base else temporary_sibling(out_dir / COLLECTION_FILE)
    if not base:
        working.unlink()  # SQLite makes it afresh
    try:
        collection = Collection(working, deck, fresh=base is None)
        try:
            cache = FileCache(default_cache_dir())
            assembled = assemble(
                inputs.folder, deck, deck_digest, lock, notetypes, now, cache, diags, collection, base, track
            )
            if assembled is None:
                raise ContentError(diags.sorted())
            if strict and diags.warnings:
                raise ContentError(list(diags.warnings))
            forget_index(out_dir)  # the working collection is about to change
            if base is None or base.decks != decks_key(deck, assembled):
                collection.set_decks(assembled.deck_names, assembled.notetypes)
            collection.finish(canonical)
            card_count = collection.card_count()
        finally:
            collection.close()  # without `finish`, SQLite rolls every change back
    except sqlite3.OperationalError as exc:  # our SQL is fixed: this is the disk (full, read-only, failing)
        raise OutputError(f"cannot write in {display_path(str(out_dir))}: {exc}") from exc
    finally:
        if not base:
            working.unlink(missing_ok=True)
    return assembled, card_count


def _write(
    inputs: BuildInputs,
    deck: Deck,
    assembled: Assembled,
    card_count: int,
    warnings: tuple[Diagnostic, ...],
    base: BuildIndex | None,
    old_lock: bytes | None,
    canonical: Path,
    context: str,
) -> BuildResult:
    """Make every output whose inputs changed; rename them and the lockfile into place together."""
    from studydeck.apply.manifest import manifest_entry
    from studydeck.archive import Segments, write_apkg
    from studydeck.printouts import printout_paths

    state, cards_dir, out_dir = inputs.state, inputs.cards_dir, inputs.out_dir
    target = package_path(out_dir, deck.id)
    lock_path = cards_dir / LOCK_FILE
    old_text = None if old_lock is None else old_lock.decode("utf-8", errors="replace")
    if base is not None and old_text is not None:  # the lockfile the index describes: change only what changed
        lock_text = update_lockfile_text(old_text, base.lockfile, assembled.lockfile)
    else:
        lock_text = format_lockfile(assembled.lockfile)
    lock_changed = old_text != lock_text

    # Each output is made only when what it is made from changed since the last build.
    item_ids = (item_id for summary in assembled.files for item_id in summary.items.ids)
    fingerprints = {target: fingerprint([lock_text, deck.id, deck.name, deck.description, "\n".join(item_ids)])}
    segments = base.segments if base else Segments()
    writers: dict[Path, Callable[[Path], object]] = {}
    if base is None or not state.is_current(target, fingerprints[target]):

        def write_package(temp: Path) -> None:
            nonlocal segments
            media = [("media", json.dumps({str(i): m.name for i, m in enumerate(assembled.media)}).encode())]
            media += [(str(i), m.path.read_bytes()) for i, m in enumerate(assembled.media)]
            media.append(manifest_entry(deck, assembled.lockfile))  # what `studydeck apply` needs (Anki ignores it)
            segments = write_apkg(temp, canonical, media, (target, base.segments) if base else None)

        writers[target] = write_package
    printouts: list[Path] = []
    if 0 < assembled.note_count <= MAX_PRINTED_ITEMS:
        from studydeck.cache import encode_items
        from studydeck.pdf import TEMPLATES
        from studydeck.printouts import build_printouts, deck_date

        cards = _load_cards(inputs)
        printouts = printout_paths(deck.id, out_dir)
        date = deck_date(assembled.lockfile)
        sources = repr(sorted(deck.sources.items()))
        templates = files_fingerprint(sorted(TEMPLATES.glob("*.typ")))  # an edited template reprints
        printout_inputs = fingerprint([encode_items(cards.items), deck.name, deck.id, sources, date, templates])
        fingerprints.update(dict.fromkeys(printouts, printout_inputs))
        if not all(state.is_current(path, printout_inputs) for path in printouts):
            for path, pdf in build_printouts(cards, out_dir, date).items():
                writers[path] = lambda temp, pdf=pdf: temp.write_bytes(pdf)  # type: ignore[misc]
    if lock_changed:
        writers[lock_path] = lambda temp: temp.write_text(lock_text, encoding="utf-8")

    state_path = out_dir / STATE_FILE
    remove_leftovers([target, lock_path, *printouts, state_path])
    digests = {path: state.outputs[path.name][1] for path in fingerprints if path not in writers}
    with staged(list(writers)) as temps:
        for path, temp in zip(writers, temps, strict=True):
            writers[path](temp)
            digests[path] = file_digest(temp)
    if not printouts:  # printouts of an earlier, smaller deck no longer describe it
        for stale in printout_paths(deck.id, out_dir):
            stale.unlink(missing_ok=True)
    working = out_dir / COLLECTION_FILE
    _replace_in_background(canonical, working)
    write_index(
        out_dir,
        BuildIndex(
            context=context,
            files=assembled.files,
            lockfile=assembled.lockfile,
            lock_digest=hashlib.sha256(lock_text.encode()).hexdigest(),
            package=file_stat(target),
            segments=segments,
            collection=file_stat(working),
            decks=decks_key(deck, assembled),
        ),
    )
    # Written last: if this build dies before, the old state no longer matches and the next
    # build simply runs in full.
    images = tuple(sorted({m.path.relative_to(cards_dir).as_posix() for m in assembled.media}))
    new_state = BuildState(
        outputs={path.name: (fingerprints[path], digests[path]) for path in fingerprints},
        inputs=inputs.fingerprint(images),
        images=images,
        warnings=tuple((w.location.path, w.location.line, w.location.col, w.message) for w in warnings),
        counts=(assembled.note_count, card_count),
        known=inputs.known_files(),
    )
    write_atomic(state_path, lambda temp: temp.write_text(format_state(new_state), encoding="utf-8"))
    return BuildResult(
        package=target,
        report=assembled.report,
        warnings=warnings,
        note_count=assembled.note_count,
        card_count=card_count,
        printouts=tuple(printouts),
        written=tuple(path for path in writers if path != lock_path),
        printouts_skipped=assembled.note_count > 0 and not printouts,
    )


def _load_cards(inputs: BuildInputs) -> Cards:
    """The whole deck, for the printouts (a small deck: its files are in the cache by now)."""
    from studydeck.cache import FileCache, default_cache_dir
    from studydeck.collect import collect_cards

    diags = Diagnostics()
    collected = collect_cards(inputs.folder, FileCache(default_cache_dir()), diags)
    if collected is None:
        raise ContentError(diags.sorted())
    return collected.cards
