"""Searches for Anki's browser that find exactly the notes meant, and no others.

Anki's search syntax (rslib/src/search/parser.rs) gives meaning to characters that item ids
and other text may hold: `_` matches any one character and `*` any run of them, so a bare
`"ID:ivig_dose"` also finds the live notes `ivig-dose` and `ivigxdose`, and deleting what it
finds deletes them too. `\\` starts an escape, `"` ends a quoted term, and a text starting
with `re:` or `nc:` turns a field search into a regular expression or a search that ignores
accents. Every search studydeck prints or runs is built here.
"""

from __future__ import annotations

from collections.abc import Iterable

#: The note field that holds the item id (in both note types).
ID_FIELD = "ID"

# Escaped with a backslash: `\` and `"` (read by the parser), `*` and `_` (wildcards, which the
# parser leaves escaped for the matcher, so they match themselves), and `:` (which separates a
# field's name from its text, and after `re`/`nc` would change the kind of search; the parser
# turns `\:` back into `:`). Spaces, `(`, `)`, a leading `-` and the words `and`/`or` need no
# escape inside the double quotes every search term here is wrapped in.
_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "*": "\\*", "_": "\\_", ":": "\\:"})


def escape(text: str) -> str:
    """``text`` with every character Anki's search would interpret escaped, to match only itself."""
    return text.translate(_ESCAPES)


#: Words before a colon that Anki reads as a kind of search, not as a field's name.
_KEYWORDS = frozenset(
    {"added", "card", "cid", "deck", "did", "dupe", "edited", "flag", "has-cd", "introduced", "is", "mid", "nc"}
    | {"nid", "note", "preset", "prop", "rated", "re", "resched", "sc", "tag", "w"}
)


def field_search(field: str, text: str) -> str:
    """A search term for the notes whose field ``field`` is exactly ``text``.

    Exactly as Anki compares: the whole field, ignoring case, Unicode-normalised (and Anki reads
    an ideographic space in a search as a plain one). Item ids are lowercase ASCII, so for them
    it is character for character.
    """
    if field.lower() in _KEYWORDS:
        raise ValueError(f"Anki reads {field!r} before a colon as a kind of search, not as a field")
    return f'"{escape(field)}:{escape(text)}"'


def items_search(item_ids: Iterable[str]) -> str:
    """A search for the notes of these items (``"ID:a" OR "ID:b"``), in any deck."""
    return " OR ".join(field_search(ID_FIELD, item_id) for item_id in item_ids)


def notes_search(notes: Iterable[tuple[str, int]]) -> str:
    """A search for exactly these notes, each given as (item id, note id), to paste into Anki's
    browser: ``(nid:1 "ID:a") OR (nid:2 "ID:b")``.

    The item id alone is not enough: every studydeck deck shares the two note types, so a
    learner with two decks that both have an item `a` would find both notes. The note id alone
    is not enough either: Anki gives an imported note a new id when its id is taken, and that
    id may then be another note's. A note matching both is the one meant.
    """
    return " OR ".join(f"(nid:{note_id} {field_search(ID_FIELD, item_id)})" for item_id, note_id in notes)
