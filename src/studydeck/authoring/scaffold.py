"""`studydeck init`: a new cards project that builds at once."""

from __future__ import annotations

import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from studydeck.diagnostics import ContentError, Diagnostic, Location, Severity
from studydeck.outputs import write_files
from studydeck.source.chars import CONTROL, is_blank
from studydeck.source.folder import DECK_FILE

EXAMPLE_FILE = "example.yaml"
GITIGNORE_LINE = "build/"

DECK_TEMPLATE = """\
# The deck. `id` names the deck for Anki: every note's identity is derived from it,
# so never change it once anyone studies the deck (renaming the deck is fine).
name: {name}
id: {deck_id}
description: What this deck covers, shown in Anki's deck overview.
sources:
  example-source:
    title: Where the facts come from (an article, a guideline, a book)
    url: https://example.org/
"""

EXAMPLE_TEMPLATE = """\
# A card file: every *.yaml below cards/ is one. Each item becomes one Anki note.
# Item ids must be unique and must never change or be reused: learners' review
# history is attached to them.
deck: Examples                 # optional subdeck, below the deck's name
source: example-source         # the default source of the items below (see deck.yaml)
tags: [example]
items:
  - id: example-basic
    category: classification
    q: What does studydeck compile YAML items into?
    a: Anki packages (**.apkg**) and printable quiz sheets.
    wrong: [A spreadsheet, A website, A slide deck]
  - id: example-cloze
    category: mechanism
    cloze: "A cloze item hides {{c1::one or more parts}} of a sentence."
    extra: Each deletion number (c1, c2, …) becomes its own card.
"""


@dataclass(frozen=True)
class NewProject:
    root: Path
    cards_dir: Path
    deck_name: str
    deck_id: str
    written: tuple[Path, ...]  # every file created or updated, in the order written


class DeckNameError(ValueError):
    """`--name` has nothing a deck can be called (the CLI: a usage error, exit 2)."""


def deck_name_from(name: str) -> str:
    """``name`` as a deck name that passes `check --strict`: control characters and runs of
    spaces become one space, and each level between '::' is trimmed (of ':' too, as Anki trims
    it), with empty levels left out: `Pharm::` → `Pharm`, `A::::B` → `A::B`. DeckNameError when
    nothing is left."""
    text = " ".join(CONTROL.sub(" ", unicodedata.normalize("NFC", name)).split())
    parts = [part.strip(": ") for part in text.split("::")]
    kept = [part for part in parts if not is_blank(part)]
    if not kept:
        raise DeckNameError(f"{name!r} has nothing a deck can be called; give a name with letters or digits")
    return "::".join(kept)


def deck_name_for(folder: Path) -> str:
    """A readable deck name from a folder name: `my-notes` → `My notes`."""
    words = re.sub(r"[-_.\s]+", " ", folder.resolve().name).strip()
    try:
        name = deck_name_from(words)
    except DeckNameError:
        return "My deck"
    return name[:1].upper() + name[1:]


def new_deck_id(name: str, suffix: str | None = None) -> str:
    """A slug of the name plus a random suffix, so two decks called alike never share note identities."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].rstrip("-") or "deck"
    return f"{slug}-{suffix or secrets.token_hex(3)}"


def init_project(root: Path, name: str | None = None, *, id_suffix: str | None = None) -> NewProject:
    """Create ``root/cards/`` (deck.yaml and an example card file) and make git ignore ``build/``.

    Raises ContentError, and writes nothing, when ``root/cards`` already holds a deck.
    """
    root = Path(root)
    cards_dir = root / "cards"
    deck_file, example_file, gitignore = cards_dir / DECK_FILE, cards_dir / EXAMPLE_FILE, root / ".gitignore"
    existing = [path for path in (deck_file, example_file) if path.exists()]
    if existing:
        raise ContentError(
            [
                Diagnostic(Location(str(path)), Severity.ERROR, "already exists; `studydeck init` never overwrites it")
                for path in existing
            ]
        )
    deck_name = deck_name_from(name) if name is not None else deck_name_for(root)
    deck_id = new_deck_id(deck_name, id_suffix)
    # A JSON string is a valid YAML double-quoted scalar, whatever characters the name holds.
    contents = {
        deck_file: DECK_TEMPLATE.format(name=json.dumps(deck_name, ensure_ascii=False), deck_id=deck_id),
        example_file: EXAMPLE_TEMPLATE,
    }
    _check_deck_file(deck_file, contents[deck_file], cards_dir)
    ignored = gitignore.read_text(encoding="utf-8") if gitignore.exists() else ""
    if GITIGNORE_LINE not in (line.strip() for line in ignored.splitlines()):
        separator = "\n" if ignored and not ignored.endswith("\n") else ""
        contents[gitignore] = f"{ignored}{separator}{GITIGNORE_LINE}\n"
    write_files(dict(contents))
    return NewProject(root, cards_dir, deck_name, deck_id, tuple(contents))


def _check_deck_file(path: Path, text: str, cards_dir: Path) -> None:
    """The deck.yaml about to be written passes the checks `check` runs (README promises that the
    new deck passes `check --strict`): whatever those checks become, init cannot drift from them."""
    from studydeck.diagnostics import Diagnostics
    from studydeck.source.validate import validate_deck

    diags = Diagnostics()
    validate_deck(path, text.encode(), cards_dir, diags)
    if diags.errors:
        raise DeckNameError("; ".join(d.message for d in diags.errors))
