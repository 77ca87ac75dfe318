"""Safe YAML parsing that keeps every value's file, line and column.

PyYAML's own loaders drop positions and accept duplicate keys silently, so we let its
(C, when available) parser build the node graph and convert the nodes ourselves. Only the
plain YAML types are constructed; any other tag (``!!python/...``, ``!custom``) is an error
and is never executed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import yaml

from studydeck.diagnostics import Diagnostics, Location

try:  # the C parser is ~10x faster and reports the same marks
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

#: Largest card file we read; bigger ones are refused before parsing so memory stays bounded.
MAX_FILE_BYTES = 16 * 1024 * 1024
#: Upper bound on the values that aliases add once expanded, to stop "billion laughs" documents.
MAX_EXPANDED_VALUES = 1_000_000
#: Deepest nesting of lists and mappings; card files need about five levels.
MAX_DEPTH = 100

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
    """A YAML value with its location.

    ``value`` is a str/int/float/bool/None/date for scalars, ``list[Node]`` for sequences and
    ``dict[str, Node]`` for mappings; mappings also carry the location of each key.
    """

    __slots__ = ("key_locs", "loc", "raw", "value")

    def __init__(
        self,
        value: Any,
        loc: Location,
        key_locs: dict[str, Location] | None = None,
        raw: str | None = None,
    ) -> None:
        self.value = value
        self.loc = loc
        self.key_locs = key_locs
        self.raw = raw  # a scalar's source text, so `a: 0.10` can still be read as text

    def __repr__(self) -> str:
        return f"Node({self.value!r} @ {self.loc})"

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)

    def plain(self) -> Any:
        """The value with all positions stripped (for hashing and tests)."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value


def kind_name(value: Any) -> str:
    """How a value is described in error messages."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (dt.date, dt.datetime)):
        return "a date"
    return "text"


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
    try:
        node_count = _count_nodes(text, path, diags)
        if node_count is None:
            return None
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        diags.error(loc, _yaml_message(exc, text))
        return None
    except yaml.YAMLError as exc:
        diags.error(Location(path), f"invalid YAML: {exc}")
        return None
    if root is None:
        return None
    converter = _Converter(path, diags)
    # Counted without expanding anything; the cap keeps the arithmetic small.
    size = converter.expanded_size(root, cap=node_count + MAX_EXPANDED_VALUES + 1)
    if size - node_count > MAX_EXPANDED_VALUES:
        diags.error(
            _loc(path, root),
            f"YAML aliases expand this document by over {MAX_EXPANDED_VALUES:,} values; "
            "refusing to load it (a 'billion laughs' document?)",
        )
        return None
    return converter.convert(root)


def _count_nodes(text: str, path: str, diags: Diagnostics) -> int | None:
    """The number of values written in the document, or None (with an error) if it nests too deep.

    PyYAML's composer recurses once per level of nesting and crashes the interpreter on a
    document nested a few thousand levels deep, so the (iterative) event stream is checked first.
    """
    loader = _Loader(text)
    count = depth = 0
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    diags.error(
                        Location(path, mark.line + 1, mark.column + 1) if mark else Location(path),
                        f"lists and mappings are nested more than {MAX_DEPTH} levels deep",
                    )
                    return None
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent, yaml.ScalarEvent)):
                count += 1
    finally:
        loader.dispose()
    return count


def _yaml_message(exc: yaml.MarkedYAMLError, text: str) -> str:
    parts = [p for p in (exc.context, exc.problem) if p]
    message = "invalid YAML: " + ", ".join(parts)
    mark = exc.problem_mark
    lines = text.splitlines()
    if mark is not None and mark.line < len(lines) and lines[mark.line][mark.column : mark.column + 1] == "\t":
        message += " (a tab: YAML does not allow tabs for indentation; use spaces)"
    return message


def _loc(path: str, node: yaml.Node) -> Location:
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


def _shown_tag(tag: str) -> str:
    """A tag as the author wrote it: `!!python/object`, not `tag:yaml.org,2002:python/object`."""
    standard = "tag:yaml.org,2002:"
    return repr("!!" + tag[len(standard) :] if tag.startswith(standard) else tag)


class _Converter:
    def __init__(self, path: str, diags: Diagnostics) -> None:
        self.path = path
        self.diags = diags
        self.memo: dict[int, Node] = {}
        self.sizes: dict[int, int] = {}

    def expanded_size(self, node: yaml.Node, cap: int) -> int:
        """Number of values once aliases are expanded (at most ``cap``), computed without expanding them."""
        key = id(node)
        if key in self.sizes:
            return self.sizes[key]
        self.sizes[key] = 1  # a recursive alias counts once instead of looping
        if isinstance(node, yaml.MappingNode):
            total = 1 + sum(self.expanded_size(k, cap) + self.expanded_size(v, cap) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            total = 1 + sum(self.expanded_size(v, cap) for v in node.value)
        else:
            total = 1
        self.sizes[key] = min(total, cap)
        return self.sizes[key]

    def convert(self, node: yaml.Node) -> Node:
        key = id(node)
        done = self.memo.get(key)
        if done is not None:  # an alias: share the converted value
            return done
        loc = _loc(self.path, node)
        if isinstance(node, yaml.ScalarNode):
            result = Node(self._scalar(node, loc), loc, raw=node.value)
        elif isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _SEQ, loc)
            result = Node([], loc)
            self.memo[key] = result  # before the children, so recursive aliases terminate
            result.value.extend(self.convert(child) for child in node.value)
        else:
            assert isinstance(node, yaml.MappingNode)
            self._check_tag(node, _MAP, loc)
            result = Node({}, loc, {})
            self.memo[key] = result
            self._mapping(node, result)
        self.memo[key] = result
        return result

    def _check_tag(self, node: yaml.Node, expected: str, loc: Location) -> None:
        if node.tag != expected:
            self.diags.error(loc, f"unsupported YAML tag {_shown_tag(node.tag)}; only plain values are allowed")

    def _scalar(self, node: yaml.ScalarNode, loc: Location) -> Any:
        if node.tag == _STR:
            return node.value
        construct = _SCALARS.get(node.tag)
        if construct is None:
            self.diags.error(loc, f"unsupported YAML tag {_shown_tag(node.tag)}; only plain values are allowed")
            return None
        try:
            return construct(node)
        except (ValueError, yaml.YAMLError) as exc:
            self.diags.error(loc, f"cannot read {node.value!r}: {exc}")
            return None

    def _mapping(self, node: yaml.MappingNode, result: Node) -> None:
        values: dict[str, Node] = result.value
        key_locs = result.key_locs
        assert key_locs is not None
        for key_node, value_node in node.value:
            key_loc = _loc(self.path, key_node)
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.diags.error(key_loc, "YAML merge keys ('<<') are not supported; write the keys out")
                else:
                    shown = f" {key_node.value!r}" if isinstance(key_node, yaml.ScalarNode) else ""
                    self.diags.error(key_loc, f"key{shown} must be text (quote it)")
                continue
            name = key_node.value
            if name in values:
                first = key_locs[name]
                self.diags.error(key_loc, f"duplicate key {name!r} (first defined at line {first.line})")
                continue
            key_locs[name] = key_loc
            values[name] = self.convert(value_node)
