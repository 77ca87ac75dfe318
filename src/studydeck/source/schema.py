"""Typed readers over positioned YAML nodes: each reads one kind of value (a mapping's keys,
text, a list of text, tags, an id, a boolean, a date) and reports what is wrong at its
location, so that validation reads as a description of the format and never stops early.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from studydeck.diagnostics import Diagnostics, Location, did_you_mean
from studydeck.model import ID_PATTERN
from studydeck.source.yamlfile import Node

_WHITESPACE = re.compile(r"\s")
# Anki keeps deck names and tags in fields separated by control characters.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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


class Reader:
    """Reads values out of nodes, recording every problem in ``diags``."""

    def __init__(self, diags: Diagnostics) -> None:
        self.diags = diags

    def keys(self, node: Node, allowed: dict[str, bool], what: str) -> bool:
        """Check a mapping's keys; False when ``node`` is not a mapping at all."""
        if not node.is_map:
            self.diags.error(node.loc, f"{what} must be a mapping, not {kind_name(node.value)}")
            return False
        for key in node.value:
            if key not in allowed:
                self.diags.error(node.key_loc(key), f"unknown key {key!r} in {what}{did_you_mean(key, allowed)}")
        for key, required in allowed.items():
            if required and key not in node.value:
                self.diags.error(node.loc, f"{what} is missing the required key {key!r}")
        return True

    def text(self, node: Node | None, what: str, *, required: bool = False) -> str | None:
        if node is None:
            return None
        value = node.value
        if isinstance(value, (int, float)) and not isinstance(value, bool) and node.raw is not None:
            value = node.raw  # a number written as text keeps its spelling: 0.10 stays 0.10
        if not isinstance(value, str):
            hint = " (quote it)" if isinstance(value, (bool, dt.date)) else ""
            self.diags.error(node.loc, f"{what} must be text, not {kind_name(node.value)}{hint}")
            return None
        value = value.strip()
        if required and not value:
            self.diags.error(node.loc, f"{what} must not be empty")
            return None
        return value

    def text_list(self, node: Node | None, what: str) -> list[tuple[str, Location]]:
        if node is None:
            return []
        entries = node.value if node.is_list else [node] if isinstance(node.value, str) else None
        if entries is None:
            self.diags.error(node.loc, f"{what} must be a list of text, not {kind_name(node.value)}")
            return []
        result = []
        for entry in entries:
            text = self.text(entry, f"each entry of {what}", required=True)
            if text is not None:
                result.append((text, entry.loc))
        return result

    def tags(self, node: Node | None) -> list[str]:
        tags = []
        for tag, loc in self.text_list(node, "tags"):
            if CONTROL.search(tag):
                self.diags.error(loc, f"tag {tag!r} contains a control character")
            elif _WHITESPACE.search(tag):
                self.diags.error(loc, f"tag {tag!r} contains a space; Anki tags are single words (use - or ::)")
            else:
                tags.append(tag)
        return tags

    def identifier(self, node: Node | None, what: str) -> str | None:
        value = self.text(node, what, required=True)
        if value is None or node is None:
            return None
        if not ID_PATTERN.match(value):
            self.diags.error(
                node.loc,
                f"{what} {value!r} must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
            )
            return None
        return value

    def boolean(self, node: Node | None, what: str) -> bool:
        if node is None:
            return False
        if not isinstance(node.value, bool):
            self.diags.error(node.loc, f"{what} must be true or false, not {kind_name(node.value)}")
            return False
        return node.value

    def date(self, node: Node | None, what: str) -> dt.date | None:
        if node is None:
            return None
        if isinstance(node.value, dt.datetime):
            return node.value.date()
        if isinstance(node.value, dt.date):
            return node.value
        if isinstance(node.value, str):
            try:
                return dt.date.fromisoformat(node.value.strip())
            except ValueError:
                pass
        self.diags.error(node.loc, f"{what} must be a date like 2025-07-04")
        return None
