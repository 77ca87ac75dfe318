"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


class OutputPath(click.Path):
    """An --out path: like click.Path, but an empty one (`--out ''`, an unset variable) is a usage
    error instead of the current folder."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("'' is empty: name the file or folder to write", param, ctx)
        return super().convert(value, param, ctx)


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
    type=OutputPath(file_okay=False, path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Where the outputs are written (outside the cards folder).",
)
