"""Tag and deck names as Anki compares and stores them: what it would change (a space splits a
tag, an empty part becomes 'blank'), and which names it would take for one another (case and
Unicode composition aside). Used for every tag, source key and deck name a deck holds.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from studydeck.diagnostics import Diagnostics
from studydeck.model import FileItems
from studydeck.source.chars import is_blank, name_key

_WHITESPACE = re.compile(r"\s")


@functools.lru_cache(maxsize=4096)  # (a deck's items share a few hundred tags)
def tag_problem(tag: str) -> str | None:
    """What Anki would do to ``tag`` that its author did not write, or None: a space splits it in
    two, an empty part around '::' becomes the word 'blank', and three colons in a row are read
    one way or another."""
    if _WHITESPACE.search(tag):
        return "contains a space; Anki tags are single words (use - or ::)"
    parts = tag.split("::")
    if any(is_blank(part) for part in parts):
        anki = "::".join("blank" if is_blank(part) else part for part in parts)
        return f"has an empty part around '::' (Anki would make it {anki!r})"
    if ":::" in tag:
        return "has three colons in a row; separate the levels of a tag with '::'"
    return None


def deck_names_apart(files: Sequence[FileItems], diags: Diagnostics) -> None:
    """Subdecks Anki would not keep apart: it compares deck names ignoring case, so `Sub` and
    `sub` (or `A::x` and `a::y`, whose parents are one deck to Anki) would become `Sub` and a
    second deck renamed `sub_`. Reported once per file, at its first item."""
    first: dict[str, tuple[str, FileItems]] = {}  # name_key of each deck and parent → (spelling, file)
    for file in files:
        for subdeck in dict.fromkeys(file.subdecks):  # (a file's items share one subdeck)
            parts = subdeck.split("::") if subdeck else []
            for depth in range(1, len(parts) + 1):
                name = "::".join(parts[:depth])
                spelling, where = first.setdefault(name_key(name), (name, file))
                if spelling != name:
                    diags.error(
                        file.location(0),
                        f"deck {subdeck!r}: {name!r} differs from {spelling!r} (used at {where.location(0)}) only in "
                        "case; Anki's deck names ignore case, so it would not keep the two apart: spell them the same",
                    )
                    break
