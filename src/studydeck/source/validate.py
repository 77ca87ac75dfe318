"""deck.yaml and card files checked against the format of DESIGN.md §1, and made into plain
`Deck` and `Item`s; then what no single file can tell (an id used twice).

Every problem is recorded with its location; validation never stops at the first one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from studydeck.diagnostics import Diagnostic, Diagnostics, Location, did_you_mean
from studydeck.model import DEFAULT_CATEGORIES, ID_PATTERN, Deck, FileItems, Item, Source, SourceRef
from studydeck.source.chars import control_character, name_key
from studydeck.source.cloze import parse_cloze
from studydeck.source.folder import image_state
from studydeck.source.lint import RULES, item_warnings, question_key, repeated_questions, repeats
from studydeck.source.markup import cloze_rendering_problem
from studydeck.source.names import deck_names_apart, tag_problem
from studydeck.source.schema import Reader, kind_name
from studydeck.source.yamlfile import Node, decode, parse

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")

# The keys each mapping accepts; True marks a required key.
DECK_KEYS = {"name": True, "id": True, "description": False, "sources": False, "categories": False}
SOURCE_KEYS = {"title": True, "url": False, "reviewed": False, "publisher": False}
FILE_KEYS = {"deck": False, "source": False, "tags": False, "items": True}
ITEM_KEYS = {
    "id": True,
    "category": True,
    "q": False,
    "a": False,
    "cloze": False,
    "extra": False,
    "caution": False,
    "tags": False,
    "source": False,
    "image": False,
    "wrong": False,
    "reverse": False,
    "allow": False,
}
SOURCE_REF_KEYS = {"key": True, "section": False}


@dataclass(frozen=True)
class FileResult:
    """What validating one card file found.

    It depends only on the file's bytes, deck.yaml and the image files it names (recorded in
    ``images`` with what was found there), so it can be cached and computed in parallel.
    """

    items: tuple[Item, ...]
    diagnostics: tuple[Diagnostic, ...]
    images: tuple[tuple[str, str], ...] = ()


def _parse(path: Path, data: bytes | None, diags: Diagnostics) -> Node | None:
    """The file's YAML (None when reading already failed, or it is empty or unreadable)."""
    text = decode(data, str(path), diags) if data is not None else None
    return parse(text, str(path), diags) if text is not None else None


def validate_deck(path: Path, data: bytes | None, root: Path, diags: Diagnostics) -> Deck | None:
    """deck.yaml's bytes as a `Deck`, or None (problems in ``diags``)."""
    return _Checker(root, diags).deck(path, _parse(path, data, diags))


def validate_card_file(path: Path, data: bytes, deck: Deck, root: Path) -> FileResult:
    """One card file's bytes, checked and made into items."""
    diags = Diagnostics()
    checker = _Checker(root, diags)
    items = checker.card_file(path, _parse(path, data, diags), deck)
    return FileResult(tuple(items), tuple(diags.items), tuple(checker.images))


def file_items(items: Sequence[Item]) -> FileItems:
    """The items of one card file as a build keeps them (`FileItems`)."""
    return FileItems(
        path=items[0].location.path if items else "",
        ids=tuple(item.id for item in items),
        lines=tuple(item.location.line for item in items),
        cols=tuple(item.location.col for item in items),
        prompts=tuple(item.question_key for item in items),
        subdecks=tuple(item.subdeck for item in items),
        repeat_allowed=tuple(i for i, item in enumerate(items) if any(r == "same-question" for r, _ in item.allow)),
    )


def check_across_files(files: Sequence[FileItems], diags: Diagnostics) -> None:
    """What no single file can tell: ids used twice and deck names Anki would take for one
    another (errors), questions asked twice (a warning)."""
    for file, index, first, at in repeats(files, lambda f: f.ids):
        diags.error(file.location(index), f"duplicate id {file.ids[index]!r} (first used at {first.location(at)})")
    deck_names_apart(files, diags)
    repeated_questions(files, diags)


