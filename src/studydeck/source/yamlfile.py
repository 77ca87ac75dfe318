"""Safe YAML parsing that keeps every value's file, line and column.

PyYAML's own loaders drop positions and accept duplicate keys silently, so we read the
event stream of its (C, when available) parser and build positioned nodes ourselves, in one
iterative pass. There is no recursion, so a deeply nested document cannot crash the
interpreter. Aliases are shared, not expanded; their expanded size is counted, in values and
in bytes, so a "billion laughs" document, or a long text repeated by many aliases, is
refused at once. Only the plain YAML types are constructed; any other tag
(``!!python/...``, ``!custom``) is an error and is never executed.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from studydeck.diagnostics import Diagnostics, Location

try:  # the C parser is ~10x faster and reports the same marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_RESOLVER = yaml.resolver.Resolver()
# Characters that can start a plain scalar YAML would read as something other than text.
_MAYBE_NOT_TEXT = frozenset(ch for ch in _RESOLVER.yaml_implicit_resolvers if ch)


def resolve_plain(value: str) -> str:
    """The tag of a plain (unquoted, untagged) scalar.

    PyYAML's resolver is pure Python and tries every implicit type's regex; most card text
    starts with a letter that no implicit type (bool, int, float, null, date) can start with.
    """
    if value and value[0] not in _MAYBE_NOT_TEXT:
        return _STR
    return str(_RESOLVER.resolve(yaml.ScalarNode, value, (True, False)))  # type: ignore[no-untyped-call]


#: Upper bound on the values that aliases add once expanded, to stop "billion laughs" documents.
MAX_EXPANDED_VALUES = 1_000_000
#: Aliases may add at most this much text once expanded (in bytes, counted as the anchored
#: values are written in the file), or the file's own size if that is larger. Aliases repeat
#: short things (a source, a caution, a list of distractors): a 300-byte caution shared by
#: 13,000 items adds under 4 MiB, so a file past both bounds repeats more text than it holds
#: itself and more than a real deck's file does. A build costs time and memory in proportion
#: to its text, so a document costs at most what a plain card file twice its size (or 4 MiB
#: larger) costs, and card files are limited to 16 MiB. Measured: 4 MiB added by aliases builds
#: in 10-20 s with 1.1 GB, as the same text written out does; 20 MB (a 110 KB file repeating a
#: 100 KB text 199 times) took 53 s and 5 GB before this bound.
MIN_ALIAS_BYTES_LIMIT = 4 * 2**20
#: Deepest nesting of lists and mappings; card files need about five levels.
MAX_DEPTH = 100
#: Characters YAML allows nowhere: C0 controls but tab and line breaks, DEL, C1 controls but NEL.
# What YAML counts as a line break, so line numbers agree with the parser's.
_LINE_BREAK = re.compile("\r\n|[\n\r\x85\u2028\u2029]")
_NOT_PRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_constructor = yaml.constructor.SafeConstructor()
_SCALARS = {
    "tag:yaml.org,2002:null": lambda node: None,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:timestamp": _constructor.construct_yaml_timestamp,
}


class Node:
    """A YAML value with its position.

    ``value`` is a str/int/float/bool/None/date for scalars, ``list[Node]`` for sequences and
    ``dict[str, Node]`` for mappings; mappings also record where each key is. Positions are
    kept as numbers and turned into a `Location` only when a message needs one.
    """

    __slots__ = ("col", "key_pos", "line", "path", "raw", "value")

    def __init__(
        self,
        value: Any,
        path: str,
        line: int,
        col: int,
        key_pos: dict[str, tuple[int, int]] | None = None,
        raw: str | None = None,
    ) -> None:
        self.value = value
        self.path = path
        self.line = line
        self.col = col
        self.key_pos = key_pos
        self.raw = raw  # a scalar's source text, so `a: 0.10` can still be read as text

    def __repr__(self) -> str:
        return f"Node({self.value!r} @ {self.loc})"

    @property
    def loc(self) -> Location:
        return Location(self.path, self.line, self.col)

    def key_loc(self, key: str) -> Location:
        """Where ``key`` of this mapping is written."""
        assert self.key_pos is not None
        line, col = self.key_pos[key]
        return Location(self.path, line, col)

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)



def decode(data: bytes, path: str, diags: Diagnostics) -> str | None:
    """UTF-8 (with or without a BOM) or a located error at the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        # Columns count characters, as editors do, not bytes.
        col = len(before[line_start:].decode("utf-8-sig", errors="replace")) + 1
        diags.error(
            Location(path, line, col),
            f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8",
        )
        return None


