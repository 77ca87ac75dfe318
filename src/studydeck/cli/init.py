from __future__ import annotations

import shlex
from pathlib import Path

import click

from studydeck import api
from studydeck.diagnostics import display_path


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option("--name", help="The deck's name in Anki (default: from the folder's name).")
def init_command(directory: Path, name: str | None) -> None:
    """Start a new cards project in DIRECTORY (default: the current folder).

    Writes cards/deck.yaml with a fresh stable deck id, cards/example.yaml with
    one basic and one cloze item, and a .gitignore entry for build/. Refuses to
    overwrite an existing deck.

    \b
    Example:
        studydeck init pharmacology --name "Pharmacology"
        cd pharmacology && studydeck build
    """
    from studydeck.authoring.scaffold import DeckNameError

    try:
        project = api.init(directory, name)
    except DeckNameError as exc:
        raise click.BadParameter(str(exc), param_hint="'--name'") from exc
    click.echo(f"Created the deck {project.deck_name!r} (id {project.deck_id}):")
    for path in project.written:
        click.echo(f"  {display_path(str(path))}")
    where = display_path(str(project.root))
    step = "studydeck build" if where == "." else f"cd {shlex.quote(where)} && studydeck build"
    click.echo(f"Next: edit the cards, then run: {step}")
