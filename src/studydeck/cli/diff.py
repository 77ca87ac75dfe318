from __future__ import annotations

from pathlib import Path

import click

from studydeck import api
from studydeck.authoring.diff import CardsDiff, RevisionError
from studydeck.cli.options import cards_option


@click.command("diff")
@cards_option
@click.argument("revision", required=False)
def diff_command(cards_dir: Path, revision: str | None) -> None:
    """Show the items added, changed (old → new text), removed and moved since
    REVISION (any git revision), or since the last build when none is given.

    \b
    Examples:
        studydeck diff              # since the last build (the lockfile)
        studydeck diff HEAD~3       # since three commits ago
        studydeck diff v1.0 --cards decks/pharmacology
    """
    try:
        diff = api.diff(cards_dir, revision)
    except RevisionError as exc:
        raise click.BadParameter(str(exc), param_hint="REVISION") from None
    print_diff(diff)


def _label(word: str, colour: str) -> str:
    return click.style(f"{word:<8}", fg=colour)


def _one_line(text: str) -> str:
    return text.replace("\n", " ⏎ ") if text else "(none)"


def print_diff(diff: CardsDiff) -> None:
    if diff.is_empty:
        click.echo(f"No changes since {diff.base}.")
        return
    click.secho(f"Changes since {diff.base}:", bold=True)
    for item in diff.added:
        click.echo(f"  {_label('added', 'green')} {item.id}  {_one_line(item.prompt)}")
    for changed in diff.changed:
        click.echo(f"  {_label('changed', 'yellow')} {changed.item.id}")
        if changed.fields is None:
            click.echo("      (old text unknown)")
        for field in changed.fields or ():
            click.echo(f"      {field.field}: {click.style(_one_line(field.old), fg='red')}")
            click.echo(f"      {' ' * len(field.field)}→ {click.style(_one_line(field.new), fg='green')}")
    for removed in diff.removed:
        text = _one_line(removed.item.prompt) if removed.item else "(old text unknown)"
        click.echo(f"  {_label('removed', 'red')} {removed.id}  {text}")
    for moved in diff.moved:
        click.echo(f"  {_label('moved', 'cyan')} {moved.id}: {moved.old_deck} → {moved.new_deck}")
    counts = (("added", diff.added), ("changed", diff.changed), ("removed", diff.removed), ("moved", diff.moved))
    click.echo("Items: " + ", ".join(f"{len(ids)} {label}" for label, ids in counts if ids) + ".")
    if diff.unknown_old_text:
        click.echo(f"Some old texts are unknown: {diff.unknown_old_text}.")