def parse(text: str, path: str, diags: Diagnostics) -> Node | None:
    """Parse one YAML document; None (with diagnostics) when it cannot be read."""
    forbidden = _NOT_PRINTABLE.search(text)
    if forbidden:  # checked here because the parser reports it without a line and column
        pos = forbidden.start()
        breaks = list(_LINE_BREAK.finditer(text, 0, pos))
        line = len(breaks) + 1
        col = pos - (breaks[-1].end() if breaks else 0) + 1
        diags.error(
            Location(path, line, col),
            f"character U+{ord(forbidden.group()):04X} (invisible, a control character) is not allowed in YAML; "
            "delete it",
        )
        return None
    loader = _Loader(text)
    try:
        return _Composer(path, diags, text).compose(loader)
    except _Refused:
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = _within(text, Location(path, mark.line + 1, mark.column + 1)) if mark else Location(path)
        diags.error(loc, _yaml_message(exc, text))
        return None
    except yaml.YAMLError as exc:
        diags.error(Location(path), "invalid YAML: " + " ".join(str(exc).split()))
        return None
    finally:
        loader.dispose()


def _within(text: str, loc: Location) -> Location:
    """``loc``, or the end of the text if it is past it (the parser marks an unexpected end one line on)."""
    lines = _LINE_BREAK.split(text)
    if loc.line <= len(lines):
        return loc
    return Location(loc.path, len(lines), len(lines[-1]) + 1)


def _yaml_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    message = "invalid YAML: " + ", ".join(parts)
    mark = exc.problem_mark
    lines = text.splitlines()
    if mark is not None and mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t":
        message += " (a tab: YAML does not allow tabs for indentation; use spaces)"
    return message


def _shown_tag(tag: str) -> str:
    """A tag as the author wrote it: `!!python/object`, not `tag:yaml.org,2002:python/object`."""
    standard = "tag:yaml.org,2002:"
    return repr("!!" + tag[len(standard) :] if tag.startswith(standard) else tag)


_MERGE = "tag:yaml.org,2002:merge"
_SKIP = Node(None, "", 0, 0)  # stands for a rejected mapping key: its value is read and dropped


class _Refused(Exception):
    """Stops reading a document at once; the reason is already in the diagnostics."""


class _Frame:
    """A list or mapping whose children are being read."""

    __slots__ = ("anchor", "key", "node", "size")

    def __init__(self, node: Node, anchor: _Anchor | None) -> None:
        self.node = node
        self.anchor = anchor
        self.key: Node | None = None  # in a mapping: the key waiting for its value
        self.size = 1  # values inside, with aliases expanded


class _Anchor:
    """An anchored value: what its aliases stand for, and how much they add once expanded."""

    __slots__ = ("end", "extra", "nbytes", "node", "size", "start")

    def __init__(self, node: Node, size: int, start: int, end: int = 0, extra: int = 0) -> None:
        self.node = node
        self.size = size  # values, with aliases inside expanded; 0 while the value is still open
        self.start, self.end = start, end  # where it is written, in characters of the text
        self.extra = extra  # bytes that aliases inside it add
        self.nbytes = -1  # its bytes once expanded, counted when it is first used

    def expanded_bytes(self, text: str) -> int:
        if self.nbytes < 0:
            self.nbytes = len(text[self.start : self.end].encode("utf-8", "surrogatepass")) + self.extra
        return self.nbytes


