"""Located errors and warnings, collected so that every problem is reported in one pass."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Location:
    """A place in a file; line and column are 1-based, as editors count them."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        shown = display_path(self.path)
        if self.line:
            return f"{shown}:{self.line}:{self.col}"
        return shown


def display_path(path: str) -> str:
    """Paths are shown relative to the current folder when that is shorter (DESIGN §2), quoted
    when they hold what would break a `path:line:col: error: message` line (`quote_path`)."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return quote_path(path)
    return quote_path(rel if len(rel) <= len(path) else path)


# A line break would split a diagnostic in two, a colon before a digit or a space forge one
# (`x:3:4: error: y.yaml`; `HEAD:cards/a.yaml`, git's way to name a file at a revision, is fine),
# and bytes that are not UTF-8 (kept by Python as lone surrogates) cannot even be printed.
_NEEDS_QUOTES = re.compile(r'[\x00-\x1f\x7f"\udc80-\udcff]|:(?=[\d\s]|\Z)' + (r"|\\" if os.sep == "/" else ""))
_ESCAPES = {"\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v", "\f": "\\f", "\r": "\\r"}


def quote_path(path: str) -> str:
    """``path`` as git shows an unusual one: in double quotes, with C escapes (`\\n`, `\\"`,
    `\\\\`, `\\303` for a byte), when it holds a control character, a double quote, a
    backslash, a colon before a digit or a space, or bytes that are not UTF-8; otherwise as it is."""
    if not _NEEDS_QUOTES.search(path):
        return path
    out = []
    for char in path:
        code = ord(char)
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif char in '"\\':
            out.append("\\" + char)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\{code:03o}")
        elif 0xDC80 <= code <= 0xDCFF:  # a byte of a name that is not UTF-8
            out.append(f"\\{code - 0xDC00:03o}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` when a choice is close to ``word``, else nothing."""
    import difflib  # (only a message needs it: an unchanged build does not load it)

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    location: Location
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.severity.value}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        loc = self.location
        return (loc.path, loc.line, loc.col, self.message)


@dataclass
class Diagnostics:
    """A collector passed through loading and validation."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, location: Location, message: str) -> None:
        self.items.append(Diagnostic(location, Severity.ERROR, message))

    def warning(self, location: Location, message: str) -> None:
        self.items.append(Diagnostic(location, Severity.WARNING, message))

    def extend(self, other: Diagnostics) -> None:
        self.items.extend(other.items)

    def errors_since(self, mark: int) -> bool:
        """Whether an error was recorded after ``mark`` (an earlier `len(items)`): cheap, unlike
        counting `errors`, which sorts them all (validation asks once per item)."""
        return any(d.severity is Severity.ERROR for d in self.items[mark:])

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    @property
    def errors(self) -> list[Diagnostic]:
        return sorted((d for d in self.items if d.severity is Severity.ERROR), key=Diagnostic.sort_key)

    @property
    def warnings(self) -> list[Diagnostic]:
        return sorted((d for d in self.items if d.severity is Severity.WARNING), key=Diagnostic.sort_key)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)


class ContentError(Exception):
    """Raised when the cards cannot be built; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        shown = "\n".join(str(d) for d in diagnostics[:20])
        more = f"\n… and {len(diagnostics) - 20} more" if len(diagnostics) > 20 else ""
        super().__init__(f"{len(diagnostics)} problem(s) in the cards:\n{shown}{more}")


class OutputError(Exception):
    """An output could not be written (disk full, read-only folder, another build running).

    ``written`` lists the files already replaced by new ones when the error came (outputs are
    renamed into place one after another): empty, every previous output was left as it was."""

    def __init__(self, message: str, *, written: Iterable[object] = ()) -> None:
        super().__init__(message)
        self.written = tuple(str(path) for path in written)


# -- many diagnostics, readably: the first few of each kind, then a count ------------------------

#: `build` and `watch` print this many warnings of each kind in full, then one line with the
#: count of the rest (`check` lists every one, unless asked for `--summary`).
SHOWN_PER_KIND = 5

_RULE = re.compile(r" \[([a-z0-9][a-z0-9-]*)\]$")  # a card-quality warning's rule name, last in its message
_DID_YOU_MEAN = re.compile(r" \(did you mean '[^']*'\?\)")
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")


def diagnostic_kind(message: str) -> str:
    """What a message says with its particulars (quoted values, numbers) left out: diagnostics
    of one kind say the same. A message that ends with a rule name (` [rule-name]`) is of that
    rule's kind, whatever else it says."""
    rule = _RULE.search(message)
    text = _NUMBER.sub("N", _QUOTED.sub("'…'", _DID_YOU_MEAN.sub("", message)))
    if rule is not None:
        return f"{_RULE.sub('', text)} [{rule.group(1)}]"
    return text


@dataclass(frozen=True)
class DiagnosticSummary:
    """Diagnostics as `build` and `watch` print them: every error, the first few warnings of
    each kind (in order), and per kind how many more there are."""

    shown: tuple[Diagnostic, ...] = ()
    more: tuple[tuple[str, int], ...] = ()  # (kind, how many not shown), in order of first appearance
    errors: int = 0
    warnings: int = 0


def summarise(diagnostics: Iterable[Diagnostic], per_kind: int = SHOWN_PER_KIND) -> DiagnosticSummary:
    """Group ``diagnostics`` (sorted) by kind; errors are never summarised away."""
    kinds: dict[str, str] = {}  # message → kind: most messages of a large deck repeat, so each is parsed once
    counts: dict[str, int] = {}
    shown: list[Diagnostic] = []
    errors = warnings = 0
    for d in diagnostics:
        if d.severity is Severity.ERROR:
            errors += 1
            shown.append(d)
            continue
        warnings += 1
        kind = kinds.get(d.message)
        if kind is None:
            kind = kinds[d.message] = diagnostic_kind(d.message)
        seen = counts[kind] = counts.get(kind, 0) + 1
        if seen <= per_kind:
            shown.append(d)
    more = tuple((kind, count - per_kind) for kind, count in counts.items() if count > per_kind)
    return DiagnosticSummary(tuple(shown), more, errors, warnings)