class _KeyLocations(Mapping[str, Location]):
    """Where each key of an item is written, made into a `Location` only when asked (a large
    deck's items raise few warnings, and a `Location` per key per item costs a cold build 10 %)."""

    def __init__(self, nodes: dict[str, Node]) -> None:
        self.nodes = nodes

    def __getitem__(self, key: str) -> Location:
        return self.nodes[key].loc

    def __iter__(self) -> Iterator[str]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)


class _Checker(Reader):
    def __init__(self, root: Path, diags: Diagnostics) -> None:
        super().__init__(diags)
        self.root = root
        self.images: list[tuple[str, str]] = []

    def deck(self, path: Path, node: Node | None) -> Deck | None:
        if node is None:
            if not self.diags.errors:
                self.diags.error(Location(str(path)), "deck.yaml is empty; it needs at least 'name' and 'id'")
            return None
        if not self.keys(node, DECK_KEYS, "deck.yaml"):
            return None
        v = node.value
        name = self.deck_name(v.get("name"), "deck name", required=True)
        deck_id = self.deck_id(v.get("id"))
        description = self.text(v.get("description"), "description") or ""
        sources = self.sources(v.get("sources"))
        categories = self.categories(v.get("categories"))
        if name is None or deck_id is None:
            return None
        return Deck(name, deck_id, description, sources, categories, v["id"].loc)

    def sources(self, node: Node | None) -> dict[str, Source]:
        if node is None:
            return {}
        if not node.is_map:
            self.diags.error(node.loc, f"sources must be a mapping of key → source, not {kind_name(node.value)}")
            return {}
        sources = {}
        spelt: dict[str, str] = {}  # name_key(key) → the key as first written
        for key, entry in node.value.items():
            what = f"source {key!r}"
            # The key becomes a tag, `source::<key>`, so it must be one Anki keeps as it is.
            problem = control_character(key, one_line=True) or tag_problem(key)
            if problem is not None:
                self.diags.error(node.key_loc(key), f"source key {key!r} {problem}")
                continue
            first = spelt.setdefault(name_key(key), key)
            if first != key:
                self.diags.error(
                    node.key_loc(key),
                    f"source key {key!r} and {first!r} ({node.key_loc(first)}) differ only in case or "
                    f"accents: Anki would make both the one tag 'source::{first}'; name them apart",
                )
                continue
            if not self.keys(entry, SOURCE_KEYS, what):
                continue
            e = entry.value
            title = self.text(e.get("title"), f"title of {what}", required=True, one_line=True)
            url = self.text(e.get("url"), f"url of {what}", one_line=True)
            if url and not url.startswith(("https://", "http://")):
                self.diags.error(e["url"].loc, f"url of {what} must start with http:// or https://")
                url = None
            reviewed = self.date(e.get("reviewed"), f"reviewed date of {what}")
            publisher = self.text(e.get("publisher"), f"publisher of {what}", one_line=True)
            if title is not None:
                key = unicodedata.normalize("NFC", key)
                sources[key] = Source(key, title, url or None, reviewed, publisher or None)
        return sources

    def categories(self, node: Node | None) -> tuple[str, ...]:
        if node is None:
            return DEFAULT_CATEGORIES
        found: list[str] = []
        for name, loc in self.text_list(node, "categories", one_line=True):
            if not ID_PATTERN.match(name):
                self.diags.error(loc, f"category {name!r} must be lowercase letters, digits, '.', '_' or '-'")
            elif name in found:
                self.diags.error(loc, f"category {name!r} is listed twice")
            else:
                found.append(name)
        if node.is_list and not found and not self.diags.errors:
            self.diags.error(node.loc, "categories must list at least one category")
        return tuple(found) or DEFAULT_CATEGORIES

    def card_file(self, path: Path, node: Node | None, deck: Deck) -> list[Item]:
        if node is None:
            if not self.diags.items:  # nothing reported yet: the file is simply empty
                self.diags.error(Location(str(path)), "file is empty; a card file needs an 'items:' list")
            return []
        if not self.keys(node, FILE_KEYS, "a card file"):
            return []
        v = node.value
        subdeck = self.subdeck(v.get("deck"))
        default_source = self.source_ref(v.get("source"), deck, None)
        file_tags = self.tags(v.get("tags"))
        items_node = v.get("items")
        if items_node is None:
            return []
        if not items_node.is_list:
            self.diags.error(items_node.loc, f"items must be a list, not {kind_name(items_node.value)}")
            return []
        items = []
        written: dict[int, Node] = {}  # each item's mapping, by identity: an alias repeats one
        for entry in items_node.value:
            first = written.setdefault(id(entry.value), entry)
            if first is not entry:
                self.diags.error(
                    entry.loc,
                    f"this repeats the item at line {first.line} through a YAML alias; an item is written "
                    "once (give a copy its own id)",
                )
                continue
            item = self.item(entry, deck, subdeck, default_source, file_tags)
            if item is not None:
                items.append(item)
        return items

    def subdeck(self, node: Node | None) -> str:
        return self.deck_name(node, "deck") or ""

    def source_ref(self, node: Node | None, deck: Deck, default: SourceRef | None) -> SourceRef | None:
        if node is None:
            return default
        if node.is_map:
            if not self.keys(node, SOURCE_REF_KEYS, "source"):
                return default
            key_node = node.value.get("key")
            key = self.text(key_node, "source key", required=True, one_line=True)
            section = self.text(node.value.get("section"), "source section", one_line=True) or None
        else:
            key_node = node
            key = self.text(node, "source", required=True, one_line=True)
            section = None
        if key is None or key_node is None:
            return default
        key = unicodedata.normalize("NFC", key)
        if key not in deck.sources:
            declared = ", ".join(sorted(deck.sources)) or "none"
            self.diags.error(
                key_node.loc,
                f"unknown source {key!r}{did_you_mean(key, deck.sources)}; deck.yaml declares: {declared}",
            )
            return default
        return SourceRef(key, section)

    def item(
        self,
        node: Node,
        deck: Deck,
        subdeck: str,
        default_source: SourceRef | None,
        file_tags: list[str],
    ) -> Item | None:
        if not self.keys(node, ITEM_KEYS, "an item"):
            return None
        v: dict[str, Any] = node.value
        mark = len(self.diags.items)
        item_id = self.identifier(v.get("id"), "id")
        category = self.text(v.get("category"), "category", required=True, one_line=True)
        if category is not None and category not in deck.categories:
            self.diags.error(
                v["category"].loc,
                f"unknown category {category!r}{did_you_mean(category, deck.categories)}; "
                f"choose one of: {', '.join(deck.categories)}",
            )
        q = self.text(v.get("q"), "q", required=True, markdown=True)
        a = self.text(v.get("a"), "a", required=True, markdown=True)
        cloze = self.text(v.get("cloze"), "cloze", required=True)
        is_cloze = "cloze" in v
        if is_cloze and ("q" in v or "a" in v):
            self.diags.error(node.loc, "an item is basic (q and a) or cloze (cloze), not both")
        elif not is_cloze and ("q" in v) != ("a" in v):
            missing = "a" if "q" in v else "q"
            self.diags.error(node.loc, f"a basic item needs both 'q' and 'a'; {missing!r} is missing")
        elif not is_cloze and "q" not in v:
            self.diags.error(node.loc, "an item needs 'q' and 'a' (basic) or 'cloze'")
        if cloze is not None:
            self.cloze(cloze, v["cloze"].loc)
        reverse = self.boolean(v.get("reverse"), "reverse")
        if reverse and is_cloze:
            self.diags.error(v["reverse"].loc, "reverse applies to basic items (q and a) only")
        wrong = self.distractors(v.get("wrong"))
        extra = self.text(v.get("extra"), "extra") or ""
        caution = self.text(v.get("caution"), "caution") or ""
        tags = self.tags(v.get("tags"))
        source = self.source_ref(v.get("source"), deck, default_source)
        image = self.image(v.get("image"))
        allow = self.allow(v.get("allow"))
        if self.diags.errors_since(mark) or item_id is None or category is None:
            return None
        item = Item(
            id=item_id,
            category=category,
            kind="cloze" if is_cloze else "basic",
            location=v["id"].loc,
            subdeck=subdeck,
            q=q or "",
            a=a or "",
            cloze=cloze or "",
            extra=extra,
            caution=caution,
            tags=tuple(dict.fromkeys([*file_tags, *tags])),
            source=source,
            image=image,
            wrong=tuple(text for text, _ in wrong),
            reverse=reverse,
            allow=tuple((rule, reason) for rule, (reason, _) in allow.items()),
            question_key=question_key(cloze or "", cloze=True) if is_cloze else question_key(q or "", cloze=False),
        )
        allowed = {rule: loc for rule, (_, loc) in allow.items()}
        item_warnings(item, _KeyLocations(v), [loc for _, loc in wrong], allowed, self.diags)
        return item

    def allow(self, node: Node | None) -> dict[str, tuple[str, Location]]:
        """`allow:`, the card-quality rules an item acknowledges: rule name → (reason, where)."""
        if node is None:
            return {}
        if not node.is_map:
            self.diags.error(node.loc, f"allow must be a mapping of rule name → reason, not {kind_name(node.value)}")
            return {}
        allowed = {}
        for rule, entry in node.value.items():
            where = node.key_loc(rule)
            if rule not in RULES:
                self.diags.error(
                    where, f"unknown rule {rule!r} in allow{did_you_mean(rule, RULES)}; rules: {', '.join(RULES)}"
                )
                continue
            reason = self.text(entry, f"the reason for allowing {rule!r}", required=True)
            if reason is not None:
                allowed[rule] = (reason, where)
        return allowed

    def cloze(self, text: str, loc: Location) -> None:
        deletions, problems = parse_cloze(text)
        for problem in problems:
            self.diags.error(loc, f"{problem.message} (at character {problem.offset + 1} of the cloze text)")
        if not deletions and not problems:
            self.diags.error(loc, "cloze text has no deletion; mark one as {{c1::text}}")
        elif not problems:  # Anki reads the rendered field: it must find there exactly these deletions
            rendered = cloze_rendering_problem(text, deletions)
            if rendered is not None:
                self.diags.error(loc, rendered)

    def image(self, node: Node | None) -> str | None:
        raw = self.text(node, "image", required=True, one_line=True)
        if raw is None or node is None:
            return None
        posix = PurePosixPath(raw.replace("\\", "/"))
        if posix.is_absolute() or re.match(r"[A-Za-z]:", raw):
            self.diags.error(node.loc, f"image {raw!r} must be a path relative to the cards folder")
            return None
        if ".." in posix.parts:
            self.diags.error(node.loc, f"image {raw!r} must not contain '..'; keep images inside the cards folder")
            return None
        state = image_state(self.root.joinpath(*posix.parts), self.root)
        self.images.append((raw, state))
        if state == "outside":
            self.diags.error(node.loc, f"image {raw!r} leads outside the cards folder")
            return None
        if state == "dir":
            self.diags.error(node.loc, f"image {raw!r} is a folder, not a file")
            return None
        if state == "missing":
            self.diags.error(node.loc, f"image file {raw!r} not found in the cards folder")
            return None
        if state != "file":  # (a pipe, a device: reading it could block or never end)
            self.diags.error(node.loc, f"image {raw!r} is {state}, not a regular file")
            return None
        if posix.suffix.lower() not in IMAGE_SUFFIXES:
            self.diags.error(node.loc, f"image {raw!r} must be one of: {', '.join(IMAGE_SUFFIXES)}")
            return None
        return posix.as_posix()
