"""One self-contained HTML page of the cards: printable, searchable, light and dark, offline."""

from __future__ import annotations

import base64
import hashlib
import html

from studydeck.anki.notes import source_html
from studydeck.export.items import Tracker, by_subdeck, untracked
from studydeck.model import Cards, Item
from studydeck.source.cloze import Deletion, map_deletions
from studydeck.source.markup import to_html

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

    return map_deletions(to_html(text, cloze=True), show)


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
