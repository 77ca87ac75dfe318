from __future__ import annotations

from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import cards_option, out_option
from studydeck.cli.progress import file_tracker
from studydeck.cli.report import print_build


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
    print_build(result)
