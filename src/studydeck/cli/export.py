from __future__ import annotations

import sys
from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import cards_option
from studydeck.cli.progress import progress
from studydeck.diagnostics import display_path
from studydeck.export import FORMATS
from studydeck.outputs import output_file, write_atomic

#: The format an --out file's suffix implies when --format is not given.
SUFFIX_FORMATS = {".csv": "csv", ".tsv": "tsv", ".md": "markdown", ".json": "json", ".html": "html", ".htm": "html"}
#: The suffixes a file of each format may have; any other --out gets the first one added.
FORMAT_SUFFIXES = {
    "csv": (".csv",),
    "tsv": (".tsv", ".txt"),  # Anki's text import takes .txt too
    "markdown": (".md", ".markdown"),
    "json": (".json",),
    "html": (".html", ".htm"),
}


@click.command("export")
@cards_option
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), help="Default: from the --out file's suffix.")
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to write (replaced atomically; the format's suffix is added if missing). "
    "Default: standard output.",
)
def export_command(cards_dir: Path, fmt: str | None, out_file: Path | None) -> None:
    """Export the cards for other apps and for reviewers without Anki.

    \b
    csv       plain text, one row per item (Quizlet, Mochi, spreadsheets)
    tsv       Anki's text-import format, same notes and GUIDs as the .apkg
    markdown  subdeck headings, `question >> answer` bullets (RemNote)
    json      everything the cards say, plus GUIDs and Anki deck names
    html      one self-contained page: searchable, printable, offline

    \b
    Examples:
        studydeck export --out build/cards.html
        studydeck export --format csv > quizlet.csv
    """
    if fmt is None:
        fmt = SUFFIX_FORMATS.get(out_file.suffix.lower()) if out_file else None
        if fmt is None:
            raise click.UsageError("choose a --format (or an --out file ending in .csv, .tsv, .md, .json or .html)")
    if out_file is not None:
        out_file = output_file(out_file, cards_dir, FORMAT_SUFFIXES[fmt])
    text, count = api.export(cards_dir, fmt, track=lambda items: progress(items, "Exporting"))
    data = text.encode("utf-8")
    if out_file is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)  # bytes as they are: no newline translation
        sys.stdout.buffer.flush()
        return

    write_atomic(out_file, data)
    click.echo(f"Wrote {display_path(str(out_file))} ({fmt}, {count} items).", err=True)