class _Composer:
    """Builds `Node`s from parser events: positions kept, duplicate keys and odd tags reported."""

    def __init__(self, path: str, diags: Diagnostics, text: str) -> None:
        self.path = path
        self.diags = diags
        self.text = text
        self.anchors: dict[str, _Anchor] = {}
        self.alias_values = 0  # values that aliases add once expanded
        self.alias_bytes = 0  # and their bytes
        self.bytes_limit = 0  # MIN_ALIAS_BYTES_LIMIT or the file's size (counted at the first alias)

    def error(self, event: Any, message: str) -> None:
        mark = event.start_mark
        self.diags.error(Location(self.path, mark.line + 1, mark.column + 1), message)

    def compose(self, loader: Any) -> Node | None:
        stack: list[_Frame] = []
        root: Node | None = None
        documents = 0
        while (event := loader.get_event()) is not None:
            kind = type(event)
            if kind is yaml.ScalarEvent:
                node, tag = self.scalar(event)
                if event.anchor:
                    self.anchors[event.anchor] = _Anchor(node, 1, event.start_mark.index, event.end_mark.index)
                size = 1
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                stack.append(self.open(event, depth=len(stack)))
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                node, tag, size = frame.node, _MAP, frame.size
                if frame.anchor:  # its aliases now stand for all of it: values, text, and the aliases inside
                    anchor = frame.anchor
                    anchor.size, anchor.end = size, event.end_mark.index
                    anchor.extra = self.alias_bytes - anchor.extra
            elif kind is yaml.AliasEvent:
                node, size = self.alias(event)
                tag = _STR if isinstance(node.value, str) else _MAP
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self.error(event, "a card file holds a single YAML document; remove the second '---'")
                    raise _Refused
                continue
            else:  # stream and document ends
                continue
            if stack:
                self.attach(stack[-1], node, tag, size)
            else:
                root = node
        return root

    def open(self, event: Any, depth: int) -> _Frame:
        mark = event.start_mark
        if type(event) is yaml.MappingStartEvent:
            node = Node({}, self.path, mark.line + 1, mark.column + 1, {})
            expected = _MAP
        else:
            node = Node([], self.path, mark.line + 1, mark.column + 1)
            expected = _SEQ
        if event.tag not in (None, "!", expected):
            self.error(event, f"unsupported YAML tag {_shown_tag(event.tag)}; only plain values are allowed")
        if depth >= MAX_DEPTH:
            self.error(event, f"lists and mappings are nested more than {MAX_DEPTH} levels deep")
            raise _Refused
        anchor = None
        if event.anchor:  # (extra: the aliases' bytes so far, to count those inside it at its end)
            anchor = self.anchors[event.anchor] = _Anchor(node, 0, event.start_mark.index, extra=self.alias_bytes)
        return _Frame(node, anchor)

    def scalar(self, event: Any) -> tuple[Node, str]:
        mark = event.start_mark
        tag = event.tag
        if tag is None or tag == "!":
            tag = _STR if not event.implicit[0] else resolve_plain(event.value)
        node = Node(event.value, self.path, mark.line + 1, mark.column + 1, raw=event.value)
        if tag in (_STR, _MERGE):
            return node, tag
        construct = _SCALARS.get(tag)
        if construct is None:  # (the value stays the text as written: the error above is the only one)
            self.error(event, f"unsupported YAML tag {_shown_tag(tag)}; only plain values are allowed")
            return node, tag
        try:
            node.value = construct(yaml.ScalarNode(tag, event.value))
        except (ValueError, yaml.YAMLError) as exc:  # (2025-02-30: the same)
            self.error(event, f"cannot read {event.value!r}: {exc}")
        return node, tag

    def alias(self, event: Any) -> tuple[Node, int]:
        anchor = self.anchors.get(event.anchor)
        if anchor is None:
            self.error(event, f"alias *{event.anchor} refers to no anchor &{event.anchor} above it")
            raise _Refused
        if anchor.size == 0:
            self.error(event, f"alias *{event.anchor} refers to a value that contains it")
            raise _Refused
        self.alias_values += anchor.size
        if self.alias_values > MAX_EXPANDED_VALUES:
            self.error(
                event,
                f"YAML aliases expand this document by over {MAX_EXPANDED_VALUES:,} values; "
                "refusing to load it (a 'billion laughs' document?)",
            )
            raise _Refused
        # Counted without expanding anything: each anchored value's bytes are counted once.
        self.alias_bytes += anchor.expanded_bytes(self.text)
        if self.alias_bytes > self.alias_bytes_limit():
            self.error(
                event,
                f"YAML aliases expand this document by over {self.bytes_limit / 2**20:.1f} MiB of text "
                f"(at most {MIN_ALIAS_BYTES_LIMIT // 2**20} MiB, or the file's own size if larger); "
                "refusing to load it (a long text repeated by many aliases?)",
            )
            raise _Refused
        # The same value, where the alias is: messages about it as a whole point at the alias.
        node, mark = anchor.node, event.start_mark
        return Node(node.value, self.path, mark.line + 1, mark.column + 1, node.key_pos, node.raw), anchor.size

    def alias_bytes_limit(self) -> int:
        if not self.bytes_limit:
            # (a character is at most 4 bytes: most files need not be encoded to know they are small)
            small = 4 * len(self.text) <= MIN_ALIAS_BYTES_LIMIT
            file_bytes = 0 if small else len(self.text.encode("utf-8", "surrogatepass"))
            self.bytes_limit = max(MIN_ALIAS_BYTES_LIMIT, file_bytes)
        return self.bytes_limit

    def attach(self, parent: _Frame, node: Node, tag: str, size: int) -> None:
        parent.size += size
        container = parent.node
        if container.key_pos is None:  # a list
            container.value.append(node)
            return
        key = parent.key
        if key is None:  # this node is a key
            parent.key = self.check_key(container, node, tag)
            return
        parent.key = None
        if key is not _SKIP:
            container.value[key.value] = node
            container.key_pos[key.value] = (key.line, key.col)

    def check_key(self, mapping: Node, key: Node, tag: str) -> Node:
        assert mapping.key_pos is not None
        if tag == _MERGE:
            self.diags.error(key.loc, "YAML merge keys ('<<') are not supported; write the keys out")
            return _SKIP
        if not isinstance(key.value, str) or tag != _STR:
            shown = f" {key.raw!r}" if key.raw is not None else ""
            self.diags.error(key.loc, f"key{shown} must be text (quote it)")
            return _SKIP
        first = mapping.key_pos.get(key.value)
        if first is not None:
            self.diags.error(key.loc, f"duplicate key {key.value!r} (first defined at line {first[0]})")
            return _SKIP
        return key
