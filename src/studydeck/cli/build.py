from __future__ import annotations

from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import cards_option, out_option
from studydeck.cli.progress import file_tracker
from studydeck.cli.report import print_diagnostics, print_report
from studydeck.diagnostics import display_path


@click.command("build")
@cards_option
@out_option
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
def build_command(cards_dir: Path, out_dir: Path, strict: bool) -> None:
    """Build the Anki package <out>/<deck id>.apkg and report what changed.

    Beside it: <deck id>-quiz.pdf, <deck id>-quiz-key.pdf and <deck id>-flashcards.pdf.

    \b
    Example:
        studydeck build --cards cards --out build
    """
    result = api.build(cards_dir, out_dir, strict=strict, track=file_tracker("Reading cards"))
    print_diagnostics(result.warnings)
    click.echo(f"Built {display_path(str(result.package))}: {result.note_count} notes, {result.card_count} cards.")
    if result.printouts:
        click.echo(f"Printouts: {', '.join(display_path(str(p)) for p in result.printouts)}")
    if result.printouts_skipped:
        from studydeck.printing.printouts import MAX_PRINTED_ITEMS

        click.echo(
            f"Printouts: skipped, {result.note_count:,} items are more than a printed sheet should hold "
            f"({MAX_PRINTED_ITEMS:,}); print a selection with `studydeck quiz --deck … --count …`."
        )
    print_report(result.report)
