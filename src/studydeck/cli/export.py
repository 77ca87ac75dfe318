from __future__ import annotations

import sys
from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import OutputPath, cards_option
from studydeck.cli.print_options import filter_options, selection_usage_errors
from studydeck.cli.progress import progress
from studydeck.diagnostics import display_path
from studydeck.export import ALL_FORMATS, FORMAT_SUFFIXES, format_for_suffix
from studydeck.outputs import output_file, write_atomic
from studydeck.source.selection import Filters


@click.command("export")
@cards_option
@click.option("--format", "fmt", type=click.Choice(ALL_FORMATS), help="Default: from the --out file's suffix.")
@click.option(
    "--out",
    "out_file",
    type=OutputPath(dir_okay=False, path_type=Path),
    help="The file to write (replaced atomically; the format's suffix is added if missing). "
    "Default: standard output.",
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
        fmt = format_for_suffix(out_file.suffix) if out_file else None
        if fmt is None:
            raise click.UsageError(
                "choose a --format (or an --out file ending in .csv, .tsv, .md, .json, .html, .xml, .gift or .zip)"
            )
    if fmt == "qti" and out_file is None and sys.stdout.isatty():
        raise click.UsageError("qti is a zip file: write it with --out FILE.zip (or redirect standard output)")
    if out_file is not None:
        out_file = output_file(out_file, cards_dir, FORMAT_SUFFIXES[fmt])
    with selection_usage_errors():
        data, count = api.export(
            cards_dir, fmt, filters=Filters(categories, tags, decks), track=lambda items: progress(items, "Exporting")
        )
    if out_file is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)  # bytes as they are: no newline translation
        sys.stdout.buffer.flush()
        return

    write_atomic(out_file, data)
    click.echo(f"Wrote {display_path(str(out_file))} ({fmt}, {count} items).", err=True)
