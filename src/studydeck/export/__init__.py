"""`studydeck export`: the cards in other formats, one function per format over `Cards`.

Every format is deterministic (same cards → same bytes) and lists items in the deck's order;
Markdown and HTML group them by subdeck. Text reaches HTML only through `markup.to_html`
or `html.escape`.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import io
import json
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from studydeck.anki.notetypes import DEFAULT_NOTE_TYPES
from studydeck.identity.compile import compile_deck, note_guid, source_html
from studydeck.identity.lockfile import Lockfile
from studydeck.model import Cards, Item
from studydeck.source.cloze import Deletion, blank, parse_cloze, reveal
from studydeck.source.markup import to_html, to_plain

#: Wraps the per-item loop, e.g. in a progress bar; the default does nothing.
Tracker = Callable[[Sequence[Item]], Iterable[Item]]


def untracked(items: Sequence[Item]) -> Iterable[Item]:
    return items


# -- shared pieces -------------------------------------------------------------------------


def front_and_back(item: Item) -> tuple[str, str]:
    """Plain text for flashcard apps: a cloze item's front has its deletions blanked."""
    if item.kind == "cloze":
        text = to_plain(item.cloze)
        return blank(text), reveal(text)
    return to_plain(item.q), to_plain(item.a)


def source_text(cards: Cards, item: Item) -> str:
    if item.source is None:
        return ""
    parts = [cards.deck.sources[item.source.key].title]
    if item.source.section:
        parts.append(item.source.section)
    return " · ".join(parts)


def by_subdeck(cards: Cards, items: Iterable[Item]) -> list[tuple[str, list[Item]]]:
    """(heading, items in deck order) per subdeck, sorted; the heading reads `Polyneuropathy › CIDP`."""
    groups: dict[str, list[Item]] = {}
    for item in items:
        groups.setdefault(item.subdeck, []).append(item)
    ordered = sorted(groups, key=lambda name: (name.casefold(), name))
    return [(subdeck.replace("::", " › ") or cards.deck.name, groups[subdeck]) for subdeck in ordered]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def map_deletions(text: str, show: Callable[[Deletion], str]) -> str:
    """The cloze text with each `{{cN::…}}` deletion replaced by ``show(deletion)``."""
    deletions, _ = parse_cloze(text)
    parts: list[str] = []
    pos = 0
    for d in deletions:
        parts += [text[pos : d.start], show(d)]
        pos = d.end
    parts.append(text[pos:])
    return "".join(parts)


# -- CSV (Quizlet, Mochi, spreadsheets) ------------------------------------------------------

#: Front and back first: importers that take two columns (Quizlet) take those.
CSV_COLUMNS = ("front", "back", "id", "deck", "category", "extra", "caution", "wrong", "tags", "source")


