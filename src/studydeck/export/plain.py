"""Plain exports: CSV for flashcard apps and spreadsheets, Markdown for RemNote and reviewers,
JSON for scripts."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from studydeck.anki.notes import note_guid
from studydeck.export.items import Tracker, by_subdeck, one_line, untracked
from studydeck.model import Cards
from studydeck.source.cloze import map_deletions
from studydeck.source.markup import to_plain
from studydeck.source.text import citation, prompt_text, revealed_text

# -- CSV (Quizlet, Mochi, spreadsheets) ------------------------------------------------------

#: Front and back first: importers that take two columns (Quizlet) take those.
CSV_COLUMNS = ("front", "back", "id", "deck", "category", "extra", "caution", "wrong", "tags", "source")

#: What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection"): `=1+1`, `+cmd`,
#: `-2+3`, `@SUM(…)`, and a tab or carriage return before one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet never runs: one that would start a formula gets a
    leading `'` (OWASP's advice), which spreadsheets read as: this is text."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def export_csv(cards: Cards, track: Tracker = untracked) -> str:
    """One row per item, plain text, with a header row: Quizlet, Mochi and spreadsheets read it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in track(cards.items):
        row = (
            prompt_text(item),
            revealed_text(item),
            item.id,
            cards.anki_deck_name(item),
            item.category,
            to_plain(item.extra),
            to_plain(item.caution),
            " | ".join(to_plain(w) for w in item.wrong),
            " ".join(item.tags),
            citation(cards.deck, item.source, publisher=False),
        )
        writer.writerow(map(csv_cell, row))
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
    return one_line(text).replace("<", r"\<")


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
                ("Source", citation(cards.deck, item.source, publisher=False)),
            ]
            lines += [f"    - {label}: {_markdown_text(text)}" for label, text in details if text]
            lines.append(f"    - `{item.id}` · {' · '.join([item.category, *item.tags])}")
        lines.append("")
    return "\n".join(lines)
