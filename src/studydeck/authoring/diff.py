"""`studydeck diff`: which items changed, and how, since a git revision or since the last build.

Both comparisons end in a `CardsDiff`. Against a revision, the cards folder is materialised
from git and compared with the working tree item by item. Against the last build, the
lockfile says which items changed (exactly what the next build will report); it holds only
hashes, so the old texts come from the committed cards whenever their hash matches it.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from studydeck.anki.notes import item_content, media_name
from studydeck.anki.notetypes import DEFAULT_NOTE_TYPES
from studydeck.diagnostics import ContentError, Diagnostic
from studydeck.engine.cache import FileCache, default_cache_dir
from studydeck.engine.pipeline import Identity, open_folder
from studydeck.engine.sinks import compile_deck, load_cards
from studydeck.identity.lockfile import Lockfile, load_lockfile
from studydeck.model import Cards, Item
from studydeck.source.folder import LOCK_FILE


class RevisionError(Exception):
    """A git revision could not be read: not a repository, unknown revision, no cards there."""


@dataclass(frozen=True, slots=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ChangedItem:
    item: Item  # as it is now
    fields: tuple[FieldChange, ...] | None  # None when the old version is unknown


@dataclass(frozen=True, slots=True)
class RemovedItem:
    id: str
    item: Item | None  # None when the old version is unknown


@dataclass(frozen=True, slots=True)
class MovedItem:
    id: str
    old_deck: str
    new_deck: str


@dataclass(frozen=True)
class CardsDiff:
    base: str  # what the cards were compared with, for people: "HEAD~3", "the last build"
    added: tuple[Item, ...] = ()
    changed: tuple[ChangedItem, ...] = ()
    removed: tuple[RemovedItem, ...] = ()
    moved: tuple[MovedItem, ...] = ()
    unknown_old_text: str | None = None  # why some old texts could not be shown

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.changed or self.removed or self.moved)


def item_fields(cards: Cards, item: Item) -> dict[str, str]:
    """An item's content as comparable, printable text, field by field (its subdeck excepted)."""
    source = ""
    if item.source is not None:
        source = item.source.key + (f", {item.source.section}" if item.source.section else "")
    image = ""
    if item.image:  # the file's digest too, so that replacing the picture counts as a change
        image = f"{item.image} ({media_name(cards.root / item.image)[3:11]})"
    return {
        "category": item.category,
        "q": item.q,
        "a": item.a,
        "cloze": item.cloze,
        "extra": item.extra,
        "caution": item.caution,
        "tags": ", ".join(item.tags),
        "source": source,
        "image": image,
        "wrong": " | ".join(item.wrong),
        "reverse": "true" if item.reverse else "",
    }


def field_changes(old_cards: Cards, old: Item, new_cards: Cards, new: Item) -> tuple[FieldChange, ...]:
    before, after = item_fields(old_cards, old), item_fields(new_cards, new)
    return tuple(FieldChange(name, before[name], after[name]) for name in after if before[name] != after[name])


def compare(old: Cards, new: Cards, base: str) -> CardsDiff:
    """Item by item, by id: what is in ``new`` that was not in ``old``, and so on."""
    old_items = {item.id: item for item in old.items}
    new_ids = {item.id for item in new.items}
    changed: list[ChangedItem] = []
    moved: list[MovedItem] = []
    for item in new.items:
        before = old_items.get(item.id)
        if before is None:
            continue
        fields = field_changes(old, before, new, item)
        if fields:
            changed.append(ChangedItem(item, fields))
        if before.subdeck != item.subdeck:
            moved.append(MovedItem(item.id, old.anki_deck_name(before), new.anki_deck_name(item)))
    return CardsDiff(
        base=base,
        added=tuple(item for item in new.items if item.id not in old_items),
        changed=tuple(changed),
        removed=tuple(RemovedItem(item.id, item) for item in old.items if item.id not in new_ids),
        moved=tuple(moved),
    )


def _load(cards_dir: Path) -> Cards:
    return load_cards(open_folder(cards_dir), FileCache(default_cache_dir()))


def diff_since_revision(cards_dir: Path, revision: str) -> CardsDiff:
    """What changed in the cards folder (as it is now) since a git revision."""
    new = _load(cards_dir)
    with cards_at_revision(cards_dir, revision) as old:
        return compare(old, new, revision)