def export_csv(cards: Cards, track: Tracker = untracked) -> str:
    """One row per item, plain text, with a header row: Quizlet, Mochi and spreadsheets read it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in track(cards.items):
        front, back = front_and_back(item)
        writer.writerow(
            (
                front,
                back,
                item.id,
                cards.anki_deck_name(item),
                item.category,
                to_plain(item.extra),
                to_plain(item.caution),
                " | ".join(to_plain(w) for w in item.wrong),
                " ".join(item.tags),
                source_text(cards, item),
            )
        )
    return out.getvalue()


# -- TSV in Anki's text-import format -------------------------------------------------------

#: Columns of the TSV export; Anki maps the note's fields, in order, onto the FIELD columns.
FIELD_COLUMNS = max(len(DEFAULT_NOTE_TYPES.basic.fields), len(DEFAULT_NOTE_TYPES.cloze.fields))


def export_tsv(cards: Cards, track: Tracker = untracked) -> str:
    """Anki's own text-import format: the same note types, fields (HTML), tags and GUIDs as the .apkg,
    so importing it into a collection that has the deck updates those notes instead of adding copies.

    The note type comes first: a line starting with '#' is a comment for Anki, and a GUID may start with '#'.
    """
    notes = {note.item_id: note for note in compile_deck(cards, Lockfile(), DEFAULT_NOTE_TYPES, 0).notes}
    tags_column = 3 + FIELD_COLUMNS + 1
    field_labels = [f"Field {n}" for n in range(1, FIELD_COLUMNS + 1)]
    out = io.StringIO()
    out.write(
        "#separator:tab\n"
        "#html:true\n"
        "#notetype column:1\n"
        "#deck column:2\n"
        "#guid column:3\n"
        f"#tags column:{tags_column}\n"
        "#columns:" + "\t".join(["Note type", "Deck", "GUID", *field_labels, "Tags"]) + "\n"
    )
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    for item in track(cards.items):
        note = notes[item.id]
        padding = ("",) * (FIELD_COLUMNS - len(note.fields))
        writer.writerow((note.notetype.name, note.deck_name, note.guid, *note.fields, *padding, " ".join(note.tags)))
    return out.getvalue()


# -- JSON ------------------------------------------------------------------------------------


def export_json(cards: Cards, track: Tracker = untracked) -> str:
    """Everything the cards say, as written (Markdown), plus each note's GUID and Anki deck."""
    deck = cards.deck
    sources = {
        key: {
            "title": s.title,
            "url": s.url,
            "reviewed": s.reviewed.isoformat() if s.reviewed else None,
            "publisher": s.publisher,
        }
        for key, s in deck.sources.items()
    }
    items = [
        {
            "id": item.id,
            "guid": note_guid(deck.id, item.id),
            "deck": cards.anki_deck_name(item),
            "category": item.category,
            "kind": item.kind,
            "q": item.q,
            "a": item.a,
            "cloze": item.cloze,
            "extra": item.extra,
            "caution": item.caution,
            "tags": list(item.tags),
            "source": {"key": item.source.key, "section": item.source.section} if item.source else None,
            "image": item.image,
            "wrong": list(item.wrong),
            "reverse": item.reverse,
            "file": Path(item.location.path).relative_to(cards.root).as_posix(),
        }
        for item in track(cards.items)
    ]
    document = {
        "deck": {"name": deck.name, "id": deck.id, "description": deck.description, "sources": sources},
        "items": items,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# -- Markdown (RemNote, reviewers) -----------------------------------------------------------


def _markdown_text(text: str) -> str:
    """One line of item Markdown; `<` escaped so that raw HTML shows literally, as it does in Anki."""
    return _one_line(text).replace("<", r"\<")


def export_markdown(cards: Cards, track: Tracker = untracked) -> str:
    """Subdecks as headings, one bullet per item as `question >> answer` (RemNote's flashcard syntax),
    cloze deletions as `{{text}}`, and the details as sub-bullets."""
    lines = [f"# {_markdown_text(cards.deck.name)}", ""]
    if cards.deck.description:
        lines += [_markdown_text(cards.deck.description), ""]
    for heading, items in by_subdeck(cards, track(cards.items)):
        lines += [f"## {_markdown_text(heading)}", ""]
        for item in items:
            if item.kind == "cloze":
                lines.append("- " + map_deletions(_markdown_text(item.cloze), lambda d: "{{" + d.text + "}}"))
            else:
                lines.append(f"- {_markdown_text(item.q)} >> {_markdown_text(item.a)}")
            details = [
                ("Extra", item.extra),
                ("Caution", item.caution),
                ("Wrong answers", "; ".join(item.wrong)),
                ("Source", source_text(cards, item)),
            ]
            lines += [f"    - {label}: {_markdown_text(text)}" for label, text in details if text]
            lines.append(f"    - `{item.id}` · {' · '.join([item.category, *item.tags])}")
        lines.append("")
    return "\n".join(lines)


# -- HTML: one self-contained, printable, searchable page ------------------------------------

HTML_CSS = """\
:root { color-scheme: light dark; --fg: #1d1d1f; --bg: #fff; --muted: #6e6e73; --line: #d2d2d7;
  --mark: #fff3b0; --caution-bg: #fff4e5; --caution-line: #e8a33d; }
@media (prefers-color-scheme: dark) { :root { --fg: #f5f5f7; --bg: #1c1c1e; --muted: #a1a1a6;
  --line: #3a3a3c; --mark: #5c4b00; --caution-bg: #3a2a10; --caution-line: #c07d1e; } }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 52rem; padding: 1rem; font: 16px/1.45 system-ui, sans-serif;
  color: var(--fg); background: var(--bg); }
header { position: sticky; top: 0; background: var(--bg); padding: .5rem 0; border-bottom: 1px solid var(--line); }
h1 { margin: 0 0 .25rem; font-size: 1.6rem; }
h2 { margin: 2rem 0 .5rem; font-size: 1.2rem; border-bottom: 2px solid var(--line); }
#search { width: 100%; padding: .5rem; font-size: 1rem; border: 1px solid var(--line); border-radius: 6px;
  color: inherit; background: inherit; }
#count, .meta, .description { color: var(--muted); font-size: .9rem; }
nav ul { columns: 2; padding-left: 1.2rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; margin: .75rem 0;
  break-inside: avoid; }
.q { font-weight: 600; }
.a { margin-top: .35rem; }
.extra { margin-top: .35rem; color: var(--muted); }
.caution { margin-top: .5rem; padding: .4rem .6rem; background: var(--caution-bg);
  border-left: 4px solid var(--caution-line); }
.wrong { margin-top: .35rem; font-size: .9rem; color: var(--muted); }
mark.cloze { background: var(--mark); color: inherit; padding: 0 .15em; border-radius: 3px; }
.hint { color: var(--muted); font-size: .85em; }
.card img { max-width: 100%; margin-top: .5rem; }
.meta { margin-top: .5rem; }
.meta code { font-size: .85rem; }
[hidden] { display: none !important; }
@media print { header { position: static; } #search, #count, nav { display: none; }
  body { max-width: none; font-size: 10pt; } .card { border-color: #999; } }
"""

#: Search: every word typed must appear in an item; `page.html#q=words` opens with a search.
HTML_SCRIPT = """\
(function () {
  var input = document.getElementById("search");
  var count = document.getElementById("count");
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));
  var decks = Array.prototype.slice.call(document.querySelectorAll(".deck"));
  var texts = cards.map(function (card) { return card.textContent.toLowerCase(); });
  function apply() {
    var words = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var shown = 0;
    cards.forEach(function (card, i) {
      var hit = words.every(function (word) { return texts[i].indexOf(word) !== -1; });
      card.hidden = !hit;
      if (hit) { shown += 1; }
    });
    decks.forEach(function (deck) { deck.hidden = !deck.querySelector(".card:not([hidden])"); });
    count.textContent = words.length ? shown + " of " + cards.length + " items" : cards.length + " items";
  }
  var query = new URLSearchParams(location.hash.slice(1)).get("q");
  if (query) { input.value = query; }
  input.addEventListener("input", apply);
  apply();
})();
"""

IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}  # fmt: skip


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


