"""Typed readers over positioned YAML nodes: each reads one kind of value (a mapping's keys,
text, a list of text, tags, an id, a boolean, a date) and reports what is wrong at its
location, so that validation reads as a description of the format and never stops early.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from studydeck.diagnostics import Diagnostics, Location, did_you_mean
from studydeck.model import ID_PATTERN, MAX_DECK_ID, MAX_DISTRACTORS
from studydeck.source.chars import control_character, is_blank
from studydeck.source.markup import shows_nothing
from studydeck.source.names import tag_problem
from studydeck.source.yamlfile import Node

_WHITESPACE = re.compile(r"\s")


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

    def text(
        self, node: Node | None, what: str, *, required: bool = False, one_line: bool = False, markdown: bool = False
    ) -> str | None:
        """Text, stripped; None (and an error unless it is absent) when it is not text, holds a
        control character (a line break too, when ``one_line``), or is empty and ``required``
        (or, for ``markdown``, shows nothing once rendered: `&nbsp;`)."""
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
        if value and value.isascii() and value.isprintable():  # (most text: no control character, and not blank)
            return value if not (required and markdown and shows_nothing(value)) else self._shows_nothing(node, what)
        problem = control_character(value, one_line=one_line)
        if problem is not None:
            self.diags.error(node.loc, f"{what} {problem}")
            return None
        if value and is_blank(value):  # (only invisible characters: as empty as "")
            if required:
                self.diags.error(node.loc, f"{what} must not be empty (it holds only invisible characters)")
                return None
            return ""
        if required and not value:
            self.diags.error(node.loc, f"{what} must not be empty")
            return None
        if required and markdown and shows_nothing(value):
            return self._shows_nothing(node, what)
        return value

    def _shows_nothing(self, node: Node, what: str) -> str | None:
        self.diags.error(node.loc, f"{what} shows nothing once its Markdown is rendered")
        return None

    def text_list(
        self, node: Node | None, what: str, *, one_line: bool = False, each: str | None = None, markdown: bool = False
    ) -> list[tuple[str, Location]]:
        """A list of text (or one text, as a list of one); ``each`` names an entry in messages."""
        if node is None:
            return []
        entries = node.value if node.is_list else [node] if isinstance(node.value, str) else None
        if entries is None:
            self.diags.error(node.loc, f"{what} must be a list of text, not {kind_name(node.value)}")
            return []
        result = []
        for entry in entries:
            text = self.text(
                entry, each or f"each entry of {what}", required=True, one_line=one_line, markdown=markdown
            )
            if text is not None:
                result.append((text, entry.loc))
        return result

    def tags(self, node: Node | None) -> list[str]:
        tags = []
        for tag, loc in self.text_list(node, "tags", one_line=True, each="tag"):
            problem = tag_problem(tag)
            if problem is not None:
                self.diags.error(loc, f"tag {tag!r} {problem}")
            else:
                tags.append(tag if tag.isascii() else unicodedata.normalize("NFC", tag))  # (Café however typed)
        return tags

    def deck_name(self, node: Node | None, what: str, *, required: bool = False) -> str | None:
        """A deck name as Anki stores it: each part between '::' stripped and composed (NFC), so
        that `A :: Café` typed either way is one deck; None (and an error) if a part is empty."""
        name = self.text(node, what, required=required, one_line=True)
        if not name or node is None:
            return name
        parts = [unicodedata.normalize("NFC", part.strip()) for part in name.split("::")]
        if any(is_blank(part) for part in parts):
            self.diags.error(node.loc, f"{what} {name!r} has an empty part around '::'")
            return None
        if any(part.startswith(":") or part.endswith(":") for part in parts):
            anki = "::".join(part.strip(": ") or "blank" for part in parts)
            self.diags.error(
                node.loc,
                f"{what} {name!r} has a part that starts or ends with ':' (Anki would make it {anki!r}); "
                "separate the levels of a deck with '::'",
            )
            return None
        return "::".join(parts)

    def identifier(self, node: Node | None, what: str) -> str | None:
        value = self.text(node, what, required=True, one_line=True)
        if value is None or node is None:
            return None
        if not ID_PATTERN.match(value):
            self.diags.error(
                node.loc,
                f"{what} {value!r} must be lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
            )
            return None
        return value

    def deck_id(self, node: Node | None) -> str | None:
        """deck.yaml's id: an identifier short enough to name the files a build writes."""
        deck_id = self.identifier(node, "deck id")
        if deck_id is not None and node is not None and len(deck_id) > MAX_DECK_ID:
            self.diags.error(
                node.loc,
                f"deck id is {len(deck_id)} characters long; it names the files build writes "
                f"({deck_id[:12]}….apkg and its printouts), so keep it to {MAX_DECK_ID}",
            )
            return None
        return deck_id

    def distractors(self, node: Node | None) -> list[tuple[str, Location]]:
        """An item's `wrong:` list, as many as a choice question has letters for."""
        wrong = self.text_list(node, "wrong", markdown=True)
        if len(wrong) > MAX_DISTRACTORS:
            self.diags.error(
                wrong[MAX_DISTRACTORS][1],
                f"an item has at most {MAX_DISTRACTORS} distractors (a multiple-choice question letters its options "
                f"A to Z); this is distractor {MAX_DISTRACTORS + 1} of {len(wrong)}",
            )
        return wrong

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
