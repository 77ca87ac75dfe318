"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path

import click

cards_option = click.option(
    "--cards",
    "cards_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("cards"),
    show_default=True,
    help="The cards folder (deck.yaml, card files, lockfile).",
)
out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Where the outputs are written (outside the cards folder).",
)
