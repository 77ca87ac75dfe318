"""`studydeck export`: the cards in other formats, one module per kind of format, each a
function over `Cards` (`FORMATS` maps the command's names to them).

Every format is deterministic (same cards → same bytes) and lists items in the deck's order;
Markdown and HTML group them by subdeck. Text reaches HTML only through `markup.to_html`
or `html.escape`.

Owns: the export formats. Works on validated `Cards`, as the `.apkg` would hold them.
Must not import: identity, engine, printing, authoring, cli, api.
"""

from __future__ import annotations

from collections.abc import Callable

from studydeck.export.anki_text import export_tsv
from studydeck.export.items import Tracker
from studydeck.export.page import export_html
from studydeck.export.plain import export_csv, export_json, export_markdown
from studydeck.model import Cards

FORMATS: dict[str, Callable[[Cards, Tracker], str]] = {
    "csv": export_csv,
    "tsv": export_tsv,
    "markdown": export_markdown,
    "json": export_json,
    "html": export_html,
}

__all__ = ["FORMATS", "export_csv", "export_html", "export_json", "export_markdown", "export_tsv"]
