"""cards/studydeck.lock: what each item looked like when it was last built (DESIGN.md §4).

One line per item, sorted by id, so it diffs and merges like source code:

    item <id> [cloze] <content hash> <note id: first seen, ms> <last changed: s> [<subdeck>]

Removed items stay as ``gone`` lines so a reused id is noticed; the note types get a
``notetype`` line each. Only a successful build rewrites the file.

Format 2 marks cloze items (`cloze` after the id), so that a build can tell when an item
turned from basic into cloze or back, which Anki's import cannot apply. Format 1 files (no
marks: every item's kind unknown) are still read, and are written back as format 1 until a
build, which knows every item's kind, writes format 2.
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, NamedTuple

from studydeck.diagnostics import ContentError, Diagnostic, Diagnostics, Location, Severity
from studydeck.model import ID_PATTERN
from studydeck.source.folder import not_a_regular_file

FORMAT_LINE = "studydeck-lock 2"
FORMAT_LINE_1 = "studydeck-lock 1"  # read, and kept by `lock --forget/--repair`; a build writes format 2
HEADER = """\
# studydeck lockfile: written by `studydeck build`; commit it together with the cards.
# It keeps each note's identity and modification time stable across rebuilds. Do not edit it;
# if it is damaged (e.g. by a merge), `studydeck lock --repair` rewrites it.
# item <id> [cloze] <content hash> <note id = first seen, ms> <last changed, s> [<subdeck>]
"""
_HASH = re.compile(r"[0-9a-f]{16}\Z")
_ENTRY = re.compile(r"([a-z0-9][a-z0-9._-]*) (?:(cloze) )?([0-9a-f]{16}) ([0-9]{1,16}) ([0-9]{1,16})(?: (.+))?\Z")
_INT = re.compile(r"[0-9]{1,16}\Z")

# -- what numbers a lockfile may hold: one rule for reading, repairing and building -----------
#
# Numbers that fit the format but not a build once crashed it: a time of 999999999999 (the
# printouts' date: "year 33658 is out of range"), two note ids 1 apart whose cards' ids collide
# (note id + card ordinal), a note id so large that the next one has 17 digits. `parse_line`
# refuses a number out of range and `crowded_note_ids` note ids too close together, so `lock`,
# `lock --repair`, `check` and `build` all see the same damage; the reconciler never writes
# a number that breaks the rule.

#: The latest time a lockfile records (seconds): the end of the year 9999, the last date a
#: printout can show. (Modification times of items and note types.)
MAX_TIME = 253_402_300_799
#: The largest note id (the time the item was first built, in milliseconds): the same instant.
MAX_NOTE_ID = MAX_TIME * 1000 + 999
#: Note ids are at least this far apart: a card's id is its note's id plus its ordinal (a cloze
#: has up to 99 cards), so cards of different notes never share an id.
NOTE_ID_STRIDE = 100


def time_problem(seconds: int) -> str | None:
    """Why ``seconds`` cannot be a lockfile time, or None."""
    return None if seconds <= MAX_TIME else f"time {seconds} is after the year 9999, the latest a lockfile records"


def note_id_problem(note_id: int) -> str | None:
    """Why ``note_id`` cannot be a lockfile note id, or None."""
    if 1 <= note_id <= MAX_NOTE_ID:
        return None
    return f"note id {note_id} is not a time from 1970 to the year 9999 (in milliseconds)"


def free_note_ids(lowest: Callable[[], int], highest: int, start: int = 0) -> Iterator[int]:
    """Note ids `NOTE_ID_STRIDE` apart and clear of every id from ``lowest()`` (asked only when
    needed) to ``highest``: from ``start`` or just above ``highest`` up to `MAX_NOTE_ID`, then
    down from just below ``lowest()``. (A lockfile has room for 2.5 trillion notes.)"""
    note_id = max(start, highest + NOTE_ID_STRIDE)
    while note_id <= MAX_NOTE_ID:
        yield note_id
        note_id += NOTE_ID_STRIDE
    note_id = (lowest() or MAX_NOTE_ID + 1) - NOTE_ID_STRIDE
    while note_id >= 1:
        yield note_id
        note_id -= NOTE_ID_STRIDE


def crowded_note_ids(entries: Iterable[LockEntry]) -> Iterator[tuple[LockEntry, LockEntry]]:
    """Each entry whose note id is less than `NOTE_ID_STRIDE` above another's (or equal to it),
    with that other entry: their cards' ids could collide. Ordered by note id, then item id."""
    previous: LockEntry | None = None
    for entry in sorted(entries, key=lambda e: (e.note_id, e.id)):
        if previous is not None and entry.note_id - previous.note_id < NOTE_ID_STRIDE:
            yield entry, previous
        else:
            previous = entry


