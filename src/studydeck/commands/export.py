from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click

from studydeck import api, lms
from studydeck.commands.options import cards_option
from studydeck.commands.print_options import filter_options, selection_usage_errors
from studydeck.diagnostics import display_path
from studydeck.export import FORMATS, Tracker
from studydeck.model import Cards
from studydeck.outputs import write_atomic
from studydeck.progress import progress
from studydeck.quiz import ALL_ITEMS, Filters, select_items


def _encoded(export: Callable[[Cards, Tracker], str], cards: Cards, track: Tracker) -> bytes:
    return export(cards, track).encode("utf-8")


#: Every format's bytes: the text exports in UTF-8, then the LMS question banks (`studydeck.lms`).
EXPORTERS: dict[str, Callable[[Cards, Tracker], bytes]] = {
    **{name: functools.partial(_encoded, export) for name, export in FORMATS.items()},
    **lms.FORMATS,
}

#: The format an --out file's suffix implies when --format is not given.
SUFFIX_FORMATS = {
    **{".csv": "csv", ".tsv": "tsv", ".md": "markdown", ".json": "json", ".html": "html", ".htm": "html"},
    **{".xml": "moodle", ".gift": "gift", ".zip": "qti"},
}


@click.command("export")
@cards_option
@click.option("--format", "fmt", type=click.Choice(list(EXPORTERS)), help="Default: from the --out file's suffix.")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (replaced atomically). Default: standard output.",
)
@filter_options
def export_command(
    cards_dir: Path,
    fmt: str | None,
    out_file: Path | None,
    categories: tuple[str, ...],
    tags: tuple[str, ...],
    decks: tuple[str, ...],
) -> None:
    """Export the cards for other apps, for reviewers without Anki, and for an LMS.

    \b
    csv       plain text, one row per item (Quizlet, Mochi, spreadsheets)
    tsv       Anki's text-import format, same notes and GUIDs as the .apkg
    markdown  subdeck headings, `question >> answer` bullets (RemNote)
    json      everything the cards say, plus GUIDs and Anki deck names
    html      one self-contained page: searchable, printable, offline
    moodle    Moodle XML question bank, a category per subdeck
    gift      Moodle's GIFT text format, a category per subdeck
    qti       QTI 1.2 package (.zip) for Canvas, a question group per subdeck

    \b
    --category, --tag and --deck select items exactly as in `studydeck quiz`.

    \b
    Examples:
        studydeck export --out build/cards.html
        studydeck export --format csv > quizlet.csv
        studydeck export --out cidp.xml --deck "Polyneuropathy::CIDP"
        studydeck export --out dosing-canvas.zip --category dosing
    """
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(out_file.suffix.lower()) if out_file else None
        if fmt is None:
            raise click.UsageError(
                "choose a --format (or an --out file ending in .csv, .tsv, .md, .json, .html, .xml, .gift or .zip)"
            )
    if fmt == "qti" and out_file is None and sys.stdout.isatty():
        raise click.UsageError("qti is a zip file: write it with --out FILE.zip (or redirect standard output)")
    cards = api.load_deck(cards_dir)
    filters = Filters(categories, tags, decks)
    if filters != ALL_ITEMS:  # without a filter every item goes out, even from a deck that has none
        with selection_usage_errors():
            cards = replace(cards, items=tuple(select_items(cards, filters)))
    data = EXPORTERS[fmt](cards, lambda items: progress(items, "Exporting"))
    if out_file is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)  # bytes as they are: no newline translation
        sys.stdout.buffer.flush()
        return

    def write(temp: Path) -> None:
        temp.write_bytes(data)

    write_atomic(out_file, write)
    click.echo(f"Wrote {display_path(str(out_file))} ({fmt}, {len(cards.items)} items).", err=True)
