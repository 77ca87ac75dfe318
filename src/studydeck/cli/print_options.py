"""Options of the commands that print (quiz, cards): which items, on what paper."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import click

from studydeck.printing.pdf import PAPERS
from studydeck.source.selection import SelectionError


def filter_options(command: Callable[..., None]) -> Callable[..., None]:
    """--category, --tag and --deck: which items a printout shows (each repeatable)."""
    options = [
        click.option("--category", "categories", multiple=True, metavar="C", help="Only this category (repeatable)."),
        click.option(
            "--tag", "tags", multiple=True, metavar="T", help="Only items with this tag; `drug` includes `drug::ivig`."
        ),
        click.option("--deck", "decks", multiple=True, metavar="D", help="Only this subdeck and its children."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


paper_option = click.option(
    "--paper", type=click.Choice(PAPERS), default="a4", show_default=True, help="Paper size (Letter in North America)."
)


@contextlib.contextmanager
def selection_usage_errors() -> Iterator[None]:
    """A filter naming what the deck lacks, or selecting nothing, is a usage error (exit 2)."""
    try:
        yield
    except SelectionError as exc:
        if exc.option:
            raise click.BadParameter(str(exc), param_hint=f"'{exc.option}'") from exc
        raise click.UsageError(str(exc)) from exc