class LockEntry(NamedTuple):  # a tuple: a large deck's lockfile has 100k of them
    id: str
    hash: str
    note_id: int
    mod: int
    subdeck: str = ""
    kind: Literal["", "cloze"] = ""  # "": basic (in a format 1 lockfile: not recorded)


@dataclass(frozen=True, slots=True)
class NoteTypeEntry:
    id: int
    hash: str
    mod: int


@dataclass(frozen=True)
class Lockfile:
    deck_id: str | None = None
    notetypes: dict[int, NoteTypeEntry] = field(default_factory=dict)
    items: dict[str, LockEntry] = field(default_factory=dict)
    gone: dict[str, LockEntry] = field(default_factory=dict)
    kinds_known: bool = True  # False for a format 1 lockfile, which did not record cloze items

    @property
    def last_change(self) -> int:
        """The newest modification time recorded (seconds), 0 for a new deck."""
        times = [e.mod for e in self.items.values()] + [n.mod for n in self.notetypes.values()]
        return max(times, default=0)

    @property
    def max_note_id(self) -> int:
        note_ids = map(operator.itemgetter(2), itertools.chain(self.items.values(), self.gone.values()))
        return max(note_ids, default=0)

    @property
    def min_note_id(self) -> int:
        note_ids = map(operator.itemgetter(2), itertools.chain(self.items.values(), self.gone.values()))
        return min(note_ids, default=0)

    def free_note_ids(self, now_ms: int) -> Iterator[int]:
        """Note ids for new items, `NOTE_ID_STRIDE` apart and clear of every id recorded: from
        ``now_ms`` (or just above the largest) while they stay in range, then below the smallest."""
        return free_note_ids(lambda: self.min_note_id, self.max_note_id, now_ms)


def format_lockfile(lock: Lockfile) -> str:
    lines = _head_lines(lock)
    for kind, entries in (("item", lock.items), ("gone", lock.gone)):
        ordered = sorted(entries.values())  # by id: no two are equal
        if not lock.kinds_known:  # format 1 has no marks (an older studydeck would drop such lines)
            ordered = [entry._replace(kind="") for entry in ordered]
        lines += [_line(kind, entry) for entry in ordered]
    return "\n".join(lines) + "\n"


def _head_lines(lock: Lockfile) -> list[str]:
    lines = [HEADER.rstrip("\n"), FORMAT_LINE if lock.kinds_known else FORMAT_LINE_1]
    if lock.deck_id:
        lines.append(f"deck {lock.deck_id}")
    lines += [f"notetype {nt.id} {nt.hash} {nt.mod}" for nt in sorted(lock.notetypes.values(), key=lambda n: n.id)]
    return lines


def _line(kind: str, entry: LockEntry) -> str:
    id_, hash_, note_id, mod, subdeck, item_kind = entry
    if item_kind:
        id_ = f"{id_} {item_kind}"
    return f"{kind} {id_} {hash_} {note_id} {mod} {subdeck}" if subdeck else f"{kind} {id_} {hash_} {note_id} {mod}"


#: Beyond this many changed entries, `update_lockfile_text` formats the whole file instead.
MAX_LINES_UPDATED = 2000


def update_lockfile_text(text: str, old: Lockfile, new: Lockfile) -> str:
    """`format_lockfile(new)`, made by changing only the lines that differ in ``text``, which
    must be `format_lockfile(old)` (a 100,000-item lockfile is formatted in 90 ms, updated in 10)."""
    sections = {"item": text.find("\nitem "), "gone": text.find("\ngone ")}  # where each kind's lines start
    changed = {"item": _changed(old.items, new.items), "gone": _changed(old.gone, new.gone)}
    if sum(map(len, changed.values())) > MAX_LINES_UPDATED or not (old.kinds_known and new.kinds_known):
        return format_lockfile(new)
    spliced = _splice(text, new, changed)
    if spliced is not None:
        return spliced
    lines = _head_lines(new)
    end = len(text) - 1  # (before the final line feed)
    for kind, start in sections.items():
        following = [at for at in sections.values() if at > start]
        section = text[start + 1 : min(following, default=end)] if start >= 0 else ""
        body = section.split("\n") if section else []
        entries = new.items if kind == "item" else new.gone
        for item_id in sorted(changed[kind]):
            # Lines sort as their ids do ("item a " < "item a-b "), so bisect finds an id's place.
            at = bisect.bisect_left(body, f"{kind} {item_id} ")
            present = at < len(body) and body[at].startswith(f"{kind} {item_id} ")
            entry = entries.get(item_id)
            if entry is None:
                del body[at : at + present]
            else:
                body[at : at + present] = [_line(kind, entry)]
        lines += body
    return "\n".join(lines) + "\n"


