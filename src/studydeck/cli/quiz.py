from __future__ import annotations

from pathlib import Path

import click

from studydeck import api
from studydeck.cli.options import OutputPath, cards_option
from studydeck.cli.print_options import filter_options, paper_option, selection_usage_errors
from studydeck.diagnostics import display_path
from studydeck.printing.pdf import Paper
from studydeck.printing.quiz import DEFAULT_SEED, DEFAULT_TITLE, MAX_VERSIONS, QUIZ_MODES, QuizMode
from studydeck.source.selection import Filters


@click.command("quiz")
@cards_option
@click.option(
    "--out",
    type=OutputPath(dir_okay=False, path_type=Path),
    default=Path("quiz.pdf"),
    show_default=True,
    help="The question sheet (.pdf is added if missing); the answer key goes beside it as <name>-key.pdf.",
)
@filter_options
@click.option("--count", type=click.IntRange(min=1), metavar="N", help="Pick N of the matching items (default: all).")
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Which items --count picks and their order; the same seed gives identical PDFs.",
)
@click.option(
    "--mode",
    type=click.Choice(QUIZ_MODES),
    default="open",
    show_default=True,
    help="open: ruled lines to write on; choice: the answer among the item's `wrong:` distractors "
    "(items without them stay open); cloze: only cloze items, as fill-in-the-blanks.",
)
@paper_option
@click.option("--title", default=DEFAULT_TITLE, show_default=True, help="The sheet's title.")
@click.option("--date", help="The date printed in the header (default: the deck's last change, from the lockfile).")
@click.option(
    "--versions",
    type=click.IntRange(1, MAX_VERSIONS),
    default=1,
    show_default=True,
    help="Write versions A, B, C… of the same questions in different orders, each with its own key.",
)
def quiz_command(
    cards_dir: Path,
    out: Path,
    categories: tuple[str, ...],
    tags: tuple[str, ...],
    decks: tuple[str, ...],
    count: int | None,
    seed: int,
    mode: QuizMode,
    paper: Paper,
    title: str,
    date: str | None,
    versions: int,
) -> None:
    """Write a printable quiz: a question sheet and its answer key (PDF).

    \b
    Examples:
        studydeck quiz --out dosing.pdf --category dosing --count 20 --seed 7
        studydeck quiz --deck "Polyneuropathy::CIDP" --mode choice --paper letter --versions 3
    """
    with selection_usage_errors():
        result = api.quiz(
            cards_dir,
            out,
            filters=Filters(categories, tags, decks),
            count=count,
            seed=seed,
            mode=mode,
            paper=paper,
            title=title,
            date=date,
            versions=versions,
        )
    if count is not None and result.question_count < count:
        click.echo(f"Only {result.question_count} items match; the quiz has all of them.")
    click.echo(f"Wrote {result.question_count} questions: {', '.join(display_path(str(p)) for p in result.files)}")