def diff_since_build(cards_dir: Path) -> CardsDiff:
    """What changed since the last build: the items the next build will report, with old texts when known."""
    cards_dir = Path(cards_dir)
    lock = load_lockfile(cards_dir / LOCK_FILE)
    identity = Identity(lock, time.time(), DEFAULT_NOTE_TYPES)
    compiled = compile_deck(open_folder(cards_dir), identity, FileCache(default_cache_dir()))
    new, report = compiled.cards, compiled.report
    current = {item.id: item for item in new.items}
    committed: Cards | None = None
    built: dict[str, Item] = {}
    why_unknown = "HEAD does not hold what was last built (commit the cards after each build to see old texts)"
    with contextlib.ExitStack() as stack:
        if report.changed or report.removed:
            try:
                committed = stack.enter_context(cards_at_revision(cards_dir, "HEAD"))
                built = built_versions(committed, lock)
            except RevisionError as exc:
                why_unknown = str(exc)
            except ContentError:
                why_unknown = "the committed cards (HEAD) do not load"

        def changes(item_id: str) -> tuple[FieldChange, ...] | None:
            if committed is None or item_id not in built:
                return None
            return field_changes(committed, built[item_id], new, current[item_id])

        changed = tuple(ChangedItem(current[item_id], changes(item_id)) for item_id in report.changed)
    removed = tuple(RemovedItem(item_id, built.get(item_id)) for item_id in report.removed)
    unknown = any(c.fields is None for c in changed) or any(r.item is None for r in removed)
    return CardsDiff(
        base="the last build" if lock.items or lock.gone else "the last build (there was none)",
        added=tuple(current[item_id] for item_id in report.added),
        changed=changed,
        removed=removed,
        moved=tuple(MovedItem(*move) for move in report.moved),
        unknown_old_text=why_unknown if unknown else None,
    )


def built_versions(committed: Cards, lock: Lockfile) -> dict[str, Item]:
    """The committed items whose content hash is the one the last build recorded."""
    built = {}
    for item in committed.items:
        if item.id in lock.items:
            notetype = DEFAULT_NOTE_TYPES.for_kind(item.kind)
            content, _ = item_content(committed.root, committed.deck, item, notetype, None)
            if lock.items[item.id].hash == content.content_hash:
                built[item.id] = item
    return built


@contextlib.contextmanager
def cards_at_revision(cards_dir: Path, revision: str) -> Iterator[Cards]:
    """The cards folder as it was at ``revision``, loaded from a temporary copy.

    The folder may sit anywhere inside the repository. Errors in the old cards are
    reported at ``REVISION:path/in/repo:line:col``.
    """
    cards_dir = Path(cards_dir)
    if not cards_dir.is_dir():
        raise RevisionError(f"{cards_dir} is not a folder")
    top, prefix = _git(cards_dir, "rev-parse", "--show-toplevel", "--show-prefix").decode().splitlines()
    if not _git_ok(cards_dir, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"):
        raise RevisionError(f"unknown git revision {revision!r}")
    try:  # from the top: in a subfolder, git would also filter the tree by that subfolder
        archive = _git(Path(top), "archive", "--format=tar", f"{revision}:{prefix}")
    except RevisionError:
        folder = prefix or "the repository's root"
        raise RevisionError(f"the cards folder ({folder}) does not exist at {revision}") from None
    with tempfile.TemporaryDirectory(prefix="studydeck-diff-") as tmp:
        root = Path(tmp)
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(root, filter="data")
        (root / LOCK_FILE).unlink(missing_ok=True)
        try:
            yield _load(root)
        except ContentError as exc:
            label = f"{revision}:{prefix.rstrip('/')}" if prefix else f"{revision}:"
            raise ContentError([_relocated(d, str(root), label) for d in exc.diagnostics]) from None


def _relocated(diagnostic: Diagnostic, old_root: str, new_root: str) -> Diagnostic:
    path = diagnostic.location.path
    if path.startswith(old_root):
        path = new_root + path[len(old_root) :].replace("\\", "/")
    return replace(diagnostic, location=replace(diagnostic.location, path=path))


def _git(cwd: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise RevisionError("git is not installed") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().removeprefix("fatal: ")
        raise RevisionError(message or f"git {args[0]} failed")
    return done.stdout


def _git_ok(cwd: Path, *args: str) -> bool:
    try:
        _git(cwd, *args)
    except RevisionError:
        return False
    return True