#: Only the page's own style and script run, and images come only from the page itself.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; img-src data:; style-src {_csp_hash(HTML_CSS)}; script-src {_csp_hash(HTML_SCRIPT)}"
)


def cloze_html(text: str) -> str:
    """The cloze text rendered, each deletion shown and highlighted (with its hint, if any)."""

    def show(d: Deletion) -> str:  # the text and hint are already HTML, escaped by to_html
        hint = f' <span class="hint">({d.hint})</span>' if d.hint else ""
        return f'<mark class="cloze">{d.text}</mark>{hint}'

    return map_deletions(to_html(text), show)


def image_data_uri(cards: Cards, image: str) -> str:
    path = cards.root / image
    data = base64.b64encode(path.read_bytes()).decode()
    return f"data:{IMAGE_TYPES[path.suffix.lower()]};base64,{data}"


def card_html(cards: Cards, item: Item) -> str:
    esc = html.escape
    parts = [f'<article class="card" id="item-{esc(item.id)}">']
    if item.kind == "cloze":
        parts.append(f'<div class="q">{cloze_html(item.cloze)}</div>')
    else:
        parts.append(f'<div class="q">{to_html(item.q)}</div>')
        parts.append(f'<div class="a">{to_html(item.a)}</div>')
    if item.extra:
        parts.append(f'<div class="extra">{to_html(item.extra)}</div>')
    if item.caution:
        parts.append(f'<div class="caution"><strong>Caution:</strong> {to_html(item.caution)}</div>')
    if item.wrong:
        wrong = "; ".join(to_html(w) for w in item.wrong)
        parts.append(f'<div class="wrong">Wrong answers: {wrong}</div>')
    if item.image:
        parts.append(f'<img src="{image_data_uri(cards, item.image)}" alt="">')
    meta = [f"<code>{esc(item.id)}</code>", esc(item.category), *(esc(tag) for tag in item.tags)]
    if item.source is not None:
        meta.append(source_html(cards.deck, item))
    parts.append(f'<div class="meta">{" · ".join(meta)}</div>')
    parts.append("</article>")
    return "\n".join(parts)


def export_html(cards: Cards, track: Tracker = untracked) -> str:
    """One page with everything inline (style, script, images): it opens offline, prints, and searches."""
    esc = html.escape
    deck = cards.deck
    rendered = {item.id: card_html(cards, item) for item in track(cards.items)}  # the slow part
    groups = by_subdeck(cards, cards.items)
    toc = "\n".join(
        f'<li><a href="#deck-{n}">{esc(name)}</a> ({len(items)})</li>' for n, (name, items) in enumerate(groups, 1)
    )
    sections = "\n".join(
        f'<section class="deck" id="deck-{n}">\n<h2>{esc(name)}</h2>\n'
        + "\n".join(rendered[item.id] for item in items)
        + "\n</section>"
        for n, (name, items) in enumerate(groups, 1)
    )
    description = f'<p class="description">{esc(deck.description)}</p>\n' if deck.description else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">
<meta name="generator" content="studydeck">
<title>{esc(deck.name)}</title>
<style>{HTML_CSS}</style>
</head>
<body>
<header>
<h1>{esc(deck.name)}</h1>
{description}<input type="search" id="search" placeholder="Search the cards" aria-label="Search the cards">
<div id="count">{len(cards.items)} items</div>
</header>
<nav><ul>
{toc}
</ul></nav>
<main>
{sections}
</main>
<script>{HTML_SCRIPT}</script>
</body>
</html>
"""


FORMATS: dict[str, Callable[[Cards, Tracker], str]] = {
    "csv": export_csv,
    "tsv": export_tsv,
    "markdown": export_markdown,
    "json": export_json,
    "html": export_html,
}