def _splice(text: str, new: Lockfile, changed: dict[str, set[str]]) -> str | None:
    """The common case of an edit, in 1 ms instead of 40 (35,000 items): the same head, and each
    changed line still there (no line added or removed), replaced where it is. None otherwise."""
    head = "\n".join(_head_lines(new)) + "\n"
    if not text.startswith(head) or text[len(head) : len(head) + 5] not in ("item ", "gone ", ""):
        return None
    edits: list[tuple[int, int, str]] = []
    for kind, ids in changed.items():
        entries = new.items if kind == "item" else new.gone
        for item_id in ids:
            start = text.find(f"\n{kind} {item_id} ") + 1
            if item_id not in entries or start == 0:
                return None  # a line to add or remove: `update_lockfile_text` sorts it in
            edits.append((start, text.index("\n", start), _line(kind, entries[item_id])))
    parts, at = [], 0
    for start, end, line in sorted(edits):
        parts += [text[at:start], line]
        at = end
    return "".join([*parts, text[at:]])


def _changed(old: dict[str, LockEntry], new: dict[str, LockEntry]) -> set[str]:
    """The ids whose entry differs (entries carried over unchanged are the same objects)."""
    maybe = itertools.compress(new, map(operator.is_not, map(old.get, new), new.values()))  # (in C: fast)
    return {key for key in maybe if old.get(key) != new[key]} | (old.keys() - new.keys())


def load_lockfile(path: Path) -> Lockfile:
    """The lockfile at ``path`` (empty when there is none); ContentError if it is damaged."""
    diags = Diagnostics()
    lock = read_lockfile(path, diags)
    if diags.errors:
        raise ContentError(diags.sorted())
    return lock


def read_lockfile(path: Path, diags: Diagnostics) -> Lockfile:
    """The lockfile at ``path`` (an empty one when the file does not exist yet)."""
    kind = not_a_regular_file(path)
    if kind is not None:  # (never read: a pipe could block forever)
        diags.error(Location(str(path)), lockfile_is_not_a_file(kind))
        return Lockfile()
    if not path.exists():
        return Lockfile()
    try:
        data = path.read_bytes()
    except OSError as exc:
        diags.error(Location(str(path)), f"cannot read the lockfile: {exc.strerror or exc}")
        return Lockfile()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        diags.error(Location(str(path), line, 1), f"damaged lockfile: line {line} is not valid UTF-8; {REPAIR_HINT}")
        return Lockfile()
    return parse_lockfile(text, str(path), diags)


def lockfile_is_not_a_file(kind: str) -> str:
    return f"the lockfile is {kind}, not a file; move it away (the next build writes a new lockfile)"


def refuse_unless_a_file(path: Path) -> None:
    """ContentError if something other than a regular file is at the lockfile's path."""
    kind = not_a_regular_file(path)
    if kind is not None:
        raise ContentError([Diagnostic(Location(str(path)), Severity.ERROR, lockfile_is_not_a_file(kind))])


REPAIR_HINT = "run `studydeck lock --repair` to rewrite it, keeping every line that can be read"
CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


class BadLine(ValueError):
    """A lockfile line that cannot be read; the message says what it should look like."""


@dataclass(frozen=True, slots=True)
class DeckLine:
    deck_id: str


@dataclass(frozen=True, slots=True)
class EntryLine:
    kind: Literal["item", "gone"]
    entry: LockEntry


#: One line read: None for blank lines and comments, "format" (or "format 1") for the format line.
LockLine = Literal["format", "format 1"] | DeckLine | NoteTypeEntry | EntryLine | None


