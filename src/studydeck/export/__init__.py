"""`studydeck export`: the cards in other formats, one module per kind of format, each a
function over `Cards`: for other apps (`plain`, `anki_text`, `page`) and as question banks
for an LMS (`questions` decides what each item becomes; `moodle`, `gift`, `qti` write them).

Every format is deterministic (same cards → same bytes) and lists items in the deck's order;
Markdown and HTML group them by subdeck. Text reaches HTML only through `markup.to_html`
or `html.escape`.

Owns: the export formats. Works on validated `Cards`, as the `.apkg` would hold them.
Must not import: identity, engine, printing, authoring, apply, cli, api.
"""

from __future__ import annotations

from collections.abc import Callable

from studydeck.export.anki_text import export_tsv
from studydeck.export.gift import export_gift
from studydeck.export.items import Tracker, untracked
from studydeck.export.moodle import export_moodle
from studydeck.export.page import export_html
from studydeck.export.plain import export_csv, export_json, export_markdown
from studydeck.export.qti import export_qti
from studydeck.model import Cards

#: The text formats, each a function of the cards to a `str`.
FORMATS: dict[str, Callable[[Cards, Tracker], str]] = {
    "csv": export_csv,
    "tsv": export_tsv,
    "markdown": export_markdown,
    "json": export_json,
    "html": export_html,
}


def _moodle(cards: Cards, track: Tracker = untracked) -> bytes:
    return export_moodle(cards, track).encode("utf-8")


def _gift(cards: Cards, track: Tracker = untracked) -> bytes:
    return export_gift(cards, track).encode("utf-8")


#: The question banks for an LMS, each a function of the cards to the file's bytes.
QUESTION_BANKS: dict[str, Callable[[Cards, Tracker], bytes]] = {"moodle": _moodle, "gift": _gift, "qti": export_qti}

#: Every format `studydeck export` writes, and the suffixes a file of it may have (the first
#: is added to an --out file that has none of them; a suffix alone picks the format).
FORMAT_SUFFIXES: dict[str, tuple[str, ...]] = {
    "csv": (".csv",),
    "tsv": (".tsv", ".txt"),  # Anki's text import takes .txt too
    "markdown": (".md", ".markdown"),
    "json": (".json",),
    "html": (".html", ".htm"),
    "moodle": (".xml",),
    "gift": (".gift", ".txt"),
    "qti": (".zip",),
}
ALL_FORMATS = tuple(FORMAT_SUFFIXES)


def format_for_suffix(suffix: str) -> str | None:
    """The format a file's suffix names (`.txt` is left to --format: Anki text or GIFT)."""
    found = [fmt for fmt, suffixes in FORMAT_SUFFIXES.items() if suffix.lower() in suffixes]
    return found[0] if len(found) == 1 else None


def export_bytes(fmt: str, cards: Cards, track: Tracker = untracked) -> bytes:
    """The cards in format ``fmt`` (one of `ALL_FORMATS`), as the file's bytes."""
    if fmt in QUESTION_BANKS:
        return QUESTION_BANKS[fmt](cards, track)
    return FORMATS[fmt](cards, track).encode("utf-8")


__all__ = [
    "ALL_FORMATS",
    "FORMATS",
    "FORMAT_SUFFIXES",
    "QUESTION_BANKS",
    "export_bytes",
    "export_csv",
    "export_gift",
    "export_html",
    "export_json",
    "export_markdown",
    "export_moodle",
    "export_qti",
    "export_tsv",
]
