from __future__ import annotations

from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import OutputPath, cards_option
from studydeck.cli.print_options import filter_options, paper_option, selection_usage_errors
from studydeck.diagnostics import display_path
from studydeck.printing.pdf import Paper
from studydeck.source.selection import Filters


@click.command("cards")
@cards_option
@click.option(
    "--out",
    type=OutputPath(dir_okay=False, path_type=Path),
    default=Path("flashcards.pdf"),
    show_default=True,
    help="The PDF to write (.pdf is added if missing).",
)
@filter_options
@paper_option
def cards_command(
    cards_dir: Path, out: Path, categories: tuple[str, ...], tags: tuple[str, ...], decks: tuple[str, ...], paper: Paper
) -> None:
    """Write cut-out flashcards (PDF): fronts and backs on alternating pages.

    Print two-sided, flipping on the long edge: each back lands behind its front.
    Then cut along the marks.

    \b
    Example:
        studydeck cards --out cidp-cards.pdf --deck "Polyneuropathy::CIDP" --paper letter
    """
    with selection_usage_errors():
        result = api.flashcards(cards_dir, out, filters=Filters(categories, tags, decks), paper=paper)
    click.echo(f"Wrote {result.card_count} flashcards: {display_path(str(result.file))}")