def parse_line(line: str) -> LockLine:
    """Read one line of the lockfile; BadLine when it cannot be read."""
    if not line.strip() or line.startswith("#"):
        return None
    if line.startswith(CONFLICT_MARKERS):
        raise BadLine("unresolved merge conflict marker")
    word, _, rest = line.partition(" ")
    if word == "studydeck-lock":
        if line == FORMAT_LINE_1:
            return "format 1"
        if line != FORMAT_LINE:
            raise BadLine(f"unknown format {rest!r} (this studydeck reads formats 1 and 2)")
        return "format"
    if word == "deck":
        if not ID_PATTERN.match(rest.strip()):
            raise BadLine(f"{rest.strip()!r} is not a deck id")
        return DeckLine(rest.strip())
    if word == "notetype":
        parts = rest.split(" ")
        if len(parts) != 3 or not _INT.match(parts[0]) or not _HASH.match(parts[1]) or not _INT.match(parts[2]):
            raise BadLine("a notetype line needs: notetype <id> <hash> <mod>")
        problem = time_problem(int(parts[2]))
        if problem is not None:
            raise BadLine(problem)
        return NoteTypeEntry(int(parts[0]), parts[1], int(parts[2]))
    if word in ("item", "gone"):
        match = _ENTRY.match(rest)  # one pattern for the whole line: large decks have 100k of them
        if match is None:
            parts = rest.split(" ", 1)
            if parts[0] and not ID_PATTERN.match(parts[0]):
                raise BadLine(f"{parts[0]!r} is not an item id")
            raise BadLine(f"an {word} line needs: {word} <id> [cloze] <hash> <note id> <mod> [<subdeck>]")
        item_id, cloze, digest, note_id, mod, subdeck = match.groups()
        # (a deck has few subdecks and many items: one string each)
        subdeck = sys.intern(subdeck) if subdeck else ""
        entry = LockEntry(item_id, digest, int(note_id), int(mod), subdeck, "cloze" if cloze else "")
        problem = note_id_problem(entry.note_id) or time_problem(entry.mod)
        if problem is not None:
            raise BadLine(problem)
        return EntryLine("item" if word == "item" else "gone", entry)
    raise BadLine(f"unexpected line starting with {word!r}")


def lines_of(text: str) -> list[str]:
    """The lockfile's lines: split at line feeds only (str.splitlines also splits at characters
    a subdeck name may hold), a carriage return before one dropped."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def parse_lockfile(text: str, path: str, diags: Diagnostics) -> Lockfile:
    deck_id: str | None = None
    notetypes: dict[int, NoteTypeEntry] = {}
    items: dict[str, LockEntry] = {}
    gone: dict[str, LockEntry] = {}
    lines: dict[str, int] = {}  # the line each id is on
    seen_format = False
    kinds_known = True
    errors_before = len(diags.errors)

    def bad(number: int, message: str) -> None:
        diags.error(Location(path, number, 1), f"damaged lockfile: {message}; {REPAIR_HINT}")

    for number, line in enumerate(lines_of(text), start=1):
        try:
            parsed = parse_line(line)
        except BadLine as exc:
            bad(number, str(exc))
            continue
        match parsed:
            case "format":
                seen_format = True
            case "format 1":
                seen_format, kinds_known = True, False
            case DeckLine(read_id):
                deck_id = read_id
            case NoteTypeEntry():
                notetypes[parsed.id] = parsed
            case EntryLine(kind, entry):
                if entry.id in items or entry.id in gone:
                    bad(number, f"id {entry.id!r} appears twice")
                    continue
                (items if kind == "item" else gone)[entry.id] = entry
                lines[entry.id] = number
    if not seen_format and len(diags.errors) == errors_before and (items or gone or notetypes):
        diags.error(Location(path, 1, 1), f"damaged lockfile: the '{FORMAT_LINE}' line is missing; {REPAIR_HINT}")
    for entry, other in crowded_note_ids([*items.values(), *gone.values()]):
        if entry.note_id == other.note_id:
            why = f"share note id {entry.note_id}"
        else:
            why = f"have note ids {other.note_id} and {entry.note_id}, less than {NOTE_ID_STRIDE} apart"
        diags.error(
            Location(path, lines[entry.id], 1),
            f"damaged lockfile: {other.id!r} and {entry.id!r} {why}, so their cards' ids could collide in Anki; "
            f"{REPAIR_HINT}",
        )
    return Lockfile(deck_id, notetypes, items, gone, kinds_known)
